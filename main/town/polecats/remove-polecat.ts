// `gt polecat remove`: retires one polecat. Its session is stopped, its worktree removed (and pruned
// from the bare repo), its merged branches deleted, and its agent bead closed with reason "removed"
// (closed, not deleted: its history stays in the ledger; the agent store ignores closed agent beads,
// so no sling reuses it and a new polecat of the same name gets a fresh bead).
import { existsSync } from 'node:fs';
import { TownError } from '../../../preload/contract.ts';
import type { Bead } from '../../../preload/types.ts';
import type { PolecatRemoveResult } from '../../../preload/requests/work.ts';
import { deleteBranch } from '../../git/delete-branch.ts';
import { isAncestor } from '../../git/is-ancestor.ts';
import { listBranches } from '../../git/list-branches.ts';
import { polecatWorktree } from '../rigs/rig-paths.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { parseAddress } from './agent-store.ts';
import { removeWorktree } from './polecat-git.ts';
import { workNote } from './work-beads.ts';

export async function removePolecat(c: WorkContext, address: string, force: boolean, actor: string): Promise<PolecatRemoveResult> {
  const addr = parseAddress(address);
  if (!addr) throw new TownError('invalid', `${address} is not an agent address (expected <rig>/polecats/<name>)`);
  if (addr.role !== 'polecat') throw new TownError('invalid', `${address} is a ${addr.role}, not a polecat; only polecats can be removed`);
  const rig = await c.rigs.get(addr.rig!);
  // Under the rig's lock: sling and the Witness's GUPP restarts take it too, so neither can hand
  // this polecat new work or restart its session while it is being taken apart.
  return c.locks.run(`rig:${rig.name}`, async () => {
    const agent = await c.agents.find(address);
    if (!agent) throw new TownError('not_found', `no polecat ${address} (see \`gt agent list --role polecat\`)`);
    // The hooked work bead is the truth, whatever the agent bead says.
    const held = [
      ...(await c.ledger.list({ status: 'hooked', assignee: address })),
      ...(await c.ledger.list({ status: 'in_progress', assignee: address })),
    ];
    if (held.length && !force) {
      throw new TownError('conflict', `${address} has ${held.map((b) => b.id).join(', ')} on its hook; finish it first, or use --force to stop it and give the work back (open, unassigned)`);
    }
    const requeued: string[] = [];
    for (const bead of held) {
      // One write per bead: open, unassigned, the polecat's notes dropped (a compare-and-set, so a
      // `gt done` racing with us either wins, and the bead is closed, or finds it no longer its own).
      const done = await c.ledger.update(bead.id, { status: 'open', assignee: null, expectStatus: ['hooked', 'in_progress'], metadata: withoutPolecat(bead) }, actor).catch(() => null);
      if (done) requeued.push(bead.id);
    }
    const stoppedSession = await c.sessions.stop(address);
    const workdir = agent.meta.workdir ?? polecatWorktree(c.townRoot, rig.name, addr.name);
    const hadWorktree = existsSync(workdir);
    await removeWorktree(rig.paths.bare, workdir);
    if (existsSync(workdir)) throw new TownError('internal', `could not remove the worktree ${workdir} of ${address}; its agent is kept`);
    const { deleted, kept } = await pruneBranches(rig.paths.bare, rig.branch, addr.name);
    await c.agents.patch(address, { state: 'idle', hook: null, workdir: null, branch: null, lastBead: agent.meta.hook ?? agent.meta.lastBead }, actor);
    c.agents.written([await c.ledger.closeBead(agent.bead.id, 'removed', actor)]);
    const message = `${address} removed${stoppedSession ? ' (session stopped)' : ''}`
      + (requeued.length ? `; ${requeued.join(', ')} back to open, unassigned` : '')
      + (kept.length ? `; kept unmerged branch${kept.length > 1 ? 'es' : ''} ${kept.join(', ')}` : '');
    c.log(message);
    c.wake();
    return {
      agent: address, agentBead: agent.bead.id, stoppedSession, requeued,
      worktree: hadWorktree ? workdir : null, deletedBranches: deleted, keptBranches: kept, message,
    };
  });
}

/** The bead's metadata without the hook-specific notes (rig, runtime, convoy stay for the next sling). */
function withoutPolecat(bead: Bead): Record<string, unknown> {
  const { polecat: _p, branch: _b, slungAt: _s, slungBy: _by, ...rest } = workNote(bead);
  void _p; void _b; void _s; void _by;
  return { ...bead.metadata, gt: rest };
}

/** Deletes the polecat's branches already contained in the rig's branch; returns what it kept. */
async function pruneBranches(bare: string, target: string, name: string): Promise<{ deleted: string[]; kept: string[] }> {
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const branch of await listBranches(bare, `polecat/${name}/`)) {
    const merged = await isAncestor(bare, `refs/heads/${branch}`, `refs/heads/${target}`).catch(() => false);
    if (merged && (await deleteBranch(bare, branch))) deleted.push(branch);
    else kept.push(branch);
  }
  return { deleted, kept };
}
