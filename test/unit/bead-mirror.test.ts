// BeadMirror (main/town/bead-mirror.ts) without I/O: the load is a function the test controls. It
// answers from memory after one load, takes the town's own writes, drops itself when the feed shows
// a change it does not hold, and never keeps a load that began before a write or a drop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BeadMirror, sameBead } from '../../main/town/bead-mirror.ts';
import type { Bead, BeadFeedEvent, BeadChange } from '../../preload/types.ts';

function bead(id: string, over: Partial<Bead> = {}): Bead {
  return {
    id, title: id, description: '', type: 'agent', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'town',
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', closedAt: null, closeReason: '',
    labels: ['gt:agent'], metadata: { state: 'idle' }, ...over,
  };
}

const event = (...changes: BeadChange[]): BeadFeedEvent => ({ commit: 'c', author: 'someone', message: 'update', changes });

/** A mirror over a ledger the test holds in `rows`; `loads` counts the reads; `gate` can hold a load open. */
function setup(rows: Bead[]) {
  const state = { rows, loads: 0, gate: null as Promise<void> | null };
  const mirror = new BeadMirror(async () => {
    state.loads++;
    const seen = state.rows.map((b) => structuredClone(b));
    if (state.gate) await state.gate;
    return seen;
  }, (b) => b.type === 'agent');
  return { state, mirror };
}

test('one load answers every read after it; answers are copies', async () => {
  const { state, mirror } = setup([bead('a-1'), bead('a-2')]);
  assert.deepEqual((await mirror.beads()).map((b) => b.id), ['a-1', 'a-2']);
  const [first] = await mirror.beads((b) => b.id === 'a-1');
  (first.metadata as Record<string, unknown>).state = 'mutated';
  first.labels.push('x');
  const again = await mirror.beads((b) => b.id === 'a-1');
  assert.equal((again[0].metadata as Record<string, unknown>).state, 'idle');
  assert.deepEqual(again[0].labels, ['gt:agent']);
  assert.equal(state.loads, 1);
});

test('some: whether a held bead among the ids passes the test, from the same one load', async () => {
  const { state, mirror } = setup([bead('a-1', { status: 'in_progress' }), bead('a-2')]);
  assert.equal(await mirror.some(['x-9', 'a-2'], (b) => b.status === 'in_progress'), false, 'a-2 is held but does not pass');
  assert.equal(await mirror.some(['x-9', 'a-1'], (b) => b.status === 'in_progress'), true);
  assert.equal(await mirror.some([], () => true), false);
  mirror.written([bead('a-2', { status: 'in_progress', updatedAt: '2026-01-01T00:00:01.000Z' })]);
  assert.equal(await mirror.some(['a-2'], (b) => b.status === 'in_progress'), true, 'an own write is seen at once');
  assert.equal(state.loads, 1);
  mirror.drop();
  state.rows = [];
  assert.equal(await mirror.some(['a-1', 'a-2'], () => true), false, 'after a drop the next question loads again');
  assert.equal(state.loads, 2);
});

test('derive: one object per version of a held bead, the same until the bead is written or loaded again', async () => {
  const { state, mirror } = setup([bead('a-1'), bead('a-2')]);
  const memo = new WeakMap<object, { id: string; state: unknown }>();
  let made = 0;
  const view = (b: Readonly<Bead>) => {
    let v = memo.get(b);
    if (!v) {
      memo.set(b, (v = { id: b.id, state: (b.metadata as Record<string, unknown>).state }));
      made++;
    }
    return v;
  };
  const first = await mirror.derive(() => true, view);
  const second = await mirror.derive((b) => b.id === 'a-1', view);
  assert.equal(second[0], first[0], 'the same held object: the same view');
  assert.equal(made, 2);
  mirror.written([bead('a-1', { metadata: { state: 'working' }, updatedAt: '2026-01-02T00:00:00.000Z' })]);
  const third = await mirror.derive(() => true, view);
  assert.deepEqual(third.map((v) => v.state), ['working', 'idle'], 'a written bead is a new object: a new view');
  assert.equal(third[1], first[1], 'the bead not written keeps its view');
  mirror.drop();
  await mirror.derive(() => true, view);
  assert.equal(made, 5, 'a new load: new objects');
  assert.equal(state.loads, 2);
});

test('own writes are taken without a load; beads of another kind are ignored', async () => {
  const { state, mirror } = setup([bead('a-1')]);
  await mirror.beads();
  mirror.written([bead('a-1', { metadata: { state: 'working' }, updatedAt: '2026-01-01T00:00:01.000Z' }), bead('w-1', { type: 'task', labels: [] })]);
  mirror.written([bead('a-2')]);
  const now = await mirror.beads();
  assert.deepEqual(now.map((b) => [b.id, (b.metadata as { state: string }).state]), [['a-1', 'working'], ['a-2', 'idle']]);
  assert.equal(state.loads, 1);
});

test('a load that began before a write or a drop is not kept: the next read loads again and sees the write', async () => {
  const { state, mirror } = setup([bead('a-1')]);
  let open!: () => void;
  state.gate = new Promise<void>((r) => { open = r; });
  const early = mirror.beads();
  // Meanwhile the write lands in the ledger and the town is told.
  state.rows = [bead('a-1', { metadata: { state: 'working' }, updatedAt: '2026-01-01T00:00:02.000Z' })];
  mirror.written(state.rows);
  state.gate = null;
  const late = mirror.beads(); // begun after the write: must not join the early load
  open();
  assert.equal(((await early)[0].metadata as { state: string }).state, 'idle', 'the early read saw the ledger before the write');
  assert.equal(((await late)[0].metadata as { state: string }).state, 'working');
  assert.equal(state.loads, 2);
  assert.equal(((await mirror.beads())[0].metadata as { state: string }).state, 'working', 'the early load was not kept');
  assert.equal(state.loads, 2);

  mirror.drop();
  state.rows = [bead('a-1', { metadata: { state: 'stuck' } })];
  assert.equal(((await mirror.beads())[0].metadata as { state: string }).state, 'stuck');
  assert.equal(state.loads, 3);
});

test('the feed: a commit that matches what is held keeps it; one that differs, or adds a bead of the kind, drops it', async () => {
  const held = bead('a-1', { metadata: { state: 'working' } });
  const { state, mirror } = setup([held]);
  await mirror.beads();
  mirror.onFeed(event({ kind: 'updated', id: 'a-1', bead: structuredClone(held), fields: ['metadata'] }));
  mirror.onFeed(event({ kind: 'updated', id: 'w-9', bead: bead('w-9', { type: 'task' }), fields: ['status'] }));
  mirror.onFeed(event({ kind: 'comment-added', id: 'w-9', comment: { id: 'c1', issueId: 'w-9', author: 'x', text: 't', createdAt: '' } }));
  await mirror.beads();
  assert.equal(state.loads, 1, 'nothing it holds changed');

  const drops: BeadChange[] = [
    { kind: 'updated', id: 'a-1', bead: bead('a-1', { metadata: { state: 'stuck' } }), fields: ['metadata'] },
    { kind: 'created', id: 'a-2', bead: bead('a-2') },
    { kind: 'closed', id: 'a-1', bead: bead('a-1', { status: 'closed', metadata: { state: 'working' } }) },
    { kind: 'labels-changed', id: 'a-1', labels: ['gt:agent', 'rig:x'] },
    { kind: 'deleted', id: 'a-1' },
  ];
  for (const change of drops) {
    const before: number = state.loads;
    mirror.onFeed(event(change));
    await mirror.beads();
    assert.equal(state.loads, before + 1, `${change.kind} drops the held set`);
  }
});

test('dependencies and comments count where the held bead carries them (a show), not where it does not (a list)', async () => {
  const convoy = bead('c-1', { type: 'convoy', dependencies: [{ issueId: 'c-1', dependsOnId: 'w-1', type: 'tracks', createdAt: '', createdBy: '' }], comments: [] });
  const { state, mirror } = setup([convoy, bead('a-1')]);
  await mirror.beads();
  mirror.onFeed(event({ kind: 'dependency-added', id: 'c-1', dependsOnId: 'w-1', type: 'tracks' })); // held already (its creation's commit)
  mirror.onFeed(event({ kind: 'dependency-added', id: 'a-1', dependsOnId: 'w-1', type: 'blocks' })); // a list-shaped bead holds no edges
  mirror.onFeed(event({ kind: 'dependency-removed', id: 'c-1', dependsOnId: 'w-2', type: 'tracks' })); // not held anyway
  await mirror.beads();
  assert.equal(state.loads, 1);
  for (const change of [
    { kind: 'dependency-added', id: 'c-1', dependsOnId: 'w-2', type: 'tracks' },
    { kind: 'dependency-removed', id: 'c-1', dependsOnId: 'w-1', type: 'tracks' },
    { kind: 'comment-added', id: 'c-1', comment: { id: 'k-1', issueId: 'c-1', author: 'x', text: 't', createdAt: '' } },
  ] as BeadChange[]) {
    const before: number = state.loads;
    mirror.onFeed(event(change));
    await mirror.beads();
    assert.equal(state.loads, before + 1, `${change.kind} drops the held set`);
  }
});

test('sameBead compares what a list read carries, labels in any order', () => {
  const a = bead('a-1', { labels: ['b', 'a'].sort() });
  assert.ok(sameBead(a, { ...structuredClone(a), labels: ['b', 'a'] }));
  assert.ok(!sameBead(a, { ...structuredClone(a), updatedAt: '2026-01-02T00:00:00.000Z' }));
  assert.ok(!sameBead(a, { ...structuredClone(a), metadata: { state: 'other' } }));
  assert.ok(!sameBead(a, { ...structuredClone(a), assignee: 'someone' }));
  // Dolt hands JSON back with its keys in its own order; a create answers them as given.
  const meta = bead('a-2', { metadata: { state: 'idle', hook: null, nested: { z: 1, a: 2 } } });
  assert.ok(sameBead(meta, { ...structuredClone(meta), metadata: { nested: { a: 2, z: 1 }, hook: null, state: 'idle' } }));
});

test('a bead written out of the set leaves it; the feed reporting its earlier states (it lags own writes) drops nothing', async () => {
  const rows = [bead('m-1', { type: 'merge-request' }), bead('m-2', { type: 'merge-request' })];
  const state = { loads: 0 };
  const mirror = new BeadMirror(async () => { state.loads++; return rows.map((b) => structuredClone(b)); }, (b) => b.type === 'merge-request' && b.status !== 'closed');
  await mirror.beads();
  const t = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
  // The town makes m-3, then merges (closes) it, before the feed has reported either commit.
  const made = bead('m-3', { type: 'merge-request', createdAt: t(1), updatedAt: t(1) });
  mirror.written([made]);
  const closed = bead('m-3', { type: 'merge-request', status: 'closed', createdAt: t(1), updatedAt: t(2), closedAt: t(2) });
  mirror.written([closed]);
  assert.deepEqual((await mirror.beads()).map((b) => b.id), ['m-1', 'm-2'], 'a closed request left the set of open ones');
  // The feed now reports the creation (an earlier state), then the close (the same state).
  mirror.onFeed(event({ kind: 'created', id: 'm-3', bead: made }));
  mirror.onFeed(event({ kind: 'closed', id: 'm-3', bead: closed }));
  // An update of a held bead the town has since written again: an earlier state too.
  const m1v2 = bead('m-1', { type: 'merge-request', updatedAt: t(4), metadata: { phase: 'testing' } });
  mirror.written([m1v2]);
  mirror.onFeed(event({ kind: 'updated', id: 'm-1', bead: bead('m-1', { type: 'merge-request', updatedAt: t(3), metadata: { phase: 'batched' } }), fields: ['metadata'] }));
  assert.equal(((await mirror.beads((b) => b.id === 'm-1'))[0].metadata as { phase: string }).phase, 'testing');
  assert.equal(state.loads, 1, 'no earlier state dropped the set');

  // Not older: a state the town never wrote (same time, other content; or later) still drops it.
  mirror.onFeed(event({ kind: 'updated', id: 'm-1', bead: bead('m-1', { type: 'merge-request', updatedAt: t(4), metadata: { phase: 'conflict' } }), fields: ['metadata'] }));
  await mirror.beads();
  assert.equal(state.loads, 2);
  mirror.onFeed(event({ kind: 'updated', id: 'm-3', bead: bead('m-3', { type: 'merge-request', updatedAt: t(5) }), fields: ['status'] }));
  await mirror.beads();
  assert.equal(state.loads, 3, 'a request that left and was reopened by someone else is loaded again');
});

test('a set defined by a label: a change of labels on a bead not held drops the set when it may join (`joins`)', async () => {
  const rows = [bead('q-1', { type: 'task', labels: ['gt:queued'] })];
  let loads = 0;
  const queued = (b: Bead) => b.status === 'open' && b.labels.includes('gt:queued');
  const mirror = new BeadMirror(async () => { loads++; return rows.map((b) => structuredClone(b)); }, queued, (labels) => labels.includes('gt:queued'));
  assert.deepEqual((await mirror.beads()).map((b) => b.id), ['q-1']);
  mirror.onFeed(event({ kind: 'labels-changed', id: 'q-2', labels: ['other'] }));
  await mirror.beads();
  assert.equal(loads, 1, 'labels that do not make it a member change nothing');
  rows.push(bead('q-2', { type: 'task', labels: ['gt:queued', 'other'] }));
  mirror.onFeed(event({ kind: 'labels-changed', id: 'q-2', labels: ['other', 'gt:queued'] }));
  assert.deepEqual((await mirror.beads()).map((b) => b.id), ['q-1', 'q-2'], 'loaded again: the newly labelled bead is in');
  assert.equal(loads, 2);

  // Without `joins` (a set not defined by a label) such a change is not the set's.
  const plain = new BeadMirror(async () => { loads++; return rows.map((b) => structuredClone(b)); }, queued);
  await plain.beads();
  plain.onFeed(event({ kind: 'labels-changed', id: 'q-3', labels: ['gt:queued'] }));
  await plain.beads();
  assert.equal(loads, 3);
});
