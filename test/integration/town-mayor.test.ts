// The Mayor (started once, primed with the town's state), capacity queueing in order, handoff of a
// polecat to a fresh session that keeps its hook, and a clear error for a runtime that is missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, SlingResult } from '../../preload/requests/work-types.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig, scriptBead } from './town-work-helpers.ts';

let t: TestTown;
before(async () => {
  // A custom runtime whose CLI does not exist: the town must say so instead of starting a dead session.
  t = await startTestTown({ tickMs: 500, runtimes: { custom: [{ name: 'ghost', label: 'Ghost CLI', command: '/nonexistent/ghost-cli' }] } });
  await addRig(t, 'lab', 'lb', 1);
});
after(async () => t?.cleanup());

test('gt mayor starts the Mayor once, primed with the town; a missing runtime is a clear error', async () => {
  const missing = await t.gt(['mayor', '--runtime', 'ghost']);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /runtime ghost is not installed \(\/nonexistent\/ghost-cli is not on PATH\)/);
  const first = await t.json<{ terminal: string; started: boolean }>(['mayor', '--runtime', 'shell']);
  assert.equal(first.started, true);
  const again = await t.json<{ terminal: string; started: boolean }>(['mayor']);
  assert.deepEqual(again, { agent: 'mayor', terminal: first.terminal, started: false });
  const prime = await t.json<{ text: string }>(['prime', '--agent', 'mayor']);
  assert.match(prime.text, /You are the Mayor/);
  assert.match(prime.text, /Rigs \(1\): lab \[lb\] on main/);
});

test('at capacity a sling waits in order; handoff replaces a polecat session and keeps its hook', async () => {
  const first = await scriptBead(t, 'lab', 'first', 'first.txt', 5);
  const second = await scriptBead(t, 'lab', 'second', 'second.txt', 0);
  const s1 = await t.json<SlingResult>(['sling', first.id]);
  assert.equal(s1.outcome, 'hooked', 'the bead\'s prefix names the rig');
  const s2 = await t.json<SlingResult>(['sling', second.id, 'lab']);
  assert.equal(s2.outcome, 'queued');
  assert.match(s2.reason!, /rig lab is at capacity \(1 working\)/);
  const before = await waitFor('the first session', async () => (await t.json<AgentInfo>(['agent', 'show', s1.agent!])).session, 20_000);
  const h = await t.gt(['handoff', '--agent', s1.agent!, '-m', 'context was full']);
  assert.equal(h.code, 0, h.stderr);
  const after = await t.json<AgentInfo>(['agent', 'show', s1.agent!]);
  assert.ok(after.session && after.session.terminal !== before.terminal, 'a fresh session');
  assert.equal(after.hook, first.id, 'the hook survives the handoff');
  const prime = await t.json<{ text: string }>(['prime', '--agent', s1.agent!]);
  assert.match(prime.text, /context was full/);
  // The queued bead starts only once the first is done, on the now idle polecat.
  await waitFor('both beads to close', async () => {
    const [a, b] = await Promise.all([t.json<Bead>(['bead', 'show', first.id]), t.json<Bead>(['bead', 'show', second.id])]);
    return a.status === 'closed' && b.status === 'closed' ? [a, b] : null;
  }, 90_000, 300);
  const [a, b] = [await t.json<Bead>(['bead', 'show', first.id]), await t.json<Bead>(['bead', 'show', second.id])];
  // Capacity counts working polecats: the queued bead started once the first was done (in review).
  const [firstMr] = (await t.json<Bead[]>(['bead', 'list', '--type', 'merge-request', '--prefix', 'lb'])).filter((m) => (m.metadata as { bead?: string }).bead === first.id);
  assert.ok(Date.parse((b.metadata as { gt: { slungAt: string } }).gt.slungAt) >= Date.parse(firstMr.createdAt), 'the queued bead waited for capacity');
  assert.equal(b.assignee, a.assignee, 'the idle polecat was reused');
  assert.ok(!b.labels.includes('gt:queued'));
});
