// Builds the town's supervision from the running Town: the context every supervisor shares, the
// dogs, and the routing of the Dolt server's and PTY host's give-ups into the one escalation path.
import type { EventName, TownEvents } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';
import { Escalations } from './escalations.ts';
import { Supervision } from './supervision.ts';
import { readSupervisionSettings } from './supervision-settings.ts';
import type { SupervisionContext } from './supervision-context.ts';
import { DOGS } from './dogs/pack.ts';
import { announcementsFor } from './mail-announcer.ts';

export function startSupervision(town: Town, database: string, publish: <E extends EventName>(name: E, payload: TownEvents[E]) => void, log: (line: string) => void): Supervision {
  const settings = readSupervisionSettings(town.paths.root);
  const escalations = new Escalations(town.work.context);
  const s: SupervisionContext = {
    work: town.work, refineries: town.refineries, ledger: town.ledger, pty: town.pty, paths: town.paths,
    dolt: { port: town.dolt.port, dataDir: town.paths.doltData, database }, settings, escalations,
    report: (e) => {
      log(`${e.by}: ${e.message}`);
      publish('supervision', { ...e, at: Date.now() });
    },
    log,
  };
  town.dolt.on('escalation', ({ message }: { message: string }) => escalations.raiseQuietly({ severity: 'critical', message, from: 'town/dolt', source: 'dolt' }));
  town.pty.on('escalation', ({ message }: { message: string }) => escalations.raiseQuietly({ severity: 'critical', message, from: 'town/pty-host', source: 'pty-host' }));
  // Mail reaches running agents through their nudge queue (mail-announcer.ts).
  if (settings.enabled && settings.announceMail) town.feed.on('event', (event) => {
    // A plain shell is a human's terminal: typed text would run as a command there, so no announcement.
    const announceable = (agent: string): boolean => {
      const session = town.work.sessions.get(agent);
      return Boolean(session) && session!.runtime !== 'shell';
    };
    for (const a of announcementsFor(event, announceable)) {
      void town.work.nudges.send(a.agent, a.text, 0).catch(() => undefined);
      s.report({ kind: 'mail-announced', by: 'town', agent: a.agent, message: `mail ${a.id} announced to ${a.agent}` });
    }
  });
  // No silent failures: the PTY host's log and the feed's errors are logged; errors reach the feed of events.
  town.pty.on('log', ({ level, message }: { level: string; message: string }) => {
    log(`pty host ${level}: ${message}`);
    if (level === 'error') s.report({ kind: 'problem', by: 'town', message: `PTY host: ${message}` });
  });
  let lastFeedError = '';
  town.feed.on('feed-error', (e: Error) => {
    // Dolt restarting makes the feed fail until it is back: said once per distinct error.
    if (e.message === lastFeedError) return;
    lastFeedError = e.message;
    log(`bead feed: ${e.message}`);
    s.report({ kind: 'problem', by: 'town', message: `change feed: ${e.message}` });
  });
  town.feed.on('event', () => { lastFeedError = ''; });
  const supervision = new Supervision(s, DOGS);
  supervision.start();
  return supervision;
}
