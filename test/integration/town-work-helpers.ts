// Shared steps of the work-loop tests: a rig with a fixture repo, script beads, and checks of what
// a finished bead must have left (closed once, one merge request, the commit on its branch).
import assert from 'node:assert/strict';
import type { Bead, BeadHistoryEntry } from '../../preload/types.ts';
import type { RigInfo } from '../../preload/requests/work-types.ts';
import { fixtureRepo, git, type TestTown } from './town-fixture.ts';

export async function addRig(t: TestTown, name: string, prefix: string, maxPolecats: number): Promise<RigInfo> {
  const repo = fixtureRepo(t.base, `${name}-src`);
  return t.json<RigInfo>(['rig', 'add', name, repo, '--prefix', prefix, '--max-polecats', String(maxPolecats), '--runtime', 'script']);
}

/** A bead whose scripted agent writes one file, waits, and (by the script runtime) commits and runs gt done. */
export async function scriptBead(t: TestTown, rig: string, title: string, file: string, sleepSeconds: number): Promise<Bead> {
  const description = ['```gt-script', `write ${file} ${title}\\n`, `sleep ${sleepSeconds}`, '```'].join('\n');
  return t.json<Bead>(['bead', 'create', '--rig', rig, '-t', title, '-d', description]);
}

export async function mergeRequests(t: TestTown, prefix: string): Promise<Bead[]> {
  return t.json<Bead[]>(['bead', 'list', '--type', 'merge-request', '--prefix', prefix]);
}

/** Every check of "this bead was completed exactly once, by a polecat, with its commit and one MR". */
export async function assertCompletedOnce(t: TestTown, rig: RigInfo, bead: Bead, file: string, mrs: Bead[]): Promise<{ polecat: string; branch: string }> {
  const now = await t.json<Bead>(['bead', 'show', bead.id]);
  assert.equal(now.status, 'closed', `${bead.id} closed`);
  const polecat = now.assignee ?? '';
  assert.match(polecat, new RegExp(`^${rig.name}/polecats/`), `${bead.id} was done by a polecat`);
  const history = await t.json<BeadHistoryEntry[]>(['bead', 'history', bead.id]);
  const closes = history.filter((h) => h.changes.some((c) => c.field === 'status' && c.after === 'closed'));
  assert.equal(closes.length, 1, `${bead.id} closed exactly once`);
  const mine = mrs.filter((m) => (m.metadata as { bead?: string }).bead === bead.id);
  assert.equal(mine.length, 1, `${bead.id} has exactly one merge request`);
  const meta = mine[0].metadata as { branch: string; base: string; phase: string; rig: string; polecat: string };
  // The rig's Refinery takes it from there (queued … merged); a rig without a gate lands it.
  assert.ok(['queued', 'batched', 'testing', 'merged'].includes(meta.phase), `${mine[0].id} is ${meta.phase}`);
  assert.equal(meta.base, rig.branch);
  assert.equal(meta.rig, rig.name);
  assert.equal(meta.polecat, polecat);
  assert.equal(meta.branch, `polecat/${polecat.split('/')[2]}/${bead.id}`);
  // The branch carries the polecat's one commit with the file (it may have landed on the rig's branch by now).
  const log = git(rig.paths.bare, ['log', '--first-parent', '--format=%s', '-2', meta.branch]).trim().split('\n');
  assert.match(log[0], new RegExp(`^${bead.id}: `));
  assert.doesNotMatch(log[1] ?? '', new RegExp(`^${bead.id}: `), `one commit of ${bead.id} on ${meta.branch}`);
  assert.equal(git(rig.paths.bare, ['show', `${meta.branch}:${file}`]), `${bead.title}\n`);
  return { polecat, branch: meta.branch };
}
