// What the tray says about the town, and which status changes deserve a desktop notification.
// Pure: tray.ts and main.ts feed it TownStatus values from the Town.
import type { TownStatus } from '../../preload/types.ts';
import type { AgentCounts } from '../../preload/requests/ui-counts.ts';

export function trayTooltip(status: TownStatus | null, error?: string): string {
  if (error) return `Gas Town: ${error}`;
  if (!status) return 'Gas Town: starting…';
  if (!status.up) return 'Gas Town: stopping';
  return `Gas Town: ${healthWord(status)} · ${count(status.beads, 'bead')} · ${count(status.terminals, 'terminal')}`;
}

/** The disabled, informational lines at the top of the tray menu. */
export function trayStatusLines(status: TownStatus | null, error?: string): string[] {
  if (error) return [`Town unavailable: ${error}`];
  if (!status) return ['Town starting…'];
  return [
    `Town: ${status.town}`,
    `Ledger (Dolt): ${status.dolt.state}${status.dolt.state === 'ready' ? ` on port ${status.dolt.port}` : ''}`,
    `PTY host: ${status.ptyHost.state}`,
    `${count(status.beads, 'bead')} · ${count(status.agents, 'agent')} · ${count(status.terminals, 'terminal')}`,
  ];
}

export interface Alert {
  title: string;
  body: string;
}

/** Notifications for transitions only (never for a state that merely persists), so nothing nags. */
export function statusAlerts(prev: TownStatus | null, next: TownStatus): Alert[] {
  const alerts: Alert[] = [];
  const was = prev?.dolt.state;
  if (next.dolt.state === 'failed' && was !== 'failed') {
    alerts.push({ title: 'Gas Town: ledger down', body: 'The Dolt server failed and could not be restarted. See logs/dolt.log in the town folder.' });
  } else if (next.dolt.state === 'ready' && (was === 'failed' || was === 'restarting')) {
    alerts.push({ title: 'Gas Town: ledger back', body: `The Dolt server is running again on port ${next.dolt.port}.` });
  }
  if (next.ptyHost.state === 'restarting' && prev?.ptyHost.state !== 'restarting') {
    alerts.push({ title: 'Gas Town: terminals restarting', body: 'The PTY host stopped unexpectedly and is being restarted; agents resume from their hooks.' });
  }
  return alerts;
}

function healthWord(s: TownStatus): string {
  if (s.dolt.state === 'failed') return 'ledger down';
  if (s.dolt.state !== 'ready') return `ledger ${s.dolt.state}`;
  if (s.ptyHost.state !== 'ready') return `terminals ${s.ptyHost.state}`;
  return 'running';
}

function count(n: number, noun: string): string {
  if (n < 0) return `? ${noun}s`;
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The tray's agents-and-inbox line, e.g. "Agents: 3 working · 1 waiting · 0 stuck · Inbox 2". */
export function trayAgentsLine(counts: AgentCounts | null, inbox: number | null): string {
  if (!counts) return 'Agents: …';
  return `Agents: ${counts.working} working · ${counts.waiting} waiting · ${counts.stuck} stuck · Inbox ${inbox ?? '?'}`;
}
