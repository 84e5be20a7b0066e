// `gt done`, from inside a polecat's worktree: commit leftovers, record (or reuse) the merge request
// for the branch, put the bead in review, and return the polecat to idle. The bead is closed later,
// by the rig's merge queue, when its code has landed (refineries/town-queue-store.ts); a rejected or
// conflicting request sends the same bead back to this polecat.
//
// Invariants:
// - A branch with nothing ahead of the rig's target is refused (nothing would ever land), unless
//   `--no-changes REASON`, which closes the bead as needing no change.
// - At most one open merge request per branch: a still-open request (e.g. in conflict) is reused and
//   re-queues by itself once the branch moved; a rejected (closed) one is followed by a new one.
// - Every step is idempotent: a second run, or a run after a crash half-way, finishes what is left.
// - Two phases. Under the agent's lock only: the reads, the git work in the polecat's own worktree
//   (leftovers, branch head, commits ahead) and the merge request's lookup. Then, still under the
//   agent's lock but not the rig's (the Witness takes the agent's lock before it repairs this
//   polecat's record): the hook is re-checked, and a new request, the bead in review
//   (compare-and-set on its status and assignee: an unsling or a forced sling meanwhile refuses the
//   write), the polecat idle (or on its next bead) and a reused request's touch are one write (one
//   commit): nobody sees a request whose bead is not in review yet, and a lost race writes nothing.
// - The next bead (docs/work-loop.md): for a runtime that takes it in the same session, the bead the
//   Witness's feed would give this polecat next is claimed from the feed and hooked in that same
//   write; the worktree is put on its branch before the answer names it. A hook refused meanwhile
//   (someone slung it) leaves the polecat idle instead; nothing else changes. gt done reads no bead
//   for it: the pick comes with the bead as the feed's read saw it, the hook is built in the write
//   from the bead as the write reads it (nextHookItem: refused unless still open, unassigned, on the
//   same runtime and convoy), and whether the polecat holds a bead reserved for it is answered from
//   memory (ReservedWork).
// - The bead itself is read from memory while it is hooked to a polecat (HookedWork: the town's own
//   hooks at once, other writers' as the feed delivers them); a bead not held there (finished,
//   in review, hooked by a write the feed has not delivered yet) is read from the ledger as before.
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import type { Bead } from '../../../preload/types.ts';
import { NOT_CLOSED } from '../bead-mirror.ts';
import type { DoneResult, RigInfo } from '../../../preload/requests/work-types.ts';
import { resolveBranch } from '../../git/resolve-commit.ts';
import { polecatBranch, polecatWorktree } from '../rigs/rig-paths.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { getRuntime, runtimeNameFor } from '../../agents/runtimes/runtime-registry.ts';
import type { BeadCreateInput } from '../../ledger/ledger-schemas.ts';
import type { UpdateItem } from '../../ledger/ledger.ts';
import type { WorkPick } from '../supervisors/next-work.ts';
import { parseAddress, type AgentMeta } from './agent-store.ts';
import { commitLeftovers, commitsAhead, prepareWorktree } from './polecat-git.ts';
import { isInReview, isWorkType, looksLikeStep, MR_LABEL, refineryAddress, refuseSequentialSteps, withWorkNote, workNote } from './work-beads.ts';
import { leaveQueue } from './queued-slings.ts';

function inside(dir: string, root: string): boolean {
  let a: string;
  let b: string;
  try {
    a = realpathSync(dir);
    b = realpathSync(root);
  } catch {
    return false;
  }
  return a === b || a.startsWith(b + sep);
}

/**
 * The open merge request for this bead's branch, if any (the bead's own first, else any open one for
 * the branch: a request in conflict re-enters the queue by itself when its branch moves, so it must
 * not get a twin).
 */
export async function findOpenMergeRequest(c: WorkContext, prefix: string, bead: string, branch: string): Promise<Bead | null> {
  // Only the unfinished ones are read (the closed ones grow with every bead the rig has merged); the
  // town holds them in memory.
  const mrs = c.openRequests
    ? await c.openRequests.of(prefix)
    : (await c.ledger.list({ type: 'merge-request', prefix, statuses: NOT_CLOSED })).filter((m) => m.status !== 'closed');
  const meta = (m: Bead) => m.metadata as { bead?: string; branch?: string };
  return mrs.find((m) => meta(m).bead === bead && meta(m).branch === branch) ?? mrs.find((m) => meta(m).branch === branch) ?? null;
}

export interface DoneOptions {
  /** `--no-changes REASON`: the bead needs no change; close it without a merge request. */
  noChanges?: string;
  /** Claims the next bead for a polecat of this rig (the Witness's feed: Witness.claimNext). */
  next?: (rig: RigInfo) => Promise<{ pick: WorkPick; release: () => void } | null>;
  /** When a convoy was made (ConvoyService.createdAt: the open convoys held in memory); else a ledger read. */
  convoyCreatedAt?: (convoy: string) => Promise<string | undefined>;
}

export function done(c: WorkContext, cwd: string, actor: string, opts: DoneOptions = {}): Promise<DoneResult> {
  const addr = parseAddress(actor);
  if (!addr || addr.role !== 'polecat') {
    throw new TownError('invalid', `gt done runs inside a polecat's session and worktree (you are ${actor}); a polecat's GT_AGENT is <rig>/polecats/<name>`);
  }
  // The rig's lock is taken only for the writes (see the header): the Witness (GUPP) and the
  // dispatchers decide about this polecat under it.
  const underRig = <T>(fn: () => Promise<T>): Promise<T> => c.locks.run(`rig:${addr.rig}`, fn);
  return c.locks.run(`agent:${actor}`, async () => {
    const agent = await c.agents.get(actor);
    const rig = await c.rigs.get(addr.rig!);
    const workdir = agent.meta.workdir ?? polecatWorktree(c.townRoot, rig.name, addr.name);
    if (!inside(cwd, workdir)) throw new TownError('invalid', `gt done must run inside ${actor}'s worktree ${workdir} (not ${cwd})`);

    const beadId = agent.meta.hook;
    if (!beadId) {
      if (agent.meta.lastBead) {
        const last = await c.ledger.show(agent.meta.lastBead).catch(() => null);
        return {
          bead: agent.meta.lastBead, agent: actor, branch: agent.meta.branch ?? '', mergeRequest: agent.meta.lastMergeRequest, head: null,
          already: true, autoCommit: null, outcome: last?.status === 'closed' && !agent.meta.lastMergeRequest ? 'no-changes' : 'in-review',
        };
      }
      throw new TownError('invalid', `nothing is on ${actor}'s hook: there is nothing to finish`);
    }
    // Under the rig's lock: the polecat must still hold this bead (a sling --force or an unsling
    // may have taken it while the git work ran). Returns the fresh agent record for the write.
    const stillHooked = async () => {
      const now = await c.agents.get(actor);
      if (now.meta.hook !== beadId) throw new TownError('conflict', `${beadId} is no longer on ${actor}'s hook (${now.meta.hook ? `it holds ${now.meta.hook}` : 'its hook is empty'}): it was taken while gt done ran`);
      return now;
    };
    // The bead as the town holds it while hooked (HookedWork: the town's own writes at once, others'
    // as the feed delivers them), else a light read (issue + labels): nothing below uses the bead's
    // dependencies or comments. The write below is a compare-and-set on its status and assignee.
    const bead = (await c.hooked?.get(beadId)) ?? await c.ledger.getOne(beadId);
    const branch = agent.meta.branch!;
    const note = workNote(bead);
    const finished = bead.status === 'closed' || (isInReview(bead) && note.polecat === actor);
    if (finished) {
      // A previous run wrote the bead, then stopped before freeing the polecat: finish that.
      const mr = note.review?.mergeRequest ?? null;
      await underRig(async () => {
        const now = await stillHooked();
        c.agents.written([await c.ledger.update(now.bead.id, c.agents.updateOf(now, idleState(beadId, mr)).patch, actor)]);
      });
      return { bead: beadId, agent: actor, branch, mergeRequest: mr, head: await resolveBranch(rig.paths.bare, branch), already: true, autoCommit: null, outcome: mr ? 'in-review' : 'no-changes' };
    }
    if (bead.assignee !== actor) throw new TownError('conflict', `${beadId} is no longer yours (assignee ${bead.assignee ?? 'none'})`);

    // The polecat's own worktree and branch: nobody else writes them while its agent's lock is held.
    // The ledger's reads run while git works (they do not depend on it): the open request for the
    // branch, the convoy's age, and the next bead (claimed: released below if it is not hooked).
    const reusedRead = opts.noChanges === undefined ? findOpenMergeRequest(c, rig.prefix, beadId, branch) : Promise.resolve(null);
    const createdAt = opts.convoyCreatedAt ?? ((id: string) => c.ledger.getMany([id]).then((b) => b[0]?.createdAt));
    const convoyRead = note.convoy && opts.noChanges === undefined ? createdAt(note.convoy).catch(() => undefined) : Promise.resolve(undefined);
    const nextRead = opts.noChanges === undefined ? claimNextBead(c, opts, actor, rig, workdir) : Promise.resolve(null);
    const gitWork = async () => {
      const who = { name: actor, email: `${addr.name}@${rig.name}.gastown.local` };
      const leftovers = await commitLeftovers(workdir, `${beadId}: auto-save leftovers (gt done)\n\n${bead.title}`, who);
      const head = await resolveBranch(rig.paths.bare, branch);
      const ahead = head ? await commitsAhead(rig.paths.bare, rig.branch, branch) : 0;
      return { autoCommit: leftovers.commit, clean: leftovers.clean, head, ahead };
    };
    const both = await Promise.allSettled([gitWork(), reusedRead, convoyRead, nextRead]);
    const [git, reusedSettled, convoySettled, nextSettled] = both;
    const next = nextSettled.status === 'fulfilled' ? nextSettled.value : null;
    if (git.status === 'rejected' || reusedSettled.status === 'rejected') {
      next?.release();
      throw git.status === 'rejected' ? git.reason : (reusedSettled as PromiseRejectedResult).reason;
    }
    const { autoCommit, clean, head, ahead } = git.value;

    if (opts.noChanges !== undefined) {
      const reason = opts.noChanges.trim() || 'no reason given';
      await underRig(async () => {
        const now = await stillHooked();
        await c.ledger.closeBead(beadId, `done: no changes needed: ${reason}`.slice(0, 2000), actor, { metadata: withWorkNote(bead, { review: null, rework: null }) });
        c.agents.written([await c.ledger.update(now.bead.id, c.agents.updateOf(now, idleState(beadId, null)).patch, actor)]);
      });
      const kept = ahead > 0 ? ` (its ${ahead} commit${ahead > 1 ? 's' : ''} on ${branch} are kept, not merged)` : '';
      c.publish('workEvent', { kind: 'done', agent: actor, bead: beadId, rig: rig.name, message: `${actor} closed ${beadId}: no changes needed (${reason})${kept}`, at: Date.now() });
      c.wake();
      return { bead: beadId, agent: actor, branch, mergeRequest: null, head, already: false, autoCommit, outcome: 'no-changes' };
    }
    if (ahead === 0) {
      next?.release();
      throw new TownError('conflict', `nothing to merge: ${branch} has no commit ahead of ${rig.branch}. Commit your work in ${workdir} and run gt done again; if ${beadId} needs no change, run gt done --no-changes "why"`);
    }

    // The request: an open one for the branch is reused (it was in conflict, or a crash came before
    // the bead was written); else a new one, made in the write below (with the bead in review).
    const reused = reusedSettled.value;
    let request: BeadCreateInput | null = null;
    if (!reused) {
      // The Refinery orders older convoys first (main/refinery/queue-order.ts); only the convoy's
      // creation time was read (a big convoy's show reads every tracked bead's edge).
      const convoy = note.convoy;
      const convoyCreatedAt = convoySettled.status === 'fulfilled' ? convoySettled.value : undefined;
      request = {
        title: `Merge ${branch}: ${bead.title}`.slice(0, 500),
        type: 'merge-request',
        prefix: rig.prefix,
        priority: bead.priority,
        labels: [MR_LABEL],
        metadata: {
          rig: rig.name, branch, base: rig.branch, bead: beadId, polecat: actor, phase: 'queued', attempts: 0, head,
          ...(convoy ? { convoy } : {}), ...(convoyCreatedAt ? { convoyCreatedAt } : {}),
        },
      };
    }
    let mergeRequest = reused?.id ?? '';
    let chained: NextBead | null = null;
    try {
      // Not under the rig's lock (every done of the rig would queue for it): the agent's lock, held
      // since the start, and the compare-and-set on the bead's status and assignee are enough.
      const write = async (take: NextBead | null) => {
        const now = await stillHooked();
        // A reused request may have moved on meanwhile (the Refinery writes its phases without this
        // lock): its metadata is read again here; a request closed meanwhile is left as it is.
        const current = reused ? (await c.ledger.getMany([reused.id]))[0] ?? null : null;
        const items = (mr: string) => [
          // In review: held by the rig's Refinery, no longer this polecat's hook (compare-and-set).
          {
            id: beadId,
            patch: {
              status: 'in_progress' as const, assignee: refineryAddress(rig.name), expectStatus: ['hooked' as const, 'in_progress' as const], expectAssignee: actor,
              metadata: withWorkNote(bead, { polecat: actor, review: { mergeRequest: mr, since: new Date().toISOString() }, rework: null }),
            },
          },
          // The next bead hooked to it (compare-and-set from open), or the polecat idle.
          ...(take ? [take.hook()] : []),
          c.agents.updateOf(now, take ? { ...take.agent, lastBead: beadId, lastMergeRequest: mr } : idleState(beadId, mr)),
          // Touching a reused request wakes the rig's Refinery, which re-queues it (its branch head moved).
          ...(current && current.status !== 'closed'
            ? [{ id: current.id, patch: { metadata: { ...withoutHold(current.metadata), note: `resubmitted by ${actor} at ${head!.slice(0, 10)}`, updatedAt: new Date().toISOString() }, expectStatus: ['open' as const, 'in_progress' as const] } }]
            : []),
        ];
        let updated: Bead[];
        if (!request) {
          updated = await c.ledger.updateMany(items(mergeRequest), actor);
          c.openRequests?.written(updated);
        } else {
          // A new request is made in the same write (one commit): it is never seen before its bead is in review.
          const both = await c.ledger.createAndUpdate([request], ([mr]) => items(mr.id), actor);
          mergeRequest = both.created[0].id;
          c.openRequests?.written(both.created);
          updated = both.updated;
        }
        c.agents.written(updated);
        c.hooked?.written(updated);
        // The next bead as the write hooked it (its labels, title: read in the write).
        if (take) take.bead = updated.find((b) => b.id === take.bead.id) ?? take.bead;
      };
      try {
        await write(next);
        chained = next;
      } catch (e) {
        // The next bead was taken meanwhile (its compare-and-set failed): the polecat goes idle instead.
        if (!next || (e as TownError).code !== 'conflict' || !(next.refused || await hookTaken(c, next))) throw e;
        await write(null);
      }
    } finally {
      next?.release();
    }
    c.publish('workEvent', { kind: 'done', agent: actor, bead: beadId, rig: rig.name, message: `${actor} finished ${beadId}: in review (merge request ${mergeRequest})`, at: Date.now() });
    // The Witness is woken when a slot was freed; a polecat that went on to its next bead holds its
    // slot, and nothing else it looks at changed (the bead closes later, and the Refinery wakes it then).
    // The worktree was found clean (or committed whole) above, under this same lock: moveOn runs no
    // `git status` of its own (polecat-git.ts, knownClean).
    if (chained) await moveOn(c, actor, rig, chained, clean);
    else c.wake();
    return {
      bead: beadId, agent: actor, branch, mergeRequest, head, already: false, autoCommit, outcome: 'in-review',
      next: chained ? { bead: chained.bead.id, title: chained.bead.title, description: chained.bead.description, branch: chained.branch, convoy: chained.convoy } : null,
    };
  });
}

/** A request's metadata without `holdFor` (set by towns before the request was made with its review write). */
function withoutHold(meta: Record<string, unknown>): Record<string, unknown> {
  const { holdFor: _hold, ...rest } = meta;
  void _hold;
  return rest;
}

/** The next bead for a polecat whose session takes it itself, claimed and ready to hook. */
interface NextBead {
  bead: Bead;
  branch: string;
  convoy: string | null;
  /** Hooks it to the polecat: built in the write from the bead as it reads it there (still open,
   *  unassigned, the same runtime and convoy, else a conflict), stamped (slungAt) then. */
  hook: () => UpdateItem;
  /** The hook's last build refused the bead (it was taken or changed since it was picked). */
  refused: boolean;
  /** The polecat's record: working on it. */
  agent: Partial<AgentMeta>;
  release: () => void;
}

/**
 * The bead `gt done` hooks to this polecat at once, or null (the polecat goes idle and the Witness
 * feeds it as before). Only for a runtime that takes its next bead in the same session, and only
 * when the polecat has no bead of its own waiting (sent back by the merge queue: FollowUpDispatch
 * hooks that one once the polecat is idle), the pick's runtime is the session's, and the gate
 * (e-stop, budget, parked rig) lets it go. The pick is claimed from the Witness's feed until released.
 */
async function claimNextBead(c: WorkContext, opts: DoneOptions, actor: string, rig: RigInfo, workdir: string): Promise<NextBead | null> {
  const session = c.sessions.get(actor);
  if (!opts.next || !session) return null;
  let runtime;
  try {
    runtime = getRuntime(session.runtime, c.settings.runtimes);
  } catch {
    return null;
  }
  if (!runtime.def.nextBeadInSession) return null;
  // Held in memory (ReservedWork: the town's own reservations at once, others' as the feed delivers them).
  const own = c.reserved ? await c.reserved.of(actor) : (await c.ledger.list({ status: 'open', assignee: actor })).filter(isWorkType);
  if (own.length) return null;
  const claim = await opts.next(rig);
  if (!claim) return null;
  try {
    const { pick } = claim;
    // The bead as the pick's read saw it (ClaimReads: at most CLAIM_FRESH_MS ago, or being read), for
    // what is decided before the write; the hook is built in the write from the bead as it reads it
    // there, and refused (a conflict: the polecat goes idle) unless that one still fits.
    const [bead] = pick.read ? [pick.read] : await c.ledger.getMany([pick.bead]);
    if (!bead || bead.status !== 'open' || bead.assignee || !isWorkType(bead)) throw new Error('no longer open');
    await refuseSequentialSteps(c.ledger, [bead]);
    const runtimeOf = (b: Bead) => pick.runtime ?? workNote(b).runtime ?? rig.runtime ?? runtimeNameFor(c.settings.runtimes, { rig: rig.name, role: 'polecat' });
    const convoyOf = (b: Bead) => pick.convoy ?? workNote(b).convoy ?? null;
    const beadRuntime = runtimeOf(bead);
    if (beadRuntime !== session.runtime) throw new Error(`it runs on ${beadRuntime}`);
    const convoy = convoyOf(bead);
    if (await c.gate?.({ rig: rig.name, bead: bead.id, convoy })) throw new Error('held by the gate');
    const name = parseAddress(actor)!.name;
    const branch = polecatBranch(name, bead.id);
    const next: NextBead = {
      bead, branch, convoy, release: claim.release, refused: false,
      hook: () => nextHookItem(bead, { actor, rig: rig.name, branch, runtime: beadRuntime, convoy }, runtimeOf, convoyOf, (r) => { next.refused = r; }),
      agent: { state: 'working', hook: bead.id, branch, workdir, runtime: beadRuntime, respawns: 0, handoff: null },
    };
    return next;
  } catch {
    claim.release();
    return null;
  }
}

/**
 * The next bead's hook (NextBead.hook), built in the write from the bead as it reads it there: still
 * open, unassigned, of a work type, on the same runtime and convoy as decided from `picked` (the bead
 * as the pick's read saw it), and not a step unless it was one; else a conflict (`refused(true)`), so
 * a bead taken or changed since it was picked is never hooked on what was read of it. Its metadata is
 * the one the write reads, with the work note.
 */
export function nextHookItem(
  picked: Bead, to: { actor: string; rig: string; branch: string; runtime: string; convoy: string | null },
  runtimeOf: (b: Bead) => string, convoyOf: (b: Bead) => string | null, refused: (refused: boolean) => void,
): UpdateItem {
  return {
    id: picked.id,
    patch: (current: Bead | null) => {
      const no = !current || current.status !== 'open' || !!current.assignee || !isWorkType(current)
        || runtimeOf(current) !== to.runtime || convoyOf(current) !== to.convoy || (looksLikeStep(current) && !looksLikeStep(picked));
      refused(no);
      if (no) throw new TownError('conflict', `${picked.id} was taken or changed since it was picked`);
      return {
        status: 'hooked', assignee: to.actor, expectStatus: ['open'], expectAssignee: null,
        metadata: withWorkNote(current!, {
          rig: to.rig, polecat: to.actor, branch: to.branch, runtime: to.runtime, slungBy: to.actor, slungAt: new Date().toISOString(), ...(to.convoy ? { convoy: to.convoy } : {}),
        }),
      };
    },
  };
}

/** Whether the refused write was the next bead's hook (taken meanwhile), not the bead in review. */
async function hookTaken(c: WorkContext, next: NextBead): Promise<boolean> {
  const [now] = await c.ledger.getMany([next.bead.id]);
  return !now || now.status !== 'open' || !!now.assignee;
}

/**
 * After the write that hooked the next bead: the polecat's worktree goes onto its branch (from the
 * rig's target, the last branch kept in the repository for the merge queue) before `gt done`
 * answers, so the session finds it ready. If that fails the session is stopped: the Witness's GUPP
 * starts a fresh one, which prepares the worktree again. `knownClean`: gt done's leftovers step found
 * the worktree clean or committed all of it, so no second `git status` is run (its cost grows with
 * the rig's files; a stale "clean" loses nothing: the switch is a plain checkout).
 */
async function moveOn(c: WorkContext, actor: string, rig: RigInfo, next: NextBead, knownClean: boolean): Promise<void> {
  c.sessions.movedOn(actor, next.bead.id);
  try {
    await prepareWorktree(rig.paths.bare, next.agent.workdir!, next.branch, rig.branch, { knownClean });
  } catch (e) {
    c.log(`gt done of ${actor}: cannot put its worktree on ${next.branch}: ${(e as Error).message}; its session restarts`);
    await c.sessions.stop(actor).catch(() => undefined);
  }
  await leaveQueue(c, next.bead, actor).catch(() => undefined);
  c.publish('workEvent', { kind: 'dispatched', agent: actor, bead: next.bead.id, rig: rig.name, message: `${next.bead.id} → ${actor}${next.convoy ? ` (convoy ${next.convoy})` : ''}, next after gt done`, at: Date.now() });
}

const idleState = (bead: string, mergeRequest: string | null) =>
  ({ state: 'idle', hook: null, lastBead: bead, lastMergeRequest: mergeRequest, respawns: 0, handoff: null }) as const;
