// Must-show: the town is SIGKILLed while 3 polecats are mid-work; the next `gt up` cleans up what
// the dead town left (its dolt server, its agents), GUPP gives the hooked work new sessions in the
// same worktrees, the convoy completes, every bead is completed exactly once, no duplicate MRs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, ConvoyStatus } from '../../preload/requests/work-types.ts';
import { alive, startTown } from '../helpers/gt.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig, assertCompletedOnce, mergeRequests, scriptBead } from './town-work-helpers.ts';

let t: TestTown;
before(async () => {
  t = await startTestTown({ tickMs: 500 });
});
after(async () => t?.cleanup());

test('SIGKILL of gt up with 3 polecats mid-work: restart completes the convoy, each bead once, no duplicate MRs', async () => {
  const rig = await addRig(t, 'mill', 'ml', 3);
  const beads: Bead[] = [];
  for (let i = 0; i < 5; i++) beads.push(await scriptBead(t, 'mill', `job ${i}`, `job${i}.txt`, i < 3 ? 6 : 1));
  // job 3 waits for job 0: work is still left after the restart, in dependency order.
  await t.gt(['bead', 'dep', 'add', beads[3].id, beads[0].id]);
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', 'crashy', ...beads.map((b) => b.id), '--rig', 'mill']);

  // Three polecats mid-work: sessions running, their first file written but not yet committed.
  const working = await waitFor('3 polecats mid-work', async () => {
    const agents = (await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'mill'])).filter((a) => a.state === 'working' && a.session);
    if (agents.length < 3) return null;
    const files = agents.map((a) => beads.findIndex((b) => b.id === a.hook)).map((i, k) => join(agents[k].workdir!, `job${i}.txt`));
    return files.every((f) => existsSync(f)) ? agents : null;
  }, 60_000, 100);
  const state = JSON.parse(readFileSync(join(t.dir, '.runtime', 'state.json'), 'utf8')) as { doltPid: number; ptyHostPid: number };
  const agentPids = working.map((a) => a.session!.pid);

  t.town.proc.kill('SIGKILL');
  await new Promise((r) => t.town.proc.once('exit', r));
  // The PTY host notices its parent is gone and takes the agents with it; dolt is left orphaned.
  await waitFor('the pty host and the agents to end', () => !alive(state.ptyHostPid) && agentPids.every((p) => !alive(p)), 15_000);
  assert.ok(alive(state.doltPid), 'the dead town left its dolt server running (the next start must clean it up)');
  for (const a of working) {
    const i = beads.findIndex((b) => b.id === a.hook);
    assert.ok(existsSync(join(a.workdir!, `job${i}.txt`)), `uncommitted work of ${a.id} is intact on disk`);
  }

  t.town = await startTown(t.dir);
  assert.ok(!alive(state.doltPid), 'the stale dolt server was ended by the new start');
  const landed = await waitFor('the convoy to land after the restart', async () => {
    const s = await t.json<ConvoyStatus>(['convoy', 'status', convoy.id]);
    return s.status === 'closed' ? s : null;
  }, 180_000, 300);
  assert.equal(landed.progress.closed, 5);
  const mrs = await mergeRequests(t, 'ml');
  assert.equal(mrs.length, 5, 'no duplicate merge requests');
  for (let i = 0; i < 5; i++) await assertCompletedOnce(t, rig, beads[i], `job${i}.txt`, mrs);
  // The interrupted polecats got new sessions (GUPP), recorded as restarts in their history.
  for (const a of working) {
    const shown = await t.json<AgentInfo>(['agent', 'show', a.id]);
    assert.ok((shown.history?.respawns ?? 0) >= 1, `${a.id} was restarted by GUPP`);
  }
});
