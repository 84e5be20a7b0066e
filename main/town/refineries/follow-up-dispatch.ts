// Hands work the merge queue sent back (the same bead, rejected or conflicting; or a follow-up bead
// for a request without one) back to the polecat that made the branch, on that same branch, as soon as the polecat is idle and its rig has room.
// The bead is hooked with a compare-and-set and a session is started, as a sling does; if the
// session cannot start, the bead goes back to open and the polecat to idle, and it is tried again
// on the next run (every bead-feed change while some are pending, and after each follow-up).
import type { Bead } from '../../../preload/types.ts';
import { runtimeNameFor } from '../../agents/runtimes/runtime-registry.ts';
import { parseAddress } from '../polecats/agent-store.ts';
import type { PolecatService } from '../polecats/polecat-service.ts';
import { workNote, withWorkNote } from '../polecats/work-beads.ts';
import { polecatWorktree } from '../rigs/rig-paths.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { FOLLOW_UP_LABEL } from './town-queue-store.ts';

const ACTOR = 'town/refinery';

export class FollowUpDispatch {
  private running: Promise<void> | null = null;
  private again = false;
  /** Whether the last run left follow-ups waiting for their polecat. */
  pending = true;
  /** A bead whose session failed to start is retried after a growing pause, not on every change. */
  private readonly backoff = new Map<string, { until: number; ms: number }>();
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly c: WorkContext,
    private readonly polecats: PolecatService,
  ) {}

  /** Runs soon; runs never overlap (a request during one runs another right after). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run()
      .catch((e: Error) => this.c.log(`refinery follow-ups: ${e.message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  private async run(): Promise<void> {
    const waiting = (await this.c.ledger.list({ label: FOLLOW_UP_LABEL, status: 'open' })).filter((b) => parseAddress(b.assignee ?? '')?.role === 'polecat');
    let left = 0;
    for (const bead of waiting) if (!(await this.tryHook(bead))) left++;
    this.pending = left > 0;
    // Nothing may change in the ledger while a polecat finishes: look again on a timer too.
    if (this.pending && !this.stopped && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.kick();
      }, 2_000);
      this.retryTimer.unref();
    }
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    return this.running ?? Promise.resolve();
  }

  /** True when the bead is now on its polecat's hook (or no longer waiting). */
  private async tryHook(bead: Bead): Promise<boolean> {
    const address = bead.assignee!;
    const wait = this.backoff.get(bead.id);
    if (wait && Date.now() < wait.until) return false;
    const addr = parseAddress(address)!;
    const rig = await this.c.rigs.find(addr.rig!);
    if (!rig) return true; // rig removed: nothing will ever take it; a human can sling it
    return this.c.locks.run(`rig:${rig.name}`, async () => {
      const agent = await this.c.agents.find(address);
      if (agent && agent.meta.state !== 'idle') return false;
      if (await this.polecats.room(rig)) return false;
      const fresh = await this.c.ledger.show(bead.id);
      if (fresh.status !== 'open' || fresh.assignee !== address) return true;
      const note = workNote(fresh);
      const branch = note.branch!;
      const workdir = agent?.meta.workdir ?? polecatWorktree(this.c.townRoot, rig.name, addr.name);
      const runtime = agent?.meta.runtime ?? rig.runtime ?? runtimeNameFor(this.c.settings.runtimes, { rig: rig.name, role: 'polecat' });
      const hooked = await this.c.ledger.update(bead.id, {
        status: 'hooked', expectStatus: ['open'],
        metadata: withWorkNote(fresh, { rig: rig.name, polecat: address, branch, runtime, slungBy: ACTOR, slungAt: new Date().toISOString() }),
      }, ACTOR);
      this.c.reserved?.written([hooked]);
      this.c.hooked?.written([hooked]);
      if (!agent) await this.c.agents.create({ address, role: 'polecat', name: addr.name, rig: rig.name }, rig.prefix, ACTOR);
      await this.c.agents.patch(address, { state: 'working', hook: bead.id, branch, workdir, runtime, respawns: 0, handoff: null }, ACTOR);
      try {
        const terminal = await this.polecats.startSession(rig, address, hooked, branch, workdir, runtime);
        this.backoff.delete(bead.id);
        // Only now: a bead whose session failed to start goes back to open and must still be found.
        if (hooked.labels.includes(FOLLOW_UP_LABEL)) await this.c.ledger.removeLabel(bead.id, FOLLOW_UP_LABEL, ACTOR).catch(() => undefined);
        this.c.publish('workEvent', { kind: 'dispatched', agent: address, bead: bead.id, rig: rig.name, message: `${bead.id} (refinery follow-up on ${branch}) → ${address} in ${terminal}`, at: Date.now() });
        return true;
      } catch (err) {
        // Reserved for its polecat again: `gt done` must see it at once (ReservedWork).
        await this.c.ledger.update(bead.id, { status: 'open', expectStatus: ['hooked'] }, ACTOR).then((b) => { this.c.reserved?.written([b]); this.c.hooked?.written([b]); }, () => undefined);
        await this.c.agents.patch(address, { state: 'idle', hook: null }, ACTOR).catch(() => undefined);
        const ms = Math.min(60_000, (wait?.ms ?? 1_000) * 2);
        this.backoff.set(bead.id, { until: Date.now() + ms, ms });
        this.c.log(`refinery follow-up ${bead.id} for ${address}: ${(err as Error).message}; retrying in ${ms} ms`);
        return false;
      }
    });
  }
}
