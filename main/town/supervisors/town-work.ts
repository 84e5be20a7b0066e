// The town's work loop, assembled: rigs, agents and their sessions, sling/done, convoys, mail,
// the Mayor and crew, and the Witness that keeps it all moving. The Town owns one of these; the
// TownApi handlers (handlers/work-handlers.ts …) call into it.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { EventName, TownEvents } from '../../../preload/contract.ts';
import { TownError } from '../../../preload/contract.ts';
import type { AgentInfo, HookInfo } from '../../../preload/requests/work-types.ts';
import type { Bead, BeadFeedEvent } from '../../../preload/types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { PtyHostClient } from '../../agents/pty-host-client.ts';
import { getRuntime } from '../../agents/runtimes/runtime-registry.ts';
import { ConvoyService } from '../convoys/convoy-service.ts';
import { MailService } from '../mail/mail-service.ts';
import { NudgeQueue } from '../mail/nudge.ts';
import { AgentStore, MAYOR, parseAddress, type AgentRecord } from '../polecats/agent-store.ts';
import { HookService } from '../polecats/hook-service.ts';
import { PolecatService } from '../polecats/polecat-service.ts';
import { renderPrime } from '../polecats/prime.ts';
import { workNote } from '../polecats/work-beads.ts';
import { RigManager } from '../rigs/rig-manager.ts';
import { AgentSessions, sessionsStateFile } from '../sessions/agent-sessions.ts';
import { agentConversations } from '../sessions/agent-conversations.ts';
import type { StatusChange } from '../../agents/agent-status.ts';
import { PeopleAgents } from '../sessions/people-agents.ts';
import { readWorkSettings } from '../sessions/work-settings.ts';
import { KeyedLock } from '../../lib/keyed-lock.ts';
import { MoleculeService } from '../molecules/molecule-service.ts';
import { Escalations } from '../supervision/escalations.ts';
import { Witness } from './witness.ts';
import { FEED_WAKE_MS, type WorkContext } from './work-context.ts';
import { OpenMergeRequests } from '../refineries/open-requests.ts';
import { ReservedWork } from '../polecats/reserved-work.ts';
import { HookedWork } from '../polecats/hooked-work.ts';
import { QueuedSlings } from '../polecats/queued-slings.ts';


export interface TownWorkOptions {
  ledger: Ledger;
  pty: PtyHostClient;
  townRoot: string;
  runtimeDir: string;
  socket: string;
  townToken: string;
  townPrefix: string;
  publish<E extends EventName>(name: E, payload: TownEvents[E]): void;
  log(line: string): void;
}

export class TownWork {
  readonly context: WorkContext;
  readonly rigs: RigManager;
  readonly agents: AgentStore;
  readonly sessions: AgentSessions;
  readonly polecats: PolecatService;
  readonly convoys: ConvoyService;
  readonly mail: MailService;
  /** Nudges waiting for their agent's next idle moment (in memory: they belong to live sessions). */
  readonly nudges: NudgeQueue;
  readonly people: PeopleAgents;
  readonly witness: Witness;
  /** Sling to any target, hook, unsling. */
  readonly hooks: HookService;
  /** Formulas, molecules and their steps, gates, convoy planning (main/town/molecules/). */
  readonly molecules: MoleculeService;

  constructor(private readonly o: TownWorkOptions) {
    const settings = readWorkSettings(o.townRoot);
    mkdirSync(o.runtimeDir, { recursive: true });
    this.agents = new AgentStore(o.ledger);
    this.rigs = new RigManager({
      ledger: o.ledger, townRoot: o.townRoot, townPrefix: o.townPrefix,
      runtimeExists: (name) => {
        try {
          getRuntime(name, settings.runtimes);
          return true;
        } catch {
          return false;
        }
      },
    });
    this.sessions = new AgentSessions({
      pty: o.pty, townRoot: o.townRoot, socket: o.socket, townToken: o.townToken,
      runtimeConfig: () => settings.runtimes, stateFile: sessionsStateFile(o.runtimeDir), log: o.log,
      conversations: agentConversations(this.agents),
    });
    const ctx: WorkContext = {
      ledger: o.ledger, townRoot: o.townRoot, townPrefix: o.townPrefix, settings, rigs: this.rigs, agents: this.agents,
      sessions: this.sessions, locks: new KeyedLock(), publish: o.publish, log: o.log, wake: (delayMs) => this.witness?.wake(delayMs),
      openRequests: new OpenMergeRequests(o.ledger), reserved: new ReservedWork(o.ledger), hooked: new HookedWork(o.ledger),
      queued: new QueuedSlings(o.ledger),
    };
    this.context = ctx;
    const prime = (agent: string) => this.prime(agent).then((p) => p.text);
    this.polecats = new PolecatService(ctx, prime);
    this.convoys = new ConvoyService(ctx);
    this.mail = new MailService(ctx);
    this.nudges = new NudgeQueue(this.sessions, o.pty);
    this.people = new PeopleAgents(ctx, prime, (r) => this.info(r));
    this.hooks = new HookService(ctx, this.polecats, this.convoys, this.people, this.nudges);
    this.witness = new Witness(ctx, this.polecats, this.convoys);
    const escalations = new Escalations(ctx);
    this.molecules = new MoleculeService(ctx, {
      hookOf: (agent) => this.hook(agent, false).then((h) => h.bead), hooks: this.hooks, convoys: this.convoys,
      escalate: (input) => escalations.raise(input),
    });
    this.sessions.on('exit', () => this.witness.wake(100));
    this.sessions.on('status', (rec: { agent: string; terminal: string }, c: StatusChange) => {
      o.publish('agentStatus', { agent: rec.agent, terminal: rec.terminal, state: c.state, previous: c.previous, source: c.source, reason: c.reason, at: c.at });
    });
  }

  start(): void {
    this.witness.start();
    this.molecules.start();
  }

  async stop(): Promise<void> {
    await this.molecules.stop();
    await this.witness.stop();
    this.nudges.dispose();
    this.sessions.dispose();
  }

  /** A commit the feed delivered (any writer's): the agents and rigs held in memory take it. */
  onCommit(event: BeadFeedEvent): void {
    this.agents.onFeed(event);
    this.rigs.onFeed(event);
    this.convoys.onFeed(event);
    this.molecules.onFeed(event);
    this.context.openRequests?.onFeed(event);
    this.context.reserved?.onFeed(event);
    this.context.hooked?.onFeed(event);
    this.context.queued?.onFeed(event);
  }

  /** A bead changed somewhere (own or foreign write): convoys may land, capacity may be free. The
   *  Witness waits a second to take several commits in one patrol (a busy town commits several
   *  times a second, most of them the loop's own steps); the steps that free a polecat or end a
   *  session (`gt done`, a session's exit, a sling) wake it directly, at once. */
  onBeadsChanged(): void {
    this.witness.wake(FEED_WAKE_MS);
    this.molecules.kickSoon(FEED_WAKE_MS);
  }

  info(r: AgentRecord): AgentInfo {
    const s = this.sessions.get(r.meta.address);
    return {
      id: r.meta.address, role: r.meta.role, name: r.meta.name, rig: r.meta.rig, bead: r.bead.id, state: r.meta.state,
      hook: r.meta.hook, branch: r.meta.branch, workdir: r.meta.workdir, runtime: r.meta.runtime,
      session: s ? { terminal: s.terminal, pid: s.pid, startedAt: s.startedAt } : null,
    };
  }

  async agentList(filter: { rig?: string; role?: 'polecat' | 'crew' | 'mayor' }): Promise<AgentInfo[]> {
    return (await this.agents.list(filter)).map((r) => this.info(r)).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** One agent, with its work history derived from the ledger. */
  async agentShow(address: string): Promise<AgentInfo> {
    const r = await this.agents.get(address);
    const info = this.info(r);
    const [closed, mrs] = await Promise.all([
      this.o.ledger.list({ status: 'closed', assignee: address }),
      r.meta.rig ? this.o.ledger.list({ type: 'merge-request' }) : Promise.resolve([]),
    ]);
    info.history = {
      done: closed.filter((b) => b.type !== 'message' && b.type !== 'escalation').length,
      mergeRequests: mrs.filter((m) => (m.metadata as { polecat?: string }).polecat === address).length,
      respawns: r.meta.totalRespawns,
    };
    return info;
  }

  /** `full`: the bead with its dependencies and comments (`gt hook`); the town's own uses (prime,
   *  handoff, `gt mol next`) need neither and read it as a list does. */
  async hook(agent: string, full = true): Promise<HookInfo> {
    const addr = parseAddress(agent);
    const rec = addr ? await this.agents.find(agent) : null;
    const bead = await this.hookedBead(agent, rec, full);
    return {
      agent, role: addr?.role ?? null, rig: addr?.rig ?? null, bead,
      branch: rec?.meta.branch ?? null, workdir: rec?.meta.workdir ?? null, handoff: rec?.meta.handoff ?? null,
    };
  }

  /**
   * The bead on the agent's hook (with dependencies and comments): the first hooked to it, else the
   * first in progress with it. A polecat holds one hook, named in its record: when that bead is
   * still hooked to it, one read answers (a light one, none while the town holds the bead:
   * HookedWork); otherwise the agent's hooked and in-progress beads are listed.
   */
  private async hookedBead(agent: string, rec: AgentRecord | null, full: boolean): Promise<Bead | null> {
    if (rec?.meta.role === 'polecat' && rec.meta.hook) {
      const id = rec.meta.hook;
      const light = async () => (await this.context.hooked?.get(id)) ?? (await this.o.ledger.getMany([id]))[0] ?? null;
      const named = await (full ? this.o.ledger.show(id) : light()).catch(() => null);
      if (named?.status === 'hooked' && named.assignee === agent) return named;
    }
    const held = await this.o.ledger.list({ statuses: ['hooked', 'in_progress'], assignee: agent });
    const first = held.find((b) => b.status === 'hooked') ?? held[0];
    return first && full ? this.o.ledger.show(first.id) : first ?? null;
  }

  async prime(agent: string): Promise<{ agent: string; text: string }> {
    const addr = parseAddress(agent);
    if (!addr) throw new TownError('invalid', `${agent} is not an agent of this town (gt prime runs inside an agent's session)`);
    const [h, mail] = await Promise.all([this.hook(agent, false), this.mail.inbox(agent, false)]);
    const extra: string[] = [];
    if (agent === MAYOR) extra.push(await this.townOverview());
    const molecule = await this.molecules.primeSection(agent, h.bead);
    if (molecule) extra.unshift(molecule);
    const text = renderPrime({
      townRoot: this.o.townRoot, agent, role: addr.role, rig: addr.rig, workdir: h.workdir, branch: h.branch,
      hook: h.bead, rework: h.bead ? workNote(h.bead).rework ?? null : null, handoff: h.handoff, mail, extra,
    });
    return { agent, text };
  }

  /** The Mayor's view of the town, for its priming. */
  private async townOverview(): Promise<string> {
    const [rigs, convoys, ready, agents] = await Promise.all([
      this.rigs.list(), this.convoys.list(false), this.o.ledger.ready({ limit: 20 }), this.agents.list({ role: 'polecat' }),
    ]);
    const lines = ['## The town now'];
    lines.push(`Rigs (${rigs.length}): ${rigs.map((r) => `${r.name} [${r.prefix}] on ${r.branch}`).join('; ') || 'none — add one with gt rig add NAME SOURCE'}`);
    lines.push(`Polecats working: ${agents.filter((a) => a.meta.state === 'working').map((a) => `${a.meta.address} on ${a.meta.hook}`).join(', ') || 'none'}`);
    lines.push(`Open convoys (${convoys.length}): ${convoys.map((c) => `${c.id} ${c.title} ${c.progress.closed}/${c.progress.total}`).join('; ') || 'none'}`);
    lines.push(`Ready beads (${ready.length}${ready.length === 20 ? '+' : ''}): ${ready.map((b) => `${b.id} ${b.title}`).join('; ') || 'none'}`);
    return lines.join('\n');
  }

  /** Replaces the agent's session by a fresh one whose priming carries the note and the hook. */
  async handoff(agent: string, note: string | undefined, actor: string): Promise<{ agent: string; terminal: string }> {
    const rec = await this.agents.get(agent);
    const current = this.sessions.get(agent);
    if (!current) throw new TownError('not_found', `${agent} has no running session to hand off`);
    await this.agents.patch(agent, { handoff: note ?? `(handoff without a note at ${new Date().toISOString()})` }, actor);
    const replace = async (): Promise<string> => {
      if (rec.meta.role === 'polecat') {
        const rig = await this.rigs.get(rec.meta.rig!);
        const h = await this.hook(agent, false);
        if (!h.bead) throw new TownError('invalid', `${agent} has nothing on its hook to hand off`);
        return this.context.locks.run(`rig:${rig.name}`, () => this.polecats.startSession(rig, agent, h.bead!, rec.meta.branch!, rec.meta.workdir!, current.runtime));
      }
      const s = await this.sessions.start({ agent, role: rec.meta.role, rig: rec.meta.rig ?? undefined, cwd: rec.meta.workdir ?? join(this.o.townRoot, 'mayor'), runtime: current.runtime, prompt: (await this.prime(agent)).text });
      return s.terminal;
    };
    if (actor === agent) {
      // The caller runs inside the session being replaced: answer first, then replace it.
      setTimeout(() => void replace().catch((e: Error) => this.o.log(`handoff of ${agent}: ${e.message}`)), 300);
      return { agent, terminal: current.terminal };
    }
    return { agent, terminal: await replace() };
  }
}
