// The Witness: deterministic supervision of the town's polecats, run on a timer and whenever
// something happens (a session ended, a bead closed). No LLM is ever called from here.
//   GUPP     hooked work whose session is gone gets a new session (backoff, capped; then escalate)
//   zombies  a session whose hook is finished or taken away is stopped
//   feed     queued slings, then ready beads of open convoys, go to free polecats in order; as many
//            as there are free slots per patrol, their slings side by side
//   landing  a convoy whose tracked beads are all closed closes itself (event convoyClosed)
import type { Bead } from '../../../preload/types.ts';
import type { ConvoyService } from '../convoys/convoy-service.ts';
import { parseAddress, type AgentRecord } from '../polecats/agent-store.ts';
import type { PolecatService } from '../polecats/polecat-service.ts';
import { QUEUED_LABEL, workNote } from '../polecats/work-beads.ts';
import { polecatBranch, polecatWorktree } from '../rigs/rig-paths.ts';
import type { RigInfo, SlingResult } from '../../../preload/requests/work-types.ts';
import { TOWN_ACTOR, type WorkContext } from './work-context.ts';
import { markFailed, markUp, type RestartState } from '../../lib/restart-policy.ts';
import { Escalations } from '../supervision/escalations.ts';
import { nextPatrolInterval } from './patrol-pacing.ts';
import { CLAIM_CANDIDATES, ClaimReads, convoyUnfinished, FinishedPrefix, freeSlots, pickWork, type FreeSlots, type OpenConvoy, type WorkPick, type WorkReads } from './next-work.ts';

/** A session younger than this is left alone by zombie detection (it may not have read its hook). */
const ZOMBIE_GRACE_MS = 3_000;

export class Witness {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** A wake came during the running patrol: when the next one is due (ms since the epoch), else null. */
  private againAt: number | null = null;
  private stopped = false;
  /** When a decided restart is due, per agent (in memory; the count itself is in the ledger). */
  private readonly notBefore = new Map<string, number>();
  /** The restart policy's state per agent and hook (`address|bead`): one crash loop per hook. */
  private readonly restarts = new Map<string, RestartState>();
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeDue = 0;
  /** Slings the feed started and that have not finished, by bead (their sessions may be starting),
   *  and `gt done`'s claims (`claim`: the bead goes to a polecat that already holds its slot). */
  private readonly slinging = new Map<string, { rig: string; done: Promise<void>; claim?: boolean }>();
  /** Per convoy, the leading tracked beads found all finished: reads start past them. */
  private readonly finishedPrefix = new FinishedPrefix();
  /** `gt done`'s next-bead claims, sharing their reads per rig (a pick in flight is not offered). */
  private readonly claims = new ClaimReads((bead) => this.slinging.has(bead));
  /** The current wait between periodic patrols. */
  private periodicMs = 0;

  constructor(
    private readonly c: WorkContext,
    private readonly polecats: PolecatService,
    private readonly convoys: ConvoyService,
  ) {}

  start(): void {
    this.stopped = false;
    this.periodicMs = this.c.settings.tickMs;
    this.armPeriodic();
    this.wake();
  }

  /** The periodic patrol (a safety net, paced by patrol-pacing.ts): backs off while nothing wakes us. */
  private armPeriodic(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.periodicMs = nextPatrolInterval(this.periodicMs, this.c.settings.tickMs);
      this.schedulePatrol(50);
      this.armPeriodic();
    }, this.periodicMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await this.running?.catch(() => undefined);
    await Promise.all([...this.slinging.values()].map((x) => x.done));
  }

  /** Runs a patrol soon; patrols never overlap (a wake during one runs another after it, when asked).
   *  Something happened: the periodic patrol goes back to every tickMs. */
  wake(delayMs = 50): void {
    if (this.stopped) return;
    if (this.periodicMs !== this.c.settings.tickMs) {
      this.periodicMs = this.c.settings.tickMs;
      this.armPeriodic();
    }
    this.schedulePatrol(delayMs);
  }

  private schedulePatrol(delayMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      // After this patrol, when it was asked for: a feed's wake (a second away) does not become an
      // immediate patrol because one was running (a busy town commits several times a second).
      this.againAt = Math.min(this.againAt ?? Infinity, Date.now() + delayMs);
      return;
    }
    // A pending patrol due later than asked is brought forward (a direct wake after a feed's slower one).
    const due = Date.now() + delayMs;
    if (this.wakeTimer && this.wakeDue <= due) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeDue = due;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.running = this.patrol()
        .catch((e: Error) => this.c.log(`witness: ${e.message}`))
        .finally(() => {
          this.running = null;
          if (this.againAt !== null) {
            const due = this.againAt;
            this.againAt = null;
            this.schedulePatrol(Math.max(50, due - Date.now()));
          }
        });
    }, delayMs);
    this.wakeTimer.unref?.();
  }

  /** One patrol; exported for tests that want to drive it step by step. */
  async patrol(): Promise<void> {
    const rigs = new Map((await this.c.rigs.list()).map((r) => [r.name, r]));
    await this.gupp(rigs);
    const open = await this.landConvoys(await this.convoys.openConvoys());
    await this.feed(rigs, open);
  }

  private async gupp(rigs: Map<string, RigInfo>): Promise<void> {
    const agents = new Map((await this.c.agents.list({ role: 'polecat' })).map((a) => [a.meta.address, a]));
    // The beads polecats hold, from memory (HookedWork); the loop below skips any other assignee.
    const held = this.c.hooked ? await this.c.hooked.all() : await this.c.ledger.list({ statuses: ['hooked', 'in_progress'] });
    const holding = new Set<string>();
    for (const bead of held) {
      const addr = bead.assignee ? parseAddress(bead.assignee) : null;
      if (!addr || addr.role !== 'polecat') continue;
      const rig = rigs.get(addr.rig!);
      if (!rig) continue;
      holding.add(bead.assignee!);
      // The common case needs nothing: its polecat is marked working on it and its session runs (or
      // is starting). Left alone without the rig's lock, which slings and `gt done` queue for.
      const known = agents.get(bead.assignee!);
      const live = this.c.sessions.get(bead.assignee!) || this.polecats.isStarting(bead.assignee!);
      if (live && known?.meta.hook === bead.id && (known.meta.state === 'working' || known.meta.state === 'stuck')) continue;
      await this.c.locks.run(`rig:${rig.name}`, () => this.keepWorking(rig, bead, known ?? null));
    }
    // Polecats marked working whose hook was finished or taken away: idle, and no session left behind.
    for (const a of agents.values()) {
      if (holding.has(a.meta.address)) continue;
      const session = this.c.sessions.get(a.meta.address);
      if (a.meta.state === 'working') {
        await this.underAgent(a, async () => {
          const fresh = await this.c.agents.get(a.meta.address);
          if (fresh.meta.state !== 'working' || !fresh.meta.hook) return;
          const bead = await this.heldBead(fresh.meta.hook);
          if (bead && bead.assignee === a.meta.address && (bead.status === 'hooked' || bead.status === 'in_progress')) return;
          await this.c.agents.patch(a.meta.address, { state: 'idle', hook: null, lastBead: fresh.meta.hook }, TOWN_ACTOR);
          this.c.publish('workEvent', { kind: 'recovered', agent: a.meta.address, bead: fresh.meta.hook, message: `${a.meta.address} no longer holds ${fresh.meta.hook}; marked idle`, at: Date.now() });
        });
      }
      if (session && Date.now() - Date.parse(session.startedAt) > ZOMBIE_GRACE_MS) {
        await this.underAgent(a, async () => {
          // Read again under the lock: a sling may have just given this polecat new work.
          const fresh = await this.c.agents.get(a.meta.address);
          const now = this.c.sessions.get(a.meta.address);
          if (fresh.meta.state === 'working' || !now || now.terminal !== session.terminal) return;
          await this.c.sessions.stop(a.meta.address);
          this.c.publish('workEvent', { kind: 'zombie', agent: a.meta.address, message: `stopped ${a.meta.address}'s session: nothing on its hook`, at: Date.now() });
        });
      }
    }
  }

  /** Under the agent's lock, then its rig's (the order `gt done` takes them in): a `gt done` that
   *  writes this polecat's record without the rig's lock is never interleaved with a repair of it. */
  private underAgent(a: AgentRecord, fn: () => Promise<void>): Promise<void> {
    return this.c.locks.run(`agent:${a.meta.address}`, () => this.c.locks.run(`rig:${a.meta.rig}`, fn));
  }

  /** A bead's current status, assignee and metadata: a light read (no dependencies or comments),
   *  done for every held bead on every patrol. Null when it is gone. */
  private async heldBead(id: string): Promise<Bead | null> {
    return (await this.c.ledger.getMany([id]).catch(() => []))[0] ?? null;
  }

  /** The bead is on a polecat's hook: make sure a session works on it. */
  private async keepWorking(rig: RigInfo, listed: Bead, known: AgentRecord | null): Promise<void> {
    const address = listed.assignee!;
    // Read again under the rig lock: a `gt done` (or unsling) since the patrol's list must not be
    // undone by marking the polecat working on a bead that is no longer its own.
    const bead = await this.heldBead(listed.id);
    if (!bead || bead.assignee !== address || (bead.status !== 'hooked' && bead.status !== 'in_progress')) return;
    const name = parseAddress(address)!.name;
    let agent = known ?? (await this.c.agents.find(address));
    if (!agent) agent = await this.c.agents.create({ address, role: 'polecat', name, rig: rig.name }, rig.prefix, TOWN_ACTOR);
    const branch = workNote(bead).branch ?? agent.meta.branch ?? polecatBranch(name, bead.id);
    const workdir = agent.meta.workdir ?? polecatWorktree(this.c.townRoot, rig.name, name);
    if (agent.meta.hook !== bead.id || (agent.meta.state !== 'working' && agent.meta.state !== 'stuck')) {
      // Crash between hooking the bead and recording it on the agent: the bead is the truth.
      agent = await this.c.agents.patch(address, { state: 'working', hook: bead.id, branch, workdir, respawns: agent.meta.hook === bead.id ? agent.meta.respawns : 0 }, TOWN_ACTOR);
    }
    // A session running, or being started by a sling (hooked under this lock, started outside it).
    if (this.c.sessions.get(address) || this.polecats.isStarting(address)) return;
    if (agent.meta.state === 'stuck') return;
    // E-stop (or a budget that pauses its agents): no session starts, not even a restart.
    if (await this.c.gate?.({ rig: rig.name, bead: bead.id, convoy: workNote(bead).convoy ?? null, restart: true })) return;
    const now = Date.now();
    const due = this.notBefore.get(address);
    if (due === undefined) {
      // The session is gone with work on the hook: one failure for the town's restart policy.
      const key = `${address}|${bead.id}`;
      const seeded: RestartState = { failures: Array<number>(agent.meta.respawns).fill(now), upSince: null, capped: false };
      const { state, decision } = markFailed(this.restarts.get(key) ?? seeded, now, this.restartOptions(), Math.random(), `${address} on ${bead.id}`);
      this.restarts.set(key, state);
      if (decision.action === 'give-up') {
        await this.c.agents.patch(address, { state: 'stuck' }, TOWN_ACTOR);
        const msg = `${address}: ${bead.id} crashed ${decision.failures} times (restart cap ${this.c.settings.respawnCap}); it is marked stuck. Look at its transcript, then \`gt polecat reset ${address}\` restarts it (or reassign the bead).`;
        await new Escalations(this.c).raise({ severity: 'high', message: msg, from: TOWN_ACTOR, source: 'witness', details: { bead: bead.id, agent: address, rig: rig.name } })
          .catch((e: Error) => this.c.log(`witness: escalation for ${address} failed: ${e.message}`));
        this.c.publish('workEvent', { kind: 'respawn-cap', agent: address, bead: bead.id, rig: rig.name, message: msg, at: now });
        return;
      }
      await this.c.agents.patch(address, { respawns: decision.attempt, totalRespawns: agent.meta.totalRespawns + 1 }, TOWN_ACTOR);
      this.notBefore.set(address, now + decision.delayMs);
      this.wakeAt(now + decision.delayMs);
      return;
    }
    if (now < due) {
      this.wakeAt(due);
      return;
    }
    this.notBefore.delete(address);
    const runtime = agent.meta.runtime ?? workNote(bead).runtime ?? rig.runtime ?? 'claude';
    try {
      const terminal = await this.polecats.startSession(rig, address, bead, branch, workdir, runtime);
      const key = `${address}|${bead.id}`;
      this.restarts.set(key, markUp(this.restarts.get(key) ?? { failures: [], upSince: null, capped: false }, Date.now()));
      this.c.publish('workEvent', { kind: 'respawn', agent: address, bead: bead.id, rig: rig.name, message: `GUPP: new session ${terminal} for ${address} on ${bead.id} (restart ${agent.meta.respawns})`, at: Date.now() });
    } catch (e) {
      // Counted as a failure at the next patrol (no session, no restart pending).
      this.c.log(`witness: restarting ${address} failed: ${(e as Error).message}`);
      this.wake(500);
    }
  }

  /** The town's restart policy (main/lib/restart-policy.ts) with the work settings' numbers. */
  private restartOptions() {
    const s = this.c.settings;
    return { baseMs: s.respawnBaseMs, maxMs: s.respawnMaxMs, cap: s.respawnCap, windowMs: s.respawnWindowMs, stableMs: s.respawnStableMs };
  }

  /** `gt polecat reset`: forget the agent's crash history; the next patrol restarts it. */
  forgetRestarts(address: string): void {
    this.notBefore.delete(address);
    for (const key of [...this.restarts.keys()]) if (key.startsWith(`${address}|`)) this.restarts.delete(key);
    this.wake();
  }

  private wakeAt(at: number): void {
    const t = setTimeout(() => this.wake(), Math.max(0, at - Date.now()) + 10);
    t.unref();
  }

  /** Closes the convoys whose tracked beads are all done; returns the ones still open. */
  private async landConvoys(convoys: OpenConvoy[]): Promise<OpenConvoy[]> {
    const open: OpenConvoy[] = [];
    for (const c of convoys) {
      const { convoy, tracked } = c;
      if (!tracked.length || (await this.anyUnfinished(convoy.id, tracked))) {
        open.push({ ...c, from: this.finishedPrefix.from(convoy.id, tracked.length) });
        continue;
      }
      await this.c.ledger.closeBead(convoy.id, 'landed: every tracked bead is closed', TOWN_ACTOR).finally(() => this.convoys.changed());
      this.c.publish('convoyClosed', { id: convoy.id, title: convoy.title, tracked: tracked.length });
      this.c.log(`convoy ${convoy.id} landed (${tracked.length} beads)`);
    }
    return open;
  }

  /** Whether any of a convoy's tracked beads is still to be done (convoyUnfinished in next-work.ts):
   *  chunks holding a bead a polecat holds are answered from memory (HookedWork), others read. */
  private anyUnfinished(convoy: string, ids: string[]): Promise<boolean> {
    const hooked = this.c.hooked;
    return convoyUnfinished({ held: hooked ? (chunk) => hooked.holdsAny(chunk) : undefined, beads: (chunk) => this.c.ledger.getMany(chunk) }, this.finishedPrefix, convoy, ids);
  }

  /**
   * Queued slings first, then convoys' ready beads (next-work.ts), as many as the rigs have free
   * polecat slots; the picked slings run side by side (each still decides capacity
   * and hooks under its rig's lock; only their sessions start in parallel), and the patrol does not
   * wait for them. With no free slot (counted from the agents held in memory), neither queued
   * slings nor ready work is read; else a convoy's tracked beads are looked at a chunk at a time.
   */
  private async feed(rigs: Map<string, RigInfo>, convoys: OpenConvoy[]): Promise<void> {
    const free = await this.freeSlots(rigs);
    if (free.town <= 0) return; // nothing could be taken: neither queued slings nor ready work is read
    const picks = await pickWork(this.workReads(), rigs, convoys, free, new Set(this.slinging.keys()));
    // Not awaited: a patrol that waited for sessions to start would hold back the next one (a
    // polecat freed meanwhile would wait for it). The next patrols skip the beads still in flight.
    // A rig's picks are hooked together: one acquisition of its lock and one commit (slingBatch).
    const byRig = new Map<string, typeof picks>();
    for (const p of picks) byRig.set(p.rig, [...(byRig.get(p.rig) ?? []), p]);
    for (const [rig, group] of byRig) {
      const results = this.polecats.slingBatch(rig, group, TOWN_ACTOR);
      group.forEach((p, i) => {
        // Settled: its slot is no longer counted as in flight, so a patrol may fill it (if free).
        const done = results.then((rs) => this.dispatched(p.bead, p.rig, p.convoy, rs[i]), (e: Error) => this.dispatched(p.bead, p.rig, p.convoy, { status: 'rejected', reason: e }))
          .finally(() => {
            this.slinging.delete(p.bead);
            this.wake(500);
          });
        this.slinging.set(p.bead, { rig: p.rig, done });
      });
    }
  }

  /** What the feed reads to pick work. */
  private workReads(): WorkReads {
    return {
      queued: () => this.c.queued?.all() ?? this.c.ledger.list({ label: QUEUED_LABEL, status: 'open' }),
      ready: (ids) => this.c.ledger.ready({ ids, limit: ids.length }),
    };
  }

  /**
   * `gt done`'s next bead for a polecat of this rig that keeps its slot: the first of the feed's picks
   * for the rig that no sling or other claim holds (claims finishing together share one read:
   * ClaimReads), marked in flight so that no patrol picks it too. `release` once it is hooked or
   * given up (a patrol's feed may take it then).
   */
  async claimNext(rig: RigInfo): Promise<{ pick: WorkPick; release: () => void } | null> {
    if (this.stopped) return null;
    const read = async () => pickWork(
      this.workReads(), new Map([[rig.name, rig]]),
      (await this.convoys.openConvoys()).map((c) => ({ ...c, from: this.finishedPrefix.from(c.convoy.id, c.tracked.length) })),
      { town: CLAIM_CANDIDATES, rigs: new Map([[rig.name, CLAIM_CANDIDATES]]) }, new Set(this.slinging.keys()),
    );
    const claim = await this.claims.next(rig.name, read, (pick) => {
      let release!: () => void;
      const done = new Promise<void>((resolve) => {
        release = () => {
          if (this.slinging.get(pick.bead)?.done === done) this.slinging.delete(pick.bead);
          resolve();
        };
      });
      this.slinging.set(pick.bead, { rig: rig.name, done, claim: true });
      return { pick, release };
    });
    if (claim && this.stopped) {
      claim.release();
      return null;
    }
    return claim;
  }

  /** A fed sling's outcome: a hook is announced; held back (full, e-stop, budget) it stays queued. */
  private dispatched(bead: string, rig: string, convoy: string | undefined, r: PromiseSettledResult<SlingResult & { full?: boolean }>): void {
    if (r.status === 'rejected') {
      this.c.log(`witness: could not dispatch ${bead} to ${rig}: ${(r.reason as Error).message}`);
      return;
    }
    if (r.value.outcome !== 'hooked') return;
    this.c.publish('workEvent', { kind: 'dispatched', agent: r.value.agent ?? undefined, bead, rig, message: `${bead} → ${r.value.agent}${convoy ? ` (convoy ${convoy})` : ''}`, at: Date.now() });
  }

  /** Polecat slots free now (freeSlots in next-work.ts), from the working polecats and the slings in flight. */
  private async freeSlots(rigs: Map<string, RigInfo>): Promise<FreeSlots> {
    const working = (await this.c.agents.list({ role: 'polecat' })).filter((a) => a.meta.state === 'working').map((a) => ({ rig: a.meta.rig }));
    return freeSlots(rigs, this.c.settings.maxPolecats, working, [...this.slinging.values()]);
  }
}
