// `gt done`, from inside a polecat's worktree: commit leftovers, record one merge request for the
// branch, close the bead, and return the polecat to idle. Every step is idempotent, so a second run
// (or a run after a crash half-way) finishes what is left and never makes a second merge request.
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import type { Bead } from '../../../preload/types.ts';
import type { DoneResult } from '../../../preload/requests/work-types.ts';
import { resolveBranch } from '../../git/resolve-commit.ts';
import { polecatWorktree } from '../rigs/rig-paths.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { parseAddress } from './agent-store.ts';
import { commitLeftovers, commitsAhead } from './polecat-git.ts';
import { MR_LABEL, workNote } from './work-beads.ts';


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
 * The merge request already recorded for this bead's branch, if any; else an open one for the same
 * branch (a conflict's resolution is finished on the conflicting request's branch: that request
 * re-enters the queue by itself when the branch moves, so it must not get a twin).
 */
export async function findMergeRequest(c: WorkContext, prefix: string, bead: string, branch: string): Promise<Bead | null> {
  const mrs = await c.ledger.list({ type: 'merge-request', prefix });
  const meta = (m: Bead) => m.metadata as { bead?: string; branch?: string };
  return mrs.find((m) => meta(m).bead === bead && meta(m).branch === branch)
    ?? mrs.find((m) => m.status !== 'closed' && meta(m).branch === branch)
    ?? null;
}

export function done(c: WorkContext, cwd: string, actor: string): Promise<DoneResult> {
  const addr = parseAddress(actor);
  if (!addr || addr.role !== 'polecat') {
    throw new TownError('invalid', `gt done runs inside a polecat's session and worktree (you are ${actor}); a polecat's GT_AGENT is <rig>/polecats/<name>`);
  }
  return c.locks.run(`agent:${actor}`, async () => {
    const agent = await c.agents.get(actor);
    const rig = await c.rigs.get(addr.rig!);
    const workdir = agent.meta.workdir ?? polecatWorktree(c.townRoot, rig.name, addr.name);
    if (!inside(cwd, workdir)) throw new TownError('invalid', `gt done must run inside ${actor}'s worktree ${workdir} (not ${cwd})`);

    const beadId = agent.meta.hook;
    if (!beadId) {
      if (agent.meta.lastBead) {
        return { bead: agent.meta.lastBead, agent: actor, branch: agent.meta.branch ?? '', mergeRequest: agent.meta.lastMergeRequest, head: null, already: true, autoCommit: null };
      }
      throw new TownError('invalid', `nothing is on ${actor}'s hook: there is nothing to finish`);
    }
    const bead = await c.ledger.show(beadId);
    const branch = agent.meta.branch!;
    if (bead.status !== 'closed' && bead.assignee !== actor) throw new TownError('conflict', `${beadId} is no longer yours (assignee ${bead.assignee ?? 'none'})`);

    const who = { name: actor, email: `${addr.name}@${rig.name}.gastown.local` };
    const autoCommit = bead.status === 'closed' ? null : await commitLeftovers(workdir, `${beadId}: auto-save leftovers (gt done)\n\n${bead.title}`, who);
    const head = await resolveBranch(rig.paths.bare, branch);
    let mr = await findMergeRequest(c, rig.prefix, beadId, branch);
    const already = !!mr && bead.status === 'closed';
    if (!mr && head && (await commitsAhead(rig.paths.bare, rig.branch, branch)) > 0) {
      // The Refinery orders older convoys first (main/refinery/queue-order.ts).
      const convoy = workNote(bead).convoy;
      const convoyCreatedAt = convoy ? await c.ledger.show(convoy).then((b) => b.createdAt, () => undefined) : undefined;
      mr = await c.ledger.create({
        title: `Merge ${branch}: ${bead.title}`.slice(0, 500),
        type: 'merge-request',
        prefix: rig.prefix,
        priority: bead.priority,
        labels: [MR_LABEL],
        metadata: { rig: rig.name, branch, base: rig.branch, bead: beadId, polecat: actor, phase: 'queued', attempts: 0, head, ...(convoy ? { convoy } : {}), ...(convoyCreatedAt ? { convoyCreatedAt } : {}) },
      }, actor);
    }
    if (bead.status !== 'closed') await c.ledger.closeBead(beadId, mr ? `done: merge request ${mr.id}` : 'done: no changes to merge', actor);
    await c.agents.patch(actor, { state: 'idle', hook: null, lastBead: beadId, lastMergeRequest: mr?.id ?? null, respawns: 0, handoff: null }, actor);
    c.publish('workEvent', { kind: 'done', agent: actor, bead: beadId, rig: rig.name, message: `${actor} finished ${beadId}${mr ? ` (merge request ${mr.id})` : ''}`, at: Date.now() });
    c.wake();
    return { bead: beadId, agent: actor, branch, mergeRequest: mr?.id ?? null, head, already, autoCommit };
  });
}
