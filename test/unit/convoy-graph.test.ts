// The convoy graph's and merge queue view's pure cores: building the graph model from beads and
// edges (nodes, edge directions, molecule chains, filters, structure key), the layered layout, the
// incremental layout merge, the merge queue's rows and the queue slice's event handling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Bead, Dependency } from '../../preload/types.ts';
import type { MqEntry } from '../../preload/requests/merge-queue-types.ts';
import { buildGraphModel, orderSteps, sameNode } from '../../renderer/views/convoys/graph-model.ts';
import { layeredLayout, NODE_HEIGHT, NODE_WIDTH } from '../../renderer/views/convoys/graph-layout.ts';
import { mergeLayout } from '../../renderer/views/convoys/layout-merge.ts';
import { mqActions, queuesByRig } from '../../renderer/views/merge-queue/mq-rows.ts';
import { emptyWorkViews, withQueueEvent } from '../../renderer/state/work-views-slice.ts';

const bead = (id: string, extra: Partial<Bead> = {}): Bead => ({
  id, title: id, description: '', type: 'task', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'x',
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', closedAt: null, closeReason: '', labels: [], metadata: {}, ...extra,
});
const dep = (issueId: string, dependsOnId: string, type: Dependency['type']): Dependency => ({ issueId, dependsOnId, type, createdAt: '', createdBy: 'x' });
const byId = (...beads: Bead[]): Record<string, Bead> => Object.fromEntries(beads.map((b) => [b.id, b]));
const edges = (...deps: Dependency[]): Record<string, Dependency> => Object.fromEntries(deps.map((d) => [`${d.issueId}>${d.dependsOnId}`, d]));

/** A town: rig `yard` (prefix yd), a convoy tracking three beads (one blocks another), a molecule with 3 steps, noise. */
function town() {
  const beads = byId(
    bead('hq-rig1', { type: 'rig', metadata: { name: 'yard', prefix: 'yd' } }),
    bead('hq-cv1', { type: 'convoy', title: 'first', metadata: { rig: 'yard' } }),
    bead('yd-a', { status: 'closed' }),
    bead('yd-b', { status: 'hooked', assignee: 'yard/polecats/p1' }),
    bead('yd-c', { priority: 0 }),
    bead('hq-mol', { type: 'molecule' }),
    bead('hq-s1', { createdAt: '2026-01-01T00:00:03Z' }),
    bead('hq-s2', { createdAt: '2026-01-01T00:00:01Z' }),
    bead('hq-s3', { createdAt: '2026-01-01T00:00:02Z' }),
    bead('hq-agent', { type: 'agent' }),
    bead('hq-lone'),
    bead('hq-mr1', { type: 'merge-request', updatedAt: '2026-01-01T00:00:05Z', metadata: { bead: 'yd-b', phase: 'testing', rig: 'yard', branch: 'b', base: 'main', attempts: 0 } }),
  );
  const deps = edges(
    dep('hq-cv1', 'yd-a', 'tracks'), dep('hq-cv1', 'yd-b', 'tracks'), dep('hq-cv1', 'yd-c', 'tracks'),
    dep('yd-c', 'yd-b', 'blocks'),
    dep('hq-s1', 'hq-mol', 'parent-child'), dep('hq-s2', 'hq-mol', 'parent-child'), dep('hq-s3', 'hq-mol', 'parent-child'),
    // s1 waits for s3: the chain is s2 → s3 → s1 (creation order, but s1 after its blocker)
    dep('hq-s1', 'hq-s3', 'blocks'),
    dep('hq-cv1', 'hq-agent', 'tracks'),
  );
  return { beads, deps };
}

test('the graph: convoys, tracked beads, molecule steps; no infrastructure or unrelated beads', () => {
  const { beads, deps } = town();
  const m = buildGraphModel({ beads, dependencies: deps });
  assert.deepEqual(m.nodes.map((n) => n.id), ['hq-cv1', 'hq-mol', 'hq-s1', 'hq-s2', 'hq-s3', 'yd-a', 'yd-b', 'yd-c']);
  const ids = m.edges.map((e) => e.id).sort();
  assert.deepEqual(ids, [
    'blocks:yd-b>yd-c',
    'step:hq-mol>hq-s2', 'step:hq-s2>hq-s3', 'step:hq-s3>hq-s1',
    'tracks:hq-cv1>yd-a', 'tracks:hq-cv1>yd-b', 'tracks:hq-cv1>yd-c',
  ]);
  const node = (id: string) => m.nodes.find((n) => n.id === id)!;
  assert.deepEqual(node('hq-cv1').progress, { closed: 1, total: 3 });
  assert.equal(node('hq-cv1').kind, 'convoy');
  assert.equal(node('hq-mol').kind, 'molecule');
  assert.deepEqual(node('hq-mol').progress, { closed: 0, total: 3 });
  assert.equal(node('hq-s1').kind, 'step');
  assert.equal(node('yd-b').agent, 'yard/polecats/p1');
  assert.equal(node('yd-a').agent, null);
  assert.deepEqual(node('yd-b').mergeRequest, { id: 'hq-mr1', phase: 'testing' });
  assert.equal(node('yd-b').rig, 'yard');
  assert.equal(node('hq-s1').rig, null);
  assert.equal(node('yd-c').priority, 0);
});

test('a work bead joined by blocks or parent-child to a graph bead is in the graph; the edge points blocker → blocked, parent → child', () => {
  const { beads, deps } = town();
  beads['hq-lone'] = bead('hq-lone');
  beads['hq-kid'] = bead('hq-kid');
  deps['yd-a>hq-lone'] = dep('yd-a', 'hq-lone', 'blocks');
  deps['hq-kid>yd-c'] = dep('hq-kid', 'yd-c', 'parent-child');
  const m = buildGraphModel({ beads, dependencies: deps });
  assert.ok(m.edges.some((e) => e.id === 'blocks:hq-lone>yd-a'));
  assert.ok(m.edges.some((e) => e.id === 'parent-child:yd-c>hq-kid'));
});

test('costs show on their bead; a cost change keeps the structure, a new edge changes it', () => {
  const { beads, deps } = town();
  const base = buildGraphModel({ beads, dependencies: deps });
  const cost = { calls: 2, input: 10, output: 5, cacheWrite: 0, cacheRead: 0, cost: 0.42, unpricedTokens: 0, unpricedModels: [] };
  const withCost = buildGraphModel({ beads, dependencies: deps, costs: { 'yd-b': cost } });
  assert.equal(withCost.nodes.find((n) => n.id === 'yd-b')!.cost, cost);
  assert.equal(withCost.structure, base.structure);
  const recoloured = buildGraphModel({ beads: { ...beads, 'yd-c': { ...beads['yd-c'], status: 'in_progress' } }, dependencies: deps });
  assert.equal(recoloured.structure, base.structure, 'a status change does not ask for a re-layout');
  assert.ok(!sameNode(recoloured.nodes.find((n) => n.id === 'yd-c')!, base.nodes.find((n) => n.id === 'yd-c')!));
  assert.ok(sameNode(recoloured.nodes.find((n) => n.id === 'yd-a')!, base.nodes.find((n) => n.id === 'yd-a')!));
  const more = buildGraphModel({ beads, dependencies: { ...deps, x: dep('yd-a', 'yd-c', 'blocks') } });
  assert.notEqual(more.structure, base.structure);
});

test('filters: by convoy, by rig, by status (a convoy stays while one of its beads shows); edges only between shown nodes', () => {
  const { beads, deps } = town();
  beads['hq-cv2'] = bead('hq-cv2', { type: 'convoy' });
  beads['hq-x'] = bead('hq-x');
  deps['hq-cv2>hq-x'] = dep('hq-cv2', 'hq-x', 'tracks');
  const only = (filter: Parameters<typeof buildGraphModel>[0]['filter']) => buildGraphModel({ beads, dependencies: deps, filter }).nodes.map((n) => n.id);
  assert.deepEqual(only({ convoy: 'hq-cv2', rig: null, statuses: null }), ['hq-cv2', 'hq-x']);
  assert.deepEqual(only({ convoy: null, rig: 'yard', statuses: null }), ['hq-cv1', 'yd-a', 'yd-b', 'yd-c']);
  assert.deepEqual(only({ convoy: null, rig: null, statuses: ['closed'] }), ['hq-cv1', 'yd-a']);
  const m = buildGraphModel({ beads, dependencies: deps, filter: { convoy: null, rig: null, statuses: ['open'] } });
  for (const e of m.edges) assert.ok(m.nodes.some((n) => n.id === e.source) && m.nodes.some((n) => n.id === e.target), `edge ${e.id} joins shown nodes`);
  assert.ok(!m.nodes.some((n) => n.id === 'yd-b'));
});

test('molecule steps: blocks edges first, then creation time; a cycle still gives every step once', () => {
  const { beads } = town();
  assert.deepEqual(orderSteps(['hq-s1', 'hq-s2', 'hq-s3'], [dep('hq-s2', 'hq-s1', 'blocks')], beads), ['hq-s3', 'hq-s1', 'hq-s2']);
  const cycle = orderSteps(['hq-s1', 'hq-s2'], [dep('hq-s2', 'hq-s1', 'blocks'), dep('hq-s1', 'hq-s2', 'blocks')], beads);
  assert.deepEqual([...cycle].sort(), ['hq-s1', 'hq-s2']);
});

test('the layered layout places every node, left to right along edges, without overlaps', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT }));
  const p = layeredLayout({ nodes, edges: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'a', target: 'd' }] });
  assert.deepEqual(Object.keys(p).sort(), ['a', 'b', 'c', 'd']);
  assert.ok(p.a.x < p.b.x && p.b.x < p.c.x);
  assert.ok(p.a.x < p.d.x);
  assert.ok(Math.abs(p.b.y - p.d.y) >= NODE_HEIGHT || Math.abs(p.b.x - p.d.x) >= NODE_WIDTH, 'b and d do not overlap');
});

test('the layered layout survives cycles and big graphs: every node placed, edges left to right outside cycles, no overlap in a column, same input same output', () => {
  const box = (id: string) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT });
  // A cycle a → b → c → a, and a lone blocker z of c.
  const cyc = layeredLayout({ nodes: ['a', 'b', 'c', 'z'].map(box), edges: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'c', target: 'a' }, { source: 'z', target: 'c' }] });
  assert.deepEqual(Object.keys(cyc).sort(), ['a', 'b', 'c', 'z']);
  assert.ok(cyc.a.x < cyc.b.x && cyc.b.x < cyc.c.x);
  assert.equal(cyc.z.x, cyc.b.x, 'a lone blocker sits in the column just before what it blocks');
  // A convoy tracking 1,000 beads with 500 blocks edges among them.
  const ids = ['cv', ...Array.from({ length: 1000 }, (_, i) => `b${i}`)];
  const links = [...ids.slice(1).map((id) => ({ source: 'cv', target: id }))];
  for (let k = 0; k < 500; k++) {
    const i = 1 + ((k * 7919) % 999);
    links.push({ source: `b${(i * 31 + 7) % i}`, target: `b${i}` });
  }
  const input = { nodes: ids.map(box), edges: links };
  const p = layeredLayout(input);
  assert.equal(Object.keys(p).length, ids.length);
  for (const e of links) assert.ok(p[e.source].x < p[e.target].x, `${e.source} → ${e.target} points right`);
  const columns = new Map<number, number[]>();
  for (const id of ids) (columns.get(p[id].x) ?? columns.set(p[id].x, []).get(p[id].x)!).push(p[id].y);
  for (const ys of columns.values()) {
    ys.sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i] - ys[i - 1] >= NODE_HEIGHT, 'no two boxes of a column overlap');
  }
  assert.deepEqual(layeredLayout(input), p);
});

test('incremental layout: kept nodes keep their exact place; a new node lands by its kept neighbour, clear of others; gone nodes are dropped', () => {
  const box = { width: 100, height: 50 };
  const previous = { a: { x: 1000, y: 1000 }, b: { x: 1200, y: 1000 }, gone: { x: 0, y: 0 } };
  // The fresh layout moved everything by (-1000, -1000) and put c below b.
  const fresh = { a: { x: 0, y: 0 }, b: { x: 200, y: 0 }, c: { x: 200, y: 70 } };
  const out = mergeLayout(previous, fresh, [{ source: 'a', target: 'b' }, { source: 'a', target: 'c' }], box);
  assert.equal(out.a, previous.a);
  assert.equal(out.b, previous.b);
  assert.deepEqual(out.c, { x: 1200, y: 1070 });
  assert.ok(!('gone' in out));
  // A new node whose fresh place would overlap a kept node moves down until clear.
  const crowd = mergeLayout({ a: { x: 0, y: 0 } }, { a: { x: 0, y: 0 }, n: { x: 10, y: 10 } }, [], box);
  assert.ok(Math.abs(crowd.n.y - crowd.a.y) >= box.height, 'no overlap');
  // First layout: the fresh one as is.
  assert.deepEqual(mergeLayout({}, fresh, [], box), fresh);
});

test('merge queue rows: landing order, live phase from the bead, unlisted submissions, finished last; actions by phase', () => {
  const mr = (id: string, meta: Record<string, unknown>, extra: Partial<Bead> = {}) => bead(id, { type: 'merge-request', metadata: { rig: 'yard', branch: `br-${id}`, base: 'main', attempts: 0, ...meta }, ...extra });
  const beads = byId(
    bead('hq-rig1', { type: 'rig', metadata: { name: 'yard', prefix: 'yd' } }),
    bead('hq-rig2', { type: 'rig', metadata: { name: 'empty', prefix: 'em' } }),
    mr('hq-m1', { phase: 'testing', batch: 'abc' }),
    mr('hq-m2', { phase: 'conflict', resolutionBead: 'yd-fix' }),
    mr('hq-m3', { phase: 'queued' }, { createdAt: '2026-01-02T00:00:00Z' }),
    mr('hq-m4', { phase: 'merged', mergedAs: 'deadbeef' }, { status: 'closed' }),
  );
  const entry = (id: string, position: number | null, phase: MqEntry['phase'], score: number | null): MqEntry =>
    ({ rig: 'yard', position, id, title: id, branch: `br-${id}`, phase, priority: 2, attempts: 0, score, ready: true });
  const entries = [entry('hq-m2', 2, 'conflict', 10), entry('hq-m1', 1, 'queued', 20), entry('hq-m4', 3, 'testing', 5)];
  const queues = queuesByRig(entries, beads);
  assert.deepEqual(queues.map((q) => q.rig), ['empty', 'yard']);
  const yard = queues[1];
  assert.deepEqual(yard.open.map((r) => r.id), ['hq-m1', 'hq-m2', 'hq-m3']);
  assert.equal(yard.open[0].phase, 'testing', 'the bead\'s phase is newer than the list\'s');
  assert.equal(yard.open[0].score, 20);
  assert.equal(yard.open[1].resolutionBead, 'yd-fix');
  assert.equal(yard.open[2].position, null);
  assert.deepEqual(yard.finished.map((r) => [r.id, r.phase, r.position]), [['hq-m4', 'merged', null]]);
  assert.deepEqual(mqActions('conflict'), { retry: true, reject: true });
  assert.deepEqual(mqActions('testing'), { retry: false, reject: false });
  assert.deepEqual(mqActions('merged'), { retry: false, reject: false });
  assert.deepEqual(mqActions('queued'), { retry: false, reject: true });
});

test('the queue slice: a batch is kept from its batch event, gets its gate outcome, and goes when the rig lands', () => {
  let mq = emptyWorkViews().mergeQueue;
  mq = withQueueEvent(mq, { type: 'batch', rig: 'yard', batch: 'sha1', ids: ['hq-m1'], target: 'main' }, 1);
  assert.equal(mq.batches.yard.gate, null);
  const other = withQueueEvent(mq, { type: 'gate', rig: 'yard', batch: 'other', tip: 't', ids: [], outcome: 'fail', durationMs: 1, run: 1 }, 2);
  assert.equal(other, mq, 'a gate of another batch changes nothing');
  mq = withQueueEvent(mq, { type: 'gate', rig: 'yard', batch: 'sha1', tip: 't', ids: ['hq-m1'], outcome: 'pass', durationMs: 1500, run: 1 }, 3);
  assert.deepEqual(mq.batches.yard.gate, { outcome: 'pass', durationMs: 1500, run: 1 });
  mq = withQueueEvent(mq, { type: 'landed', rig: 'yard', target: 'main', from: 'a', to: 'b', ids: ['hq-m1'] }, 4);
  assert.ok(!mq.batches.yard);
  mq = withQueueEvent(mq, { type: 'problem', rig: 'yard', kind: 'target-red', message: 'main is red' }, 5);
  assert.equal(mq.problems.yard, 'main is red');
});
