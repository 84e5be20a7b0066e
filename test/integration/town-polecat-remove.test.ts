// `gt polecat remove`: an idle polecat is retired (worktree gone from disk and from the bare repo,
// agent bead closed, no longer offered); a working one is refused unless --force, which gives its
// bead back (open, unassigned) so it can be slung again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, RigInfo, SlingResult } from '../../preload/requests/work-types.ts';
import type { PolecatRemoveResult } from '../../preload/requests/work.ts';
import { git, startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig, scriptBead } from './town-work-helpers.ts';

let t: TestTown;
let rig: RigInfo;
before(async () => {
  t = await startTestTown({ tickMs: 500, respawnBaseMs: 200 });
  rig = await addRig(t, 'yard', 'yd', 2);
});
after(async () => t?.cleanup());

const polecats = async (): Promise<AgentInfo[]> => t.json<AgentInfo[]>(['agent', 'list', '--role', 'polecat']);

test('polecat remove: an idle polecat is retired; a working one only with --force, and its bead goes back', async () => {
  // An idle polecat after a finished bead (closed once its code landed: its branch is merged).
  const first = await scriptBead(t, 'yard', 'first job', 'first.txt', 0);
  const s1 = await t.json<SlingResult>(['sling', first.id, 'yard']);
  await waitFor('the first bead to land and close', async () => (await t.json<Bead>(['bead', 'show', first.id])).status === 'closed', 60_000, 200);
  await waitFor('the polecat to be idle', async () => (await polecats()).find((a) => a.id === s1.agent)?.state === 'idle', 10_000, 200);
  assert.ok(existsSync(s1.workdir!));

  const bad = await t.gt(['polecat', 'remove', 'yard/crew/bob']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /not a polecat/);
  const missing = await t.gt(['polecat', 'remove', 'yard', 'nobody']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no polecat yard\/polecats\/nobody/);

  const [rigName, , name] = s1.agent!.split('/');
  const r1 = await t.json<PolecatRemoveResult>(['polecat', 'remove', rigName, name]);
  assert.equal(r1.agent, s1.agent);
  assert.deepEqual(r1.requeued, []);
  assert.equal(r1.worktree, s1.workdir);
  assert.equal(existsSync(s1.workdir!), false, 'worktree folder removed');
  assert.doesNotMatch(git(rig.paths.bare, ['worktree', 'list', '--porcelain']), new RegExp(s1.workdir!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.ok([...r1.deletedBranches, ...r1.keptBranches].includes(s1.branch!), 'its branch was either deleted (merged) or kept (unmerged)');
  for (const b of r1.deletedBranches) assert.equal(git(rig.paths.bare, ['branch', '--list', b]).trim(), '');
  const agentBead = await t.json<Bead>(['bead', 'show', r1.agentBead]);
  assert.equal(agentBead.status, 'closed');
  assert.equal(agentBead.closeReason, 'removed');
  assert.equal((await polecats()).some((a) => a.id === s1.agent), false, 'no longer listed');

  // A working polecat (possibly a new one with the same name: the closed agent bead is not reused).
  const second = await scriptBead(t, 'yard', 'second job', 'second.txt', 30);
  const s2 = await t.json<SlingResult>(['sling', second.id, 'yard']);
  assert.equal(s2.outcome, 'hooked');
  const live = await polecats();
  assert.equal(live.find((a) => a.id === s2.agent)?.state, 'working');
  if (s2.agent === s1.agent) assert.notEqual(live.find((a) => a.id === s2.agent)?.bead, r1.agentBead, 'a fresh agent bead');
  const refused = await t.gt(['polecat', 'remove', s2.agent!]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`${second.id} on its hook.*--force`));
  assert.equal((await t.json<Bead>(['bead', 'show', second.id])).status, 'hooked', 'a refused remove changes nothing');

  const r2 = await t.json<PolecatRemoveResult>(['polecat', 'remove', s2.agent!, '--force']);
  assert.deepEqual(r2.requeued, [second.id]);
  assert.equal(existsSync(s2.workdir!), false);
  const back = await t.json<Bead>(['bead', 'show', second.id]);
  assert.equal(back.status, 'open');
  assert.equal(back.assignee ?? null, null);
  assert.equal((await polecats()).some((a) => a.id === s2.agent), false);
  // Nothing restarts it behind our back (GUPP only follows hooked beads)…
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await t.json<Bead>(['bead', 'show', second.id])).status, 'open');
  // …and it can be slung again, to a polecat with a fresh worktree.
  const s3 = await t.json<SlingResult>(['sling', second.id, 'yard']);
  assert.equal(s3.outcome, 'hooked');
  assert.ok(existsSync(s3.workdir!));
  await t.gt(['polecat', 'remove', s3.agent!, '--force']);
});
