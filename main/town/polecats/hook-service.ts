// Sling to any target, hook, unsling: who holds a work bead, as Gas Town users expect.
//   target   a rig (a polecat of it: idle, else new), a polecat (`<rig>/polecats/<name>` or its name),
//            a crew member (`<rig>/crew/<name>`), the Mayor (`mayor`), or yourself (`self`);
//            none: the rig of the bead's prefix.
//   several  beads at once go to one rig as an auto-convoy ("Work: <titles>"); ready beads are slung
//            now, blocked ones are fed by the convoy once their blockers have landed.
//   force    takes hooked work off its holder first (never work in review: it is in the merge queue).
//   unsling  hooked, queued, or sent-back work goes back: open, unassigned, its holder idle.
//   hook     an agent attaching a bead to itself (no new session: it is the caller's).
//
// Invariants: every hook is a compare-and-set from `open`; every input is checked before anything is
// written (a bad bead among several changes nothing); a polecat holds one hook at a time.
import { TownError } from '../../../preload/contract.ts';
import { BeadIdSchema } from '../../../preload/api-kit.ts';
import type { Bead } from '../../../preload/types.ts';
import type { SlingManyResult, SlingResult, UnslingResult } from '../../../preload/requests/work-types.ts';
import type { ConvoyService } from '../convoys/convoy-service.ts';
import type { NudgeQueue } from '../mail/nudge.ts';
import { polecatBranch, polecatWorktree } from '../rigs/rig-paths.ts';
import type { PeopleAgents } from '../sessions/people-agents.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { parseAddress } from './agent-store.ts';
import { prepareWorktree } from './polecat-git.ts';
import type { PolecatService } from './polecat-service.ts';
import { FOLLOW_UP_LABEL } from '../refineries/town-queue-store.ts';
import { isHeld, isInReview, isWorkType, QUEUED_LABEL, refuseSequentialSteps, withWorkNote, workNote, type WorkNote } from './work-beads.ts';
import { leaveQueue } from './queued-slings.ts';

export interface SlingOpts {
  target?: string;
  runtime?: string;
  force?: boolean;
}

type Target =
  | { kind: 'polecats'; target: string | undefined }
  | { kind: 'agent'; address: string; role: 'crew' | 'mayor' | 'polecat'; self: boolean };

const TITLE_MAX = 200;

export class HookService {
  constructor(
    private readonly c: WorkContext,
    private readonly polecats: PolecatService,
    private readonly convoys: ConvoyService,
    private readonly people: PeopleAgents,
    private readonly nudges: NudgeQueue,
  ) {}

  /** `gt sling BEAD [TARGET]`. */
  async sling(beadId: string, opts: SlingOpts, actor: string): Promise<SlingResult> {
    const target = await this.resolve(opts.target, actor);
    if (opts.force) {
      // Check the target before taking the bead off its hook: a bad target must change nothing.
      if (target.kind === 'polecats') await this.polecats.resolveTarget(target.target, await this.c.ledger.show(beadId));
      await this.release(beadId, actor, 'force');
    }
    if (target.kind === 'polecats') {
      const { full: _full, ...r } = await this.polecats.sling(beadId, { target: target.target, runtime: opts.runtime }, actor);
      void _full;
      return r;
    }
    return this.hookTo(beadId, target, actor);
  }

  /** `gt sling BEAD… [TARGET]`: the last argument is the target unless it names a bead. */
  async slingMany(args: string[], opts: Omit<SlingOpts, 'target'>, actor: string): Promise<SlingManyResult> {
    const last = args[args.length - 1];
    const lastIsBead = args.length === 1 || (BeadIdSchema.safeParse(last).success && (await this.c.ledger.show(last).then(() => true, () => false)));
    const ids = lastIsBead ? args : args.slice(0, -1);
    const target = lastIsBead ? undefined : last;
    for (const id of ids) {
      const ok = BeadIdSchema.safeParse(id);
      if (!ok.success) throw new TownError('invalid', `${JSON.stringify(id).slice(0, 100)}: ${ok.error.issues[0]?.message ?? 'not a bead id'}`);
    }
    const unique = [...new Set(ids)];
    if (unique.length === 1) return { convoy: null, results: [await this.sling(unique[0], { ...opts, target }, actor)] };

    // Several beads: one polecat each, so the target must be a rig (or none: each bead's own rig).
    const rig = target ? await this.c.rigs.find(target) : null;
    if (target && !rig) throw new TownError('invalid', `several beads go to a rig (one polecat each); ${target} is not a rig, and an agent holds one hook at a time`);
    const beads = await this.c.ledger.getMany(unique);
    const byId = new Map(beads.map((b) => [b.id, b]));
    for (const id of unique) {
      const b = byId.get(id);
      if (!b) throw new TownError('not_found', `no bead ${id}`);
      this.mustBeSlingable(b, opts.force ?? false);
      if (!rig && !(await this.c.rigs.byPrefix(id.slice(0, id.indexOf('-'))))) throw new TownError('invalid', `${id} belongs to no rig; name one: gt sling ${unique.join(' ')} RIG`);
    }
    await refuseSequentialSteps(this.c.ledger, beads);
    if (opts.force) for (const id of unique) await this.release(id, actor, 'force');
    const titles = unique.map((id) => byId.get(id)!.title).join(', ');
    const convoy = await this.convoys.create({
      name: `Work: ${titles.length > TITLE_MAX ? `${titles.slice(0, TITLE_MAX - 1)}…` : titles}`,
      beads: unique, rig: rig?.name, runtime: opts.runtime,
    }, actor);
    const blocked = new Map((await this.c.ledger.blocked({ limit: 100_000 })).map((b) => [b.id, b.blockedBy]));
    const results: SlingResult[] = [];
    for (const id of unique) {
      const waits = blocked.get(id);
      if (waits?.length) {
        results.push({ bead: id, outcome: 'queued', agent: null, branch: null, workdir: null, terminal: null, reason: `waits for ${waits.join(', ')}: convoy ${convoy.id} slings it once they have landed` });
        continue;
      }
      results.push(await this.polecats.sling(id, { target: rig?.name, runtime: opts.runtime, convoy: convoy.id }, actor).then(
        ({ full: _full, ...r }) => r,
        // The Witness may feed the new convoy's bead first: then report where it went.
        async (e: unknown) => (await this.fedByConvoy(id, convoy.id)) ?? Promise.reject(e),
      ));
    }
    return { convoy: await this.convoys.status(convoy.id), results };
  }

  private async fedByConvoy(id: string, convoy: string): Promise<SlingResult | null> {
    const bead = await this.c.ledger.show(id);
    const note = workNote(bead);
    if (!isHeld(bead) || note.convoy !== convoy || !bead.assignee) return null;
    const agent = await this.c.agents.find(bead.assignee);
    return { bead: id, outcome: 'hooked', agent: bead.assignee, branch: note.branch ?? null, workdir: agent?.meta.workdir ?? null, terminal: this.c.sessions.get(bead.assignee)?.terminal ?? null };
  }

  /** `gt hook BEAD`: the caller attaches a bead to its own hook. */
  async hookSelf(beadId: string, actor: string): Promise<SlingResult> {
    const self = await this.resolve('self', actor);
    if (self.kind !== 'agent') throw new TownError('invalid', `gt hook BEAD attaches work to the calling agent; ${actor} is not one`);
    return this.hookTo(beadId, self, actor);
  }

  /** `gt unsling BEAD`: off its hook (or out of the sling queue), back to open and unassigned. */
  async unsling(beadId: string, actor: string): Promise<UnslingResult> {
    const bead = await this.c.ledger.show(beadId);
    const queued = bead.status === 'open' && (bead.labels.includes(QUEUED_LABEL) || isSentBack(bead));
    if (!isHeld(bead) && !queued) throw new TownError('conflict', `${beadId} is ${bead.status}${bead.assignee ? ` (${bead.assignee})` : ''}: it is on no hook`);
    if (isInReview(bead)) throw new TownError('conflict', `${beadId} is in review (merge request ${workNote(bead).review?.mergeRequest}); take it out of the queue with gt mq reject first`);
    const from = await this.release(beadId, actor, 'unsling');
    return { bead: beadId, from, message: from ? `${beadId} taken off ${from}'s hook: open, unassigned` : `${beadId} taken out of the sling queue: open, unassigned` };
  }

  // ------------------------------------------------------------------------------------------------

  private async resolve(target: string | undefined, actor: string): Promise<Target> {
    if (target === undefined) return { kind: 'polecats', target: undefined };
    const self = target === 'self' || target === actor;
    const address = target === 'self' ? actor : target;
    const addr = parseAddress(address);
    if (target === 'self' && !addr) throw new TownError('invalid', `"self" is the calling agent, and you are ${actor}, not an agent of this town; name a rig, polecat, crew member or mayor`);
    if (!addr) return { kind: 'polecats', target };
    if (addr.role === 'polecat' && !self) return { kind: 'polecats', target };
    if (addr.role === 'crew') {
      if (!(await this.c.agents.find(address))) throw new TownError('not_found', `no crew ${address} (gt crew add ${addr.name} ${addr.rig})`);
    }
    return { kind: 'agent', address, role: addr.role === 'mayor' ? 'mayor' : addr.role, self };
  }

  private mustBeSlingable(bead: Bead, force: boolean): void {
    if (bead.status === 'closed') throw new TownError('conflict', `${bead.id} is closed; reopen it first (gt bead reopen ${bead.id})`);
    if (!isWorkType(bead)) throw new TownError('invalid', `${bead.id} is a ${bead.type}, not work to sling`);
    if (isInReview(bead)) throw new TownError('conflict', `${bead.id} is in review (merge request ${workNote(bead).review?.mergeRequest}); it closes when it lands`);
    if (isHeld(bead) && !force) throw new TownError('conflict', `${bead.id} is already ${bead.status} by ${bead.assignee ?? 'someone'} (--force takes it off that hook)`);
    if (!isHeld(bead) && bead.status !== 'open') throw new TownError('conflict', `${bead.id} is ${bead.status}; only open beads can be slung`);
  }

  /** Hooks the bead to a crew member, the Mayor, or the caller itself, and gets it worked on. */
  private async hookTo(beadId: string, target: Extract<Target, { kind: 'agent' }>, actor: string): Promise<SlingResult> {
    const { address, role } = target;
    const result = await this.c.locks.run(`bead:${beadId}`, async () => {
      const bead = await this.c.ledger.show(beadId);
      this.mustBeSlingable(bead, false);
      await refuseSequentialSteps(this.c.ledger, [bead]);
      if (role === 'polecat') return this.hookOwnPolecat(bead, address, actor);
      const agent = await this.c.agents.find(address);
      await this.c.ledger.update(beadId, {
        status: 'hooked', assignee: address, expectStatus: ['open'],
        metadata: withWorkNote(bead, { polecat: undefined, branch: undefined, slungBy: actor, slungAt: new Date().toISOString(), review: null, rework: null, reworks: 0 }),
      }, actor);
      await leaveQueue(this.c, bead, actor).catch(() => undefined);
      if (agent) await this.c.agents.patch(address, { hook: beadId }, actor);
      return { bead: beadId, outcome: 'hooked' as const, agent: address, branch: agent?.meta.branch ?? null, workdir: agent?.meta.workdir ?? null, terminal: this.c.sessions.get(address)?.terminal ?? null };
    });
    if (target.self || role === 'polecat') return result;
    // Someone else's hook: a running session is told; a stopped one is started (its prime shows the hook).
    const running = this.c.sessions.get(address);
    if (running) {
      await this.nudges.send(address, `Work on your hook: ${beadId}. Run gt hook and begin.`, 0);
      return { ...result, terminal: running.terminal };
    }
    const addr = parseAddress(address)!;
    try {
      const started = role === 'mayor' ? await this.people.startMayor(undefined, actor) : await this.people.startCrew(addr.name, addr.rig!, undefined, actor);
      return { ...result, terminal: started.terminal };
    } catch (e) {
      // The work stays on the hook: the agent's prime shows it whenever its session starts.
      return { ...result, reason: `hooked, but ${address}'s session did not start: ${(e as Error).message}` };
    }
  }

  /** A polecat hooking a bead to itself: its worktree moves to the bead's branch; no new session. */
  private async hookOwnPolecat(bead: Bead, address: string, actor: string): Promise<SlingResult> {
    const addr = parseAddress(address)!;
    const rig = await this.c.rigs.get(addr.rig!);
    return this.c.locks.run(`rig:${rig.name}`, async () => {
      const agent = await this.c.agents.get(address);
      if (agent.meta.hook) throw new TownError('conflict', `${address} already has ${agent.meta.hook} on its hook (gt done or gt unsling it first)`);
      const branch = polecatBranch(addr.name, bead.id);
      const workdir = agent.meta.workdir ?? polecatWorktree(this.c.townRoot, rig.name, addr.name);
      this.c.hooked?.written([await this.c.ledger.update(bead.id, {
        status: 'hooked', assignee: address, expectStatus: ['open'],
        metadata: withWorkNote(bead, { rig: rig.name, polecat: address, branch, slungBy: actor, slungAt: new Date().toISOString(), review: null, rework: null, reworks: 0 }),
      }, actor)]);
      await leaveQueue(this.c, bead, actor).catch(() => undefined);
      await this.c.agents.patch(address, { state: 'working', hook: bead.id, branch, workdir, respawns: 0 }, actor);
      await prepareWorktree(rig.paths.bare, workdir, branch, rig.branch);
      return { bead: bead.id, outcome: 'hooked', agent: address, branch, workdir, terminal: this.c.sessions.get(address)?.terminal ?? null };
    });
  }

  /**
   * Takes a held (or queued) bead back: open, unassigned, the holder's notes dropped, the holder
   * idle (the Witness then stops a polecat's leftover session). Returns who held it.
   */
  private async release(beadId: string, actor: string, why: 'force' | 'unsling'): Promise<string | null> {
    return this.c.locks.run(`bead:${beadId}`, async () => {
      const bead = await this.c.ledger.show(beadId);
      if (isInReview(bead)) throw new TownError('conflict', `${beadId} is in review (merge request ${workNote(bead).review?.mergeRequest}); take it out of the queue with gt mq reject first`);
      if (isSentBack(bead)) {
        // Waiting for the polecat it was sent back to: anyone's now, on a fresh branch.
        const holder = bead.assignee;
        await this.c.ledger.update(beadId, { assignee: null, expectStatus: ['open'], metadata: { ...bead.metadata, gt: withoutHolder(bead) } }, actor);
        await this.c.ledger.removeLabel(beadId, FOLLOW_UP_LABEL, actor);
        this.c.wake();
        return holder;
      }
      if (!isHeld(bead)) {
        await leaveQueue(this.c, bead, actor);
        return null;
      }
      const holder = bead.assignee;
      await this.c.ledger.update(beadId, { status: 'open', assignee: null, expectStatus: [bead.status], metadata: { ...bead.metadata, gt: withoutHolder(bead) } }, actor);
      if (holder) {
        const agent = await this.c.agents.find(holder);
        if (agent && agent.meta.hook === beadId) {
          await this.c.agents.patch(holder, { hook: null, ...(agent.meta.role === 'polecat' ? { state: 'idle' as const, lastBead: beadId } : {}) }, actor);
        }
        this.c.log(`${beadId} taken off ${holder}'s hook (${why === 'force' ? 'sling --force' : 'unsling'} by ${actor})`);
      }
      this.c.wake();
      return holder;
    });
  }
}


/** Sent back by the merge queue and waiting for its polecat (open, assigned, label gt:refinery). */
function isSentBack(bead: Bead): boolean {
  return bead.status === 'open' && !!bead.assignee && bead.labels.includes(FOLLOW_UP_LABEL);
}

/** The work note without the holder's part (rig, runtime, convoy and why it came back stay). */
function withoutHolder(bead: Bead): WorkNote {
  const { polecat: _p, branch: _b, slungAt: _s, slungBy: _by, queuedAt: _q, ...rest } = workNote(bead);
  void _p; void _b; void _s; void _by; void _q;
  return rest;
}
