// The Deacon: the town's patrol loop. Each patrol (every deaconPatrolMs) it writes its heartbeat to
// the ledger's ephemeral rows (never a commit; Boot reads it), keeps one Witness per rig and every
// rig's Refinery running, keeps the Mayor up when configured, returns beads hooked to agents that no
// longer exist, re-dispatches the work of stuck polecats (cooldown, cap, then mail to the Mayor),
// raises again unacknowledged escalations and runs the Dogs that are due.
// Deterministic: no LLM. An idle town costs a handful of reads per patrol and no commit.
import { MAYOR, parseAddress } from '../polecats/agent-store.ts';
import { withWorkNote, workNote } from '../polecats/work-beads.ts';
import { MESSAGE_LABEL } from '../mail/mail-service.ts';
import type { DogPack } from './dogs/dog.ts';
import { findOrphans, redispatchDecision } from './deacon-rules.ts';
import type { WitnessPool } from './rig-witness.ts';
import { DEACON_ACTOR, type SupervisionContext } from './supervision-context.ts';

export const HEARTBEAT_SCOPE = 'supervision';
export const DEACON_HEARTBEAT_KEY = 'deacon';

export interface DeaconHeartbeat {
  at: number;
  patrols: number;
  /** Which Deacon instance wrote it (a restarted one gets a new generation). */
  generation: number;
}

interface RedispatchNote {
  redispatches?: number;
  redispatchMailed?: boolean;
}

export class Deacon {
  patrols = 0;
  heartbeatAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retired = false;
  private hanging = false;

  constructor(
    private readonly s: SupervisionContext,
    private readonly witnesses: WitnessPool,
    private readonly dogs: DogPack,
    readonly generation: number,
  ) {}

  /** Its loop is scheduled (Boot also checks that the heartbeat moves: a hung loop is scheduled but silent). */
  get running(): boolean {
    return !this.dead && (this.timer !== null || this.inPatrol);
  }

  /** Its loop ended without being asked to (in tests: killForTest). */
  private dead = false;

  private inPatrol = false;

  start(): void {
    this.retired = false;
    this.schedule(0);
  }

  /** Retires this instance: its loop stops, and a patrol still hanging somewhere acts no more. */
  stop(): void {
    this.retired = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Fault injection for tests: the loop dies (as if its timer were lost). */
  killForTest(): void {
    this.dead = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Fault injection for tests: the next patrol never returns. */
  hangForTest(): void {
    this.hanging = true;
  }

  private schedule(delay: number): void {
    if (this.retired || this.dead) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inPatrol = true;
      void this.patrol()
        .catch((e: Error) => this.s.log(`deacon: ${e.message}`))
        .finally(() => {
          this.inPatrol = false;
          this.schedule(this.s.settings.deaconPatrolMs);
        });
    }, delay);
    this.timer.unref();
  }

  /** One patrol; each step's failure is logged and the next step still runs. */
  async patrol(now = Date.now()): Promise<void> {
    if (this.hanging) await new Promise<never>(() => undefined);
    if (this.retired) return;
    this.patrols++;
    await this.s.ledger.setEphemeral(HEARTBEAT_SCOPE, DEACON_HEARTBEAT_KEY, { at: now, patrols: this.patrols, generation: this.generation } satisfies DeaconHeartbeat);
    this.heartbeatAt = now;
    const step = async (name: string, fn: () => Promise<void>): Promise<void> => {
      if (this.retired) return;
      await fn().catch((e: Error) => this.s.log(`deacon: ${name}: ${e.message}`));
    };
    const rigs = await this.s.work.rigs.list();
    await step('witnesses', async () => {
      for (const rig of await this.witnesses.sync(rigs.map((r) => r.name))) {
        this.s.report({ kind: 'witness-started', by: 'deacon', rig, message: `witness of ${rig} started` });
      }
    });
    await step('refineries', () => this.s.refineries.sync());
    await step('mayor', () => this.keepMayor());
    await step('orphans', () => this.returnOrphans(new Set(rigs.map((r) => r.name))));
    await step('stuck work', () => this.redispatchStuck(now));
    await step('escalations', async () => {
      await this.s.escalations.reraiseDue({ reraiseMs: this.s.settings.escalationReraiseMs, maxReraises: this.s.settings.escalationMaxReraises }, now);
    });
    await step('dogs', async () => {
      await this.dogs.runDue(now);
    });
  }

  private async keepMayor(): Promise<void> {
    if (!this.s.settings.keepMayor || this.s.work.sessions.get(MAYOR)) return;
    const r = await this.s.work.people.startMayor(undefined, DEACON_ACTOR);
    if (r.started) this.s.report({ kind: 'mayor-started', by: 'deacon', agent: MAYOR, message: `the Mayor's session was down; started ${r.terminal}` });
  }

  private async returnOrphans(rigs: Set<string>): Promise<void> {
    const held = [...(await this.s.ledger.list({ status: 'hooked', limit: 100_000 })), ...(await this.s.ledger.list({ status: 'in_progress', limit: 100_000 }))]
      .filter((b) => b.assignee && parseAddress(b.assignee));
    if (!held.length) return;
    const agents = await this.s.ledger.list({ type: 'agent', limit: 100_000 });
    const open = new Set<string>();
    const closed = new Set<string>();
    for (const a of agents) {
      const address = (a.metadata as { address?: string }).address;
      if (address) (a.status === 'closed' ? closed : open).add(address);
    }
    const orphans = findOrphans(held.map((b) => ({ id: b.id, assignee: b.assignee! })), rigs, open, closed);
    for (const id of orphans) {
      const bead = held.find((b) => b.id === id)!;
      const updated = await this.s.ledger.update(id, { status: 'open', assignee: null, expectStatus: ['hooked', 'in_progress'] }, DEACON_ACTOR).catch(() => null);
      if (updated) this.s.report({ kind: 'orphan-returned', by: 'deacon', bead: id, agent: bead.assignee!, message: `${id} was hooked to ${bead.assignee}, which no longer exists: open again` });
    }
  }

  private async redispatchStuck(now: number): Promise<void> {
    const stuck = (await this.s.work.agents.list({ role: 'polecat' })).filter((a) => a.meta.state === 'stuck' && a.meta.hook);
    for (const a of stuck) {
      const bead = await this.s.ledger.show(a.meta.hook!).catch(() => null);
      if (!bead || bead.assignee !== a.meta.address || (bead.status !== 'hooked' && bead.status !== 'in_progress')) continue;
      const note = workNote(bead) as RedispatchNote & ReturnType<typeof workNote>;
      const decision = redispatchDecision(Date.parse(a.bead.updatedAt), now, note.redispatches ?? 0, note.redispatchMailed ?? false, { cooldownMs: this.s.settings.redispatchCooldownMs, cap: this.s.settings.redispatchCap });
      if (decision === 'wait' || decision === 'done') continue;
      const rig = a.meta.rig!;
      if (decision === 'mail-mayor') {
        await this.s.ledger.create({
          title: `Work keeps failing: ${bead.id} ${bead.title}`.slice(0, 500),
          description: `${bead.id} was re-dispatched ${note.redispatches ?? 0} times and its polecat ${a.meta.address} is stuck again. Decide what to do with it (split it, fix its description, or give it to crew).`,
          type: 'message', prefix: this.s.work.context.townPrefix, assignee: MAYOR, labels: [MESSAGE_LABEL, `from:${DEACON_ACTOR}`], metadata: { from: DEACON_ACTOR, to: MAYOR, bead: bead.id },
        }, DEACON_ACTOR);
        await this.s.ledger.update(bead.id, { metadata: withWorkNote(bead, { redispatchMailed: true } as never) }, DEACON_ACTOR);
        this.s.report({ kind: 'redispatched', by: 'deacon', bead: bead.id, agent: a.meta.address, rig, message: `${bead.id}: re-dispatch cap reached; mailed the Mayor` });
        continue;
      }
      // Off the stuck polecat (it stays stuck until someone looks: gt polecat reset), back to the rig.
      await this.s.work.context.locks.run(`rig:${rig}`, async () => {
        await this.s.ledger.update(bead.id, { status: 'open', assignee: null, metadata: withWorkNote(bead, { redispatches: (note.redispatches ?? 0) + 1 } as never), expectStatus: ['hooked', 'in_progress'] }, DEACON_ACTOR);
        await this.s.work.agents.patch(a.meta.address, { hook: null, lastBead: bead.id }, DEACON_ACTOR);
      });
      const r = await this.s.work.polecats.sling(bead.id, { target: rig }, DEACON_ACTOR).catch((e: Error) => ({ agent: null, error: e.message }));
      this.s.report({ kind: 'redispatched', by: 'deacon', bead: bead.id, agent: a.meta.address, rig, message: `${bead.id}: its polecat ${a.meta.address} is stuck; re-dispatched${r.agent ? ` to ${r.agent}` : ''}` });
    }
  }
}
