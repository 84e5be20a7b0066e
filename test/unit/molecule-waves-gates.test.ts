// Wave computation for convoy planning and gate decisions (pure cores of main/town/molecules/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeWaves, renderWaves } from '../../preload/waves.ts';
import { decideGate } from '../../main/town/molecules/gate-rules.ts';

test('waves are the topological layers; outside blockers are noted', () => {
  const plan = computeWaves([
    { id: 'a', title: 'A', blockers: [] },
    { id: 'b', title: 'B', blockers: ['a'] },
    { id: 'c', title: 'C', blockers: [] },
    { id: 'd', title: 'D', blockers: ['b', 'c', 'x-outside'] },
    { id: 'e', title: 'E', blockers: ['a'] },
  ]);
  assert.ok(plan.ok);
  assert.deepEqual(plan.waves, [['a', 'c'], ['b', 'e'], ['d']]);
  assert.deepEqual(plan.outside, [{ id: 'd', waitsOn: ['x-outside'] }]);
  const text = renderWaves(plan, new Map([['a', 'A']]));
  assert.match(text, /^Wave 1 \(2\):\n {2}a {2}A/);
  assert.match(text, /note: d also waits on x-outside/);
});

test('a cycle is named in order', () => {
  const plan = computeWaves([
    { id: 'a', title: '', blockers: [] },
    { id: 'b', title: '', blockers: ['d'] },
    { id: 'c', title: '', blockers: ['b'] },
    { id: 'd', title: '', blockers: ['c'] },
    { id: 'e', title: '', blockers: ['d'] },
  ]);
  assert.equal(plan.ok, false);
  if (!plan.ok) {
    assert.equal(plan.cycle.length, 3);
    assert.deepEqual([...plan.cycle].sort(), ['b', 'c', 'd']);
  }
});

test('gate decisions', () => {
  const base = { needsDone: true, armedAt: 1000, escalated: false, now: 1000 };
  assert.equal(decideGate({ ...base, gate: { type: 'timer', waitMs: 10 }, needsDone: false }).action, 'wait');
  assert.equal(decideGate({ ...base, gate: { type: 'timer', waitMs: 10 }, armedAt: null }).action, 'arm');
  assert.equal(decideGate({ ...base, gate: { type: 'timer', waitMs: 10 }, now: 1005 }).action, 'wait');
  assert.equal(decideGate({ ...base, gate: { type: 'timer', waitMs: 10 }, now: 1010 }).action, 'release');
  // A human gate never releases by time; its timeout escalates once.
  assert.equal(decideGate({ ...base, gate: { type: 'human', timeoutMs: 50 }, now: 1_000_000 }).action, 'escalate');
  assert.equal(decideGate({ ...base, gate: { type: 'human', timeoutMs: 50 }, now: 1_000_000, escalated: true }).action, 'wait');
  assert.equal(decideGate({ ...base, gate: { type: 'bead', bead: 'x-1' }, beadClosed: true }).action, 'release');
  assert.equal(decideGate({ ...base, gate: { type: 'bead', bead: 'x-1' }, beadClosed: false }).action, 'wait');
  assert.equal(decideGate({ ...base, gate: { type: 'command', command: 'true' } }).action, 'run-command');
  assert.equal(decideGate({ ...base, gate: { type: 'command', command: 'true' }, commandExit: 0 }).action, 'release');
  // A timer with a shorter timeout than its wait escalates before releasing.
  assert.equal(decideGate({ ...base, gate: { type: 'timer', waitMs: 100, timeoutMs: 10 }, now: 1050 }).action, 'escalate');
});

test('an armed human gate is an approval in the inbox; unarmed, released or other gates are not', async () => {
  const { deriveInbox } = await import('../../preload/requests/ui-inbox.ts');
  const gate = (id: string, type: string, armedAt: string | undefined, status: 'open' | 'closed' = 'open') => ({
    id, title: `approve ${id}`, description: '', type: 'gate', status, priority: 2, assignee: null, owner: '', createdBy: 'x',
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', closedAt: null, closeReason: '', labels: [],
    metadata: { step: { molecule: 'sh-1', id: 'approve', index: 1, needs: [], gate: { type }, ...(armedAt ? { armedAt } : {}) } },
  });
  const beads = {
    a: gate('sh-1.2', 'human', '2026-01-01T00:00:05Z'),
    b: gate('sh-2.2', 'human', undefined),
    c: gate('sh-3.2', 'timer', '2026-01-01T00:00:05Z'),
    d: gate('sh-4.2', 'human', '2026-01-01T00:00:05Z', 'closed'),
  } as unknown as Parameters<typeof deriveInbox>[0]['beads'];
  const items = deriveInbox({ beads, agents: {}, dismissed: {} });
  assert.equal(items.length, 1);
  assert.equal(items[0].kind, 'approval');
  assert.equal(items[0].bead, 'sh-1.2');
  assert.match(items[0].detail, /gt gate approve sh-1\.2/);
});
