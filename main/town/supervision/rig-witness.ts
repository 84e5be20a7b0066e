// The Witness of one rig: every witnessPatrolMs it looks at the rig's polecats that have a live
// session and hooked work, asks witness-checks.ts what to do, and does it (nudge through the nudge
// queue, restart, escalate, report a question, accept a safe startup dialog). A rig with no live
// polecat session costs no query at all.
import type { Bead } from '../../../preload/types.ts';
import { checkPolecat, type PolecatView, type WitnessAction, type WitnessMemory } from './witness-checks.ts';
import { safeDialog } from './startup-dialogs.ts';
import { WITNESS_ACTOR, type SupervisionContext } from './supervision-context.ts';

export class RigWitness {
  lastPatrolAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly memory = new Map<string, WitnessMemory>();

  constructor(readonly rig: string, private readonly s: SupervisionContext) {}

  get alive(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.s.settings.witnessPatrolMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.patrol().then(() => undefined, (e: Error) => this.s.log(`witness ${this.rig}: ${e.message}`)).finally(() => { this.running = null; });
  }

  /** One patrol (exported for tests and benchmarks). */
  async patrol(now = Date.now()): Promise<WitnessAction[]> {
    this.lastPatrolAt = now;
    const sessions = this.s.work.sessions.list().filter((r) => r.role === 'polecat' && r.agent.startsWith(`${this.rig}/polecats/`));
    if (!sessions.length) {
      this.memory.clear();
      return [];
    }
    const mine = new Set(sessions.map((r) => r.agent));
    const held = new Map<string, Bead>();
    for (const status of ['hooked', 'in_progress'] as const) {
      for (const b of await this.s.ledger.list({ status, limit: 100_000 })) if (b.assignee && mine.has(b.assignee) && !held.has(b.assignee)) held.set(b.assignee, b);
    }
    const all: WitnessAction[] = [];
    const seen = new Set<string>();
    for (const rec of sessions) {
      const bead = held.get(rec.agent);
      const status = this.s.work.sessions.status(rec.agent);
      if (!bead || !status) continue;
      const key = `${rec.agent}|${bead.id}`;
      seen.add(key);
      let dialog: PolecatView['dialog'] = null;
      if (status.state === 'waiting-for-input') {
        const agent = await this.s.work.agents.find(rec.agent);
        const screen = await this.s.pty.snapshot(rec.terminal).then((x) => x.text).catch(() => '');
        const worktree = agent?.meta.workdir ?? null;
        dialog = safeDialog(screen, rec.runtime, worktree ?? '', worktree);
      }
      const view: PolecatView = {
        agent: rec.agent, bead: bead.id, beadTitle: bead.title, beadChangedAt: Date.parse(bead.updatedAt), sessionStartedAt: Date.parse(rec.startedAt),
        state: status.state, stateSince: status.since, lastOutputAt: status.lastOutput, reason: status.reason, dialog,
      };
      const { actions, memory } = checkPolecat(view, this.memory.get(key) ?? {}, this.thresholds(), now);
      this.memory.set(key, memory);
      for (const a of actions) await this.act(a, rec.terminal).catch((e: Error) => this.s.log(`witness ${this.rig}: ${a.kind} for ${a.agent} failed: ${e.message}`));
      all.push(...actions);
    }
    for (const key of [...this.memory.keys()]) if (!seen.has(key)) this.memory.delete(key);
    return all;
  }

  private thresholds() {
    const t = this.s.settings;
    return { stalledMs: t.stalledMs, guppMs: t.guppMs, idleMs: t.idleMs };
  }

  private async act(a: WitnessAction, terminal: string): Promise<void> {
    const base = { by: 'witness', agent: a.agent, rig: this.rig, bead: a.bead, message: a.message };
    switch (a.kind) {
      case 'nudge':
        // Through the agent's nudge queue: typed when it is idle or waiting, never into its work.
        void this.s.work.nudges.send(a.agent, a.text, 0).catch(() => undefined);
        this.s.report({ ...base, kind: a.reason === 'idle' ? 'idle-nudge' : a.reason === 'gupp' ? 'gupp-nudge' : 'stalled-nudge' });
        return;
      case 'restart':
        // Ending the session hands it to the work loop's GUPP restart (restart policy, cap).
        await this.s.work.sessions.stop(a.agent);
        this.s.work.witness.wake();
        this.s.report({ ...base, kind: 'stalled-restart' });
        return;
      case 'escalate':
        await this.s.escalations.raise({ severity: 'medium', message: a.message, from: WITNESS_ACTOR, source: 'witness', details: { agent: a.agent, bead: a.bead, rig: this.rig, kind: 'gupp-violation' } });
        this.s.report({ ...base, kind: 'gupp-escalation' });
        return;
      case 'report-waiting':
        await this.s.escalations.raise({ severity: 'high', message: `${a.message}\n\nAnswer it in its terminal (gt attach ${a.agent}).`, from: WITNESS_ACTOR, source: 'witness', details: { agent: a.agent, bead: a.bead, rig: this.rig, kind: 'waiting-for-input', prompt: a.prompt } });
        this.s.report({ ...base, kind: 'waiting' });
        return;
      case 'accept-dialog':
        this.s.pty.write(terminal, a.keys);
        this.s.log(`witness ${this.rig}: ${a.message} (decision: the session runs in the agent's own worktree, so trusting it is safe)`);
        this.s.report({ ...base, kind: 'dialog-accepted' });
        return;
    }
  }
}

/** One Witness per rig, kept in line with the rigs the ledger has. */
export class WitnessPool {
  private readonly byRig = new Map<string, RigWitness>();

  constructor(private readonly s: SupervisionContext) {}

  /** Starts a Witness for each rig that has none (or whose loop died); stops those of removed rigs. */
  async sync(rigs: string[]): Promise<string[]> {
    const started: string[] = [];
    const names = new Set(rigs);
    for (const [name, w] of this.byRig) if (!names.has(name)) {
      this.byRig.delete(name);
      await w.stop();
    }
    for (const rig of rigs) {
      const w = this.byRig.get(rig);
      if (w?.alive) continue;
      const fresh = w ?? new RigWitness(rig, this.s);
      this.byRig.set(rig, fresh);
      fresh.start();
      started.push(rig);
    }
    return started;
  }

  get(rig: string): RigWitness | undefined {
    return this.byRig.get(rig);
  }

  list(): RigWitness[] {
    return [...this.byRig.values()];
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byRig.values()].map((w) => w.stop()));
    this.byRig.clear();
  }
}
