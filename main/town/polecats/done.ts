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
// - It runs under the rig's lock, as the Witness's GUPP does: a patrol never re-marks the polecat
//   working on a bead `gt done` just put in review.
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import { BEAD_STATUSES, type Bead } from '../../../preload/types.ts';
import type { DoneResult } from '../../../preload/requests/work-types.ts';
import { resolveBranch } from '../../git/resolve-commit.ts';
import { polecatWorktree } from '../rigs/rig-paths.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { parseAddress } from './agent-store.ts';
import { commitLeftovers, commitsAhead } from './polecat-git.ts';
import { isInReview, MR_LABEL, refineryAddress, withWorkNote, workNote } from './work-beads.ts';

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
  // Only the unfinished ones are read (the closed ones grow with every bead the rig has merged).
  const mrs = (await c.ledger.list({ type: 'merge-request', prefix, statuses: BEAD_STATUSES.filter((s) => s !== 'closed') })).filter((m) => m.status !== 'closed');
  const meta = (m: Bead) => m.metadata as { bead?: string; branch?: string };
  return mrs.find((m) => meta(m).bead === bead && meta(m).branch === branch) ?? mrs.find((m) => meta(m).branch === branch) ?? null;
}

export interface DoneOptions {
  /** `--no-changes REASON`: the bead needs no change; close it without a merge request. */
  noChanges?: string;
}

export function done(c: WorkContext, cwd: string, actor: string, opts: DoneOptions = {}): Promise<DoneResult> {
  const addr = parseAddress(actor);
  if (!addr || addr.role !== 'polecat') {
    throw new TownError('invalid', `gt done runs inside a polecat's session and worktree (you are ${actor}); a polecat's GT_AGENT is <rig>/polecats/<name>`);
  }
  // Under the rig's lock too: the Witness (GUPP) and the dispatchers decide about this polecat under it.
  return c.locks.run(`agent:${actor}`, () => c.locks.run(`rig:${addr.rig}`, async () => {
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
    // A light read (issue + labels): nothing below uses the bead's dependencies or comments.
    const bead = (await c.ledger.getMany([beadId]))[0] ?? (await c.ledger.show(beadId));
    const branch = agent.meta.branch!;
    const note = workNote(bead);
    const finished = bead.status === 'closed' || (isInReview(bead) && note.polecat === actor);
    if (finished) {
      // A previous run wrote the bead, then stopped before freeing the polecat: finish that.
      const mr = note.review?.mergeRequest ?? null;
      await idle(c, actor, beadId, mr);
      return { bead: beadId, agent: actor, branch, mergeRequest: mr, head: await resolveBranch(rig.paths.bare, branch), already: true, autoCommit: null, outcome: mr ? 'in-review' : 'no-changes' };
    }
    if (bead.assignee !== actor) throw new TownError('conflict', `${beadId} is no longer yours (assignee ${bead.assignee ?? 'none'})`);

    const who = { name: actor, email: `${addr.name}@${rig.name}.gastown.local` };
    const autoCommit = await commitLeftovers(workdir, `${beadId}: auto-save leftovers (gt done)\n\n${bead.title}`, who);
    const head = await resolveBranch(rig.paths.bare, branch);
    const ahead = head ? await commitsAhead(rig.paths.bare, rig.branch, branch) : 0;

    if (opts.noChanges !== undefined) {
      const reason = opts.noChanges.trim() || 'no reason given';
      await c.ledger.closeBead(beadId, `done: no changes needed: ${reason}`.slice(0, 2000), actor, { metadata: withWorkNote(bead, { review: null, rework: null }) });
      await idle(c, actor, beadId, null);
      const kept = ahead > 0 ? ` (its ${ahead} commit${ahead > 1 ? 's' : ''} on ${branch} are kept, not merged)` : '';
      c.publish('workEvent', { kind: 'done', agent: actor, bead: beadId, rig: rig.name, message: `${actor} closed ${beadId}: no changes needed (${reason})${kept}`, at: Date.now() });
      c.wake();
      return { bead: beadId, agent: actor, branch, mergeRequest: null, head, already: false, autoCommit, outcome: 'no-changes' };
    }
    if (ahead === 0) {
      throw new TownError('conflict', `nothing to merge: ${branch} has no commit ahead of ${rig.branch}. Commit your work in ${workdir} and run gt done again; if ${beadId} needs no change, run gt done --no-changes "why"`);
    }

    let mr = await findOpenMergeRequest(c, rig.prefix, beadId, branch);
    if (mr) {
      // Reused (it was in conflict, or a crash came before the bead was written): touching it wakes
      // the rig's Refinery, which re-queues it because its branch head moved.
      mr = await c.ledger.update(mr.id, { metadata: { ...mr.metadata, note: `resubmitted by ${actor} at ${head!.slice(0, 10)}`, updatedAt: new Date().toISOString() } }, actor);
    } else {
      // The Refinery orders older convoys first (main/refinery/queue-order.ts).
      const convoy = note.convoy;
      // Only its creation time: a light read (a big convoy's show reads every tracked bead's edge).
      const convoyCreatedAt = convoy ? await c.ledger.getMany([convoy]).then((b) => b[0]?.createdAt, () => undefined) : undefined;
      mr = await c.ledger.create({
        title: `Merge ${branch}: ${bead.title}`.slice(0, 500),
        type: 'merge-request',
        prefix: rig.prefix,
        priority: bead.priority,
        labels: [MR_LABEL],
        metadata: { rig: rig.name, branch, base: rig.branch, bead: beadId, polecat: actor, phase: 'queued', attempts: 0, head, ...(convoy ? { convoy } : {}), ...(convoyCreatedAt ? { convoyCreatedAt } : {}) },
      }, actor);
    }
    // In review: held by the rig's Refinery, no longer this polecat's hook (compare-and-set); the
    // polecat idle in the same write (one commit).
    await c.ledger.updateMany([
      {
        id: beadId,
        patch: {
          status: 'in_progress', assignee: refineryAddress(rig.name), expectStatus: ['hooked', 'in_progress'],
          metadata: withWorkNote(bead, { polecat: actor, review: { mergeRequest: mr.id, since: new Date().toISOString() }, rework: null }),
        },
      },
      await c.agents.patchUpdate(actor, idleState(beadId, mr.id)),
    ], actor);
    c.publish('workEvent', { kind: 'done', agent: actor, bead: beadId, rig: rig.name, message: `${actor} finished ${beadId}: in review (merge request ${mr.id})`, at: Date.now() });
    c.wake();
    return { bead: beadId, agent: actor, branch, mergeRequest: mr.id, head, already: false, autoCommit, outcome: 'in-review' };
  }));
}

const idleState = (bead: string, mergeRequest: string | null) =>
  ({ state: 'idle', hook: null, lastBead: bead, lastMergeRequest: mergeRequest, respawns: 0, handoff: null }) as const;

async function idle(c: WorkContext, actor: string, bead: string, mergeRequest: string | null): Promise<void> {
  await c.agents.patch(actor, idleState(bead, mergeRequest), actor);
}
