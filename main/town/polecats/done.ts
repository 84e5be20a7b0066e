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
//   (leftovers, branch head, commits ahead) and the merge request's lookup or creation. A new request
//   is created held (`meta.holdFor`: the Refinery does not batch it), so it cannot land before its
//   bead is in review. Then under the rig's lock, as the Witness's GUPP decides under it: the hook is
//   re-checked, and the bead in review, the polecat idle and the request's hold released are one
//   compare-and-set write (one commit). A lost race (the hook taken meanwhile) closes the request this
//   run created: no orphan request is left to land.
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
    // A light read (issue + labels): nothing below uses the bead's dependencies or comments.
    const bead = (await c.ledger.getMany([beadId]))[0] ?? (await c.ledger.show(beadId));
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
    const who = { name: actor, email: `${addr.name}@${rig.name}.gastown.local` };
    const autoCommit = await commitLeftovers(workdir, `${beadId}: auto-save leftovers (gt done)\n\n${bead.title}`, who);
    const head = await resolveBranch(rig.paths.bare, branch);
    const ahead = head ? await commitsAhead(rig.paths.bare, rig.branch, branch) : 0;

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
      throw new TownError('conflict', `nothing to merge: ${branch} has no commit ahead of ${rig.branch}. Commit your work in ${workdir} and run gt done again; if ${beadId} needs no change, run gt done --no-changes "why"`);
    }

    // The request: an open one for the branch is reused (it was in conflict, or a crash came before
    // the bead was written); else a new one, held until the write below releases it.
    const reused = await findOpenMergeRequest(c, rig.prefix, beadId, branch);
    let mr: Bead;
    if (reused) mr = reused;
    else {
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
        metadata: {
          rig: rig.name, branch, base: rig.branch, bead: beadId, polecat: actor, phase: 'queued', attempts: 0, head, holdFor: beadId,
          ...(convoy ? { convoy } : {}), ...(convoyCreatedAt ? { convoyCreatedAt } : {}),
        },
      }, actor);
    }
    // Touching a reused request wakes the rig's Refinery, which re-queues it because its branch head
    // moved; a new request's hold is released. Both in the write below.
    const released = (m: Bead) => {
      const { holdFor: _hold, ...rest } = m.metadata as Record<string, unknown>;
      void _hold;
      return rest;
    };
    try {
      await underRig(async () => {
        const now = await stillHooked();
        // A reused request may have moved on meanwhile (the Refinery writes its phases without this
        // lock): its metadata is read again here; a request closed meanwhile is left as it is.
        const current = reused ? (await c.ledger.getMany([mr.id]))[0] ?? null : mr;
        const touch = current && current.status !== 'closed'
          ? [{ id: mr.id, patch: { metadata: { ...released(current), ...(reused ? { note: `resubmitted by ${actor} at ${head!.slice(0, 10)}`, updatedAt: new Date().toISOString() } : {}) }, expectStatus: ['open' as const, 'in_progress' as const] } }]
          : [];
        // In review: held by the rig's Refinery, no longer this polecat's hook (compare-and-set); the
        // polecat idle and the request released in the same write (one commit).
        c.agents.written(await c.ledger.updateMany([
          {
            id: beadId,
            patch: {
              status: 'in_progress', assignee: refineryAddress(rig.name), expectStatus: ['hooked', 'in_progress'],
              metadata: withWorkNote(bead, { polecat: actor, review: { mergeRequest: mr.id, since: new Date().toISOString() }, rework: null }),
            },
          },
          c.agents.updateOf(now, idleState(beadId, mr.id)),
          ...touch,
        ], actor));
      });
    } catch (e) {
      // Lost the race: the request this run made must not wait forever (nor land) for nothing.
      if (!reused) {
        const why = `gt done by ${actor} did not finish: ${(e as Error).message}`.slice(0, 2000);
        await c.ledger.closeBead(mr.id, 'rejected', actor, { metadata: { ...released(mr), phase: 'rejected', reason: why } }).catch(() => undefined);
      }
      throw e;
    }
    c.publish('workEvent', { kind: 'done', agent: actor, bead: beadId, rig: rig.name, message: `${actor} finished ${beadId}: in review (merge request ${mr.id})`, at: Date.now() });
    c.wake();
    return { bead: beadId, agent: actor, branch, mergeRequest: mr.id, head, already: false, autoCommit, outcome: 'in-review' };
  });
}

const idleState = (bead: string, mergeRequest: string | null) =>
  ({ state: 'idle', hook: null, lastBead: bead, lastMergeRequest: mergeRequest, respawns: 0, handoff: null }) as const;
