// Must-show: a convoy of 6 beads with dependencies on a rig of capacity 3, worked by `script`
// agents in real PTYs, in real git worktrees, recorded in real Dolt: all complete in dependency
// order, each with its merge request and commit, and the convoy closes itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, ConvoyStatus, RigInfo } from '../../preload/requests/work-types.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig, assertCompletedOnce, mergeRequests, scriptBead } from './town-work-helpers.ts';

let t: TestTown;
before(async () => {
  t = await startTestTown({ tickMs: 500 });
});
after(async () => t?.cleanup());

test('convoy of 6 with dependencies, capacity 3: dependency order, one MR and commit each, convoy lands', async () => {
  const rig: RigInfo = await addRig(t, 'shop', 'sh', 3);
  const beads: Bead[] = [];
  for (let i = 0; i < 6; i++) beads.push(await scriptBead(t, 'shop', `task ${i}`, `f${i}.txt`, 1));
  const [a, b, , d, e, f] = beads;
  // d after a; e after b and d; f after e. a, b, c are ready at once.
  const deps: Array<[Bead, Bead]> = [[d, a], [e, b], [e, d], [f, e]];
  for (const [x, y] of deps) assert.equal((await t.gt(['bead', 'dep', 'add', x.id, y.id])).code, 0);
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', 'six', ...beads.map((x) => x.id), '--rig', 'shop']);
  assert.equal(convoy.progress.total, 6);

  // Watch the polecats while they work: never more than 3 at once.
  let maxWorking = 0;
  const landed = await waitFor('the convoy to land', async () => {
    const agents = await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'shop']);
    maxWorking = Math.max(maxWorking, agents.filter((x) => x.state === 'working').length);
    const s = await t.json<ConvoyStatus>(['convoy', 'status', convoy.id]);
    return s.status === 'closed' ? s : null;
  }, 180_000, 300);
  assert.equal(landed.progress.closed, 6);
  assert.ok(maxWorking <= 3, `at most 3 polecats worked at once (saw ${maxWorking})`);

  const mrs = await mergeRequests(t, 'sh');
  assert.equal(mrs.length, 6, 'six merge requests');
  const byId = new Map<string, Bead>();
  const polecats = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const { polecat } = await assertCompletedOnce(t, rig, beads[i], `f${i}.txt`, mrs);
    polecats.add(polecat);
    byId.set(beads[i].id, await t.json<Bead>(['bead', 'show', beads[i].id]));
  }
  assert.ok(polecats.size >= 1 && polecats.size <= 3, `work spread over at most 3 polecats (${[...polecats].join(', ')})`);
  // Dependency order: a bead was slung only after every bead it depends on had closed.
  for (const [x, y] of deps) {
    const slungAt = (byId.get(x.id)!.metadata as { gt: { slungAt: string } }).gt.slungAt;
    const closedAt = byId.get(y.id)!.closedAt!;
    assert.ok(Date.parse(slungAt) >= Date.parse(closedAt), `${x.id} slung (${slungAt}) after ${y.id} closed (${closedAt})`);
  }
  // Each polecat has its own worktree, and all of them are idle now.
  const agents = await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'shop']);
  assert.equal(new Set(agents.map((x) => x.workdir)).size, agents.length);
  assert.ok(agents.every((x) => x.state === 'idle' && x.hook === null));
});
