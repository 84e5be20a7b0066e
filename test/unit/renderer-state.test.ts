// The renderer's pure cores: feed application, per-frame batching, backoff, the inbox, counts, feed filters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Bead, BeadFeedEvent } from '../../preload/types.ts';
import type { UiAgent } from '../../preload/requests/ui.ts';
import { applyFeedEvents, beadDomainFrom, edgeKey, emptyBeadDomain } from '../../renderer/state/bead-changes.ts';
import { FrameBatcher } from '../../renderer/state/frame-batcher.ts';
import { backoffDelay } from '../../renderer/api/backoff.ts';
import { deriveInbox } from '../../preload/requests/ui-inbox.ts';
import { countAgents } from '../../preload/requests/ui-counts.ts';
import { feedEntriesFrom, filterFeed, FEED_KINDS } from '../../renderer/state/feed-entries.ts';

const bead = (id: string, title: string, extra: Partial<Bead> = {}): Bead => ({
  id, title, description: '', type: 'task', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'x',
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', closedAt: null, closeReason: '', labels: [], metadata: {}, ...extra,
});
const event = (commit: string, changes: BeadFeedEvent['changes']): BeadFeedEvent => ({ commit, author: 'mayor', message: 'm', changes });

test('every kind of bead change is applied: create, update, close, labels, dependencies, comments, delete', () => {
  let d = beadDomainFrom([bead('hq-aaa', 'one')], []);
  d = applyFeedEvents(d, [
    event('c1', [{ kind: 'created', id: 'hq-bbb', bead: bead('hq-bbb', 'two') }]),
    event('c2', [{ kind: 'updated', id: 'hq-aaa', bead: bead('hq-aaa', 'ONE'), fields: ['title'] }]),
    event('c3', [{ kind: 'labels-changed', id: 'hq-aaa', labels: ['x', 'y'] }]),
    event('c4', [{ kind: 'dependency-added', id: 'hq-bbb', dependsOnId: 'hq-aaa', type: 'blocks' }]),
    event('c5', [{ kind: 'comment-added', id: 'hq-aaa', comment: { id: 'k1', issueId: 'hq-aaa', author: 'a', text: 'hi', createdAt: '' } }]),
    event('c6', [{ kind: 'closed', id: 'hq-aaa', bead: bead('hq-aaa', 'ONE', { status: 'closed', labels: ['x', 'y'] }) }]),
  ]);
  assert.equal(d.beads['hq-aaa'].title, 'ONE');
  assert.equal(d.beads['hq-aaa'].status, 'closed');
  assert.deepEqual(d.beads['hq-aaa'].labels, ['x', 'y']);
  assert.equal(d.dependencies[edgeKey('hq-bbb', 'hq-aaa')].type, 'blocks');
  assert.equal(d.comments['hq-aaa'].length, 1);
  // The same comment twice (a re-delivered event) is kept once.
  d = applyFeedEvents(d, [event('c5', [{ kind: 'comment-added', id: 'hq-aaa', comment: { id: 'k1', issueId: 'hq-aaa', author: 'a', text: 'hi', createdAt: '' } }])]);
  assert.equal(d.comments['hq-aaa'].length, 1);
  d = applyFeedEvents(d, [event('c7', [{ kind: 'dependency-removed', id: 'hq-bbb', dependsOnId: 'hq-aaa', type: 'blocks' }])]);
  assert.equal(Object.keys(d.dependencies).length, 0);
  d = applyFeedEvents(d, [event('c8', [{ kind: 'dependency-added', id: 'hq-bbb', dependsOnId: 'hq-aaa', type: 'blocks' }]), event('c9', [{ kind: 'deleted', id: 'hq-aaa' }])]);
  assert.deepEqual(Object.keys(d.beads), ['hq-bbb']);
  assert.equal(Object.keys(d.dependencies).length, 0, 'edges of a deleted bead go with it');
  assert.equal(d.comments['hq-aaa'], undefined);
});

test('a batch is the same as its events one by one, and nothing changed keeps the same object', () => {
  const events = [
    event('c1', [{ kind: 'created', id: 'hq-bbb', bead: bead('hq-bbb', 'two') }]),
    event('c2', [{ kind: 'labels-changed', id: 'hq-bbb', labels: ['l'] }, { kind: 'dependency-added', id: 'hq-bbb', dependsOnId: 'hq-ccc', type: 'related' }]),
  ];
  const once = applyFeedEvents(emptyBeadDomain(), events, 'now');
  const stepwise = events.reduce((d, e) => applyFeedEvents(d, [e], 'now'), emptyBeadDomain());
  assert.deepEqual(once, stepwise);
  const start = beadDomainFrom([bead('hq-aaa', 'one')], []);
  assert.equal(applyFeedEvents(start, [event('c', [{ kind: 'labels-changed', id: 'hq-zzz', labels: [] }])]), start);
  const touched = applyFeedEvents(start, [event('c', [{ kind: 'created', id: 'hq-bbb', bead: bead('hq-bbb', 'x') }])]);
  assert.equal(touched.dependencies, start.dependencies, 'untouched maps are kept by reference');
  assert.notEqual(touched.beads, start.beads);
});

test('the frame batcher delivers a burst as one flush, in order, once', () => {
  const frames: Array<() => void> = [];
  const flushed: number[][] = [];
  const b = new FrameBatcher<number>((items) => flushed.push(items), (run) => frames.push(run));
  for (let i = 0; i < 1000; i++) b.push(i);
  assert.equal(frames.length, 1, 'one frame scheduled for the whole burst');
  frames.shift()!();
  assert.equal(flushed.length, 1);
  assert.equal(flushed[0].length, 1000);
  assert.deepEqual(flushed[0].slice(0, 3), [0, 1, 2]);
  b.push(1);
  assert.deepEqual(b.drain(), [1]);
  frames.shift()!();
  assert.equal(flushed.length, 1, 'drained items are not flushed again');
});

test('backoff grows, is capped, and is jittered within half to full of its ceiling', () => {
  const opts = { baseMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(1, opts, () => 0), 50);
  assert.equal(backoffDelay(1, opts, () => 1), 100);
  assert.equal(backoffDelay(3, opts, () => 1), 400);
  assert.equal(backoffDelay(10, opts, () => 1), 1000);
  assert.equal(backoffDelay(10, opts, () => 0), 500);
});

const agent = (id: string, live: UiAgent['live'], extra: Partial<UiAgent> = {}): UiAgent => ({
  id, role: 'polecat', name: id.split('/').pop()!, rig: 'yard', bead: 'hq-agent', state: 'working', hook: 'yd-abc', branch: null,
  workdir: null, runtime: 'script', session: { terminal: `t-${id}`, pid: 1, startedAt: '' }, live, ...extra,
});

test('the inbox: escalations by severity, waiting and crashed agents, merge problems; newest first; dismissed ones gone', () => {
  const agents = {
    a: agent('yard/polecats/a', { state: 'waiting-for-input', reason: 'prompt: Proceed? [y/n]', since: 2000, lastOutput: 0 }),
    b: agent('yard/polecats/b', { state: 'working', reason: 'output', since: 1000, lastOutput: 0 }),
    c: agent('yard/polecats/c', { state: 'crashed', reason: 'exit 1', since: 3000, lastOutput: 0 }),
  };
  const beads = {
    e1: bead('hq-e1', 'disk full', { type: 'escalation', metadata: { severity: 'critical', from: 'mayor' }, createdAt: '2026-01-01T00:00:01Z' }),
    e2: bead('hq-e2', 'minor', { type: 'escalation', metadata: { severity: 'low', from: 'mayor' } }),
    e3: bead('hq-e3', 'read', { type: 'escalation', status: 'closed', metadata: { severity: 'high' } }),
    m1: bead('hq-m1', 'mr', { type: 'merge-request', metadata: { phase: 'conflict', conflictFiles: ['a.txt'], branch: 'polecat/a/x' } }),
    m2: bead('hq-m2', 'mr', { type: 'merge-request', metadata: { phase: 'merged' } }),
  };
  const items = deriveInbox({ beads, agents, dismissed: {} });
  assert.deepEqual(items.map((i) => i.kind), ['escalation', 'crashed', 'waiting', 'merge-conflict', 'escalation']);
  assert.equal(items[2].terminal, 't-yard/polecats/a');
  assert.match(items[3].detail, /a\.txt/);
  const after = deriveInbox({ beads, agents, dismissed: { [items[1].key]: true } });
  assert.equal(after.length, 4);
  // Waiting again later is a new item, even if the earlier one was dismissed.
  const again = { ...agents, a: agent('yard/polecats/a', { state: 'waiting-for-input', reason: 'q', since: 9000, lastOutput: 0 }) };
  const keys = deriveInbox({ beads, agents: again, dismissed: { [items[2].key]: true } }).map((i) => i.key);
  assert.ok(keys.includes('waiting:yard/polecats/a:9000'));
});

test('agent counts: working, waiting, stuck, idle', () => {
  const counts = countAgents([
    agent('a', { state: 'working', reason: '', since: 0, lastOutput: 0 }),
    agent('b', { state: 'waiting-for-input', reason: '', since: 0, lastOutput: 0 }),
    agent('c', { state: 'stalled', reason: '', since: 0, lastOutput: 0 }),
    agent('d', null, { state: 'idle', session: null }),
    agent('e', null, { state: 'stuck', session: null }),
  ]);
  assert.deepEqual(counts, { working: 1, waiting: 1, stuck: 2, idle: 1 });
});

test('feed entries describe each activity and filter by kind and words', () => {
  const e1 = feedEntriesFrom({ name: 'beadFeed', payload: event('c1', [{ kind: 'created', id: 'hq-bbb', bead: bead('hq-bbb', 'Fix login') }]) }, 1, 10);
  const e2 = feedEntriesFrom({ name: 'convoyClosed', payload: { id: 'hq-cv1', title: 'release', tracked: 4 } }, 2, 11);
  const e3 = feedEntriesFrom({ name: 'mergeQueue', payload: { type: 'landed', rig: 'yard', target: 'main', from: 'a', to: 'b', ids: ['hq-m1'] } }, 3, 12);
  assert.match(e1.text, /1 created “Fix login”/);
  assert.match(e2.text, /release.*landed/);
  assert.equal(e3.kind, 'merge');
  const all = new Set(FEED_KINDS);
  assert.equal(filterFeed([e1, e2, e3], all, '').length, 3);
  assert.deepEqual(filterFeed([e1, e2, e3], all, 'login').map((e) => e.seq), [1]);
  assert.deepEqual(filterFeed([e1, e2, e3], new Set(['merge' as const]), '').map((e) => e.seq), [3]);
  assert.deepEqual(filterFeed([e1, e2, e3], all, 'hq-m1 yard').map((e) => e.seq), [3]);
});

test('stream offsets: a re-attach renders only the replay (not the old stream), resumes at the offset, and flags a gap', async () => {
  const { StreamOffsets } = await import('../../renderer/terminals/stream-offsets.ts');
  const { WebglBudget } = await import('../../renderer/terminals/webgl-budget.ts');
  const s = new StreamOffsets();
  s.beginAttach();
  assert.equal(s.receive(new Uint8Array([1, 2, 3])), null, 'held until the reply');
  let r = s.endAttach({ replayed: 3, offset: 3 });
  assert.deepEqual([...r.data], [1, 2, 3]);
  assert.equal(r.gap, false);
  assert.deepEqual([...s.receive(new Uint8Array([4]))!], [4]);
  assert.equal(s.rendered, 4);
  // Hidden for a while: bytes 5..7 skipped; re-attach from 4 replays [4, 7) after some old live bytes.
  s.beginAttach();
  s.receive(new Uint8Array([9, 9]));
  s.receive(new Uint8Array([5, 6, 7]));
  r = s.endAttach({ replayed: 3, offset: 7 });
  assert.deepEqual([...r.data], [5, 6, 7]);
  assert.equal(r.gap, false);
  assert.equal(s.rendered, 7);
  // The ring lost what we had not seen: the replay starts later than rendered → a gap.
  s.beginAttach();
  s.receive(new Uint8Array([20, 21]));
  r = s.endAttach({ replayed: 2, offset: 22 });
  assert.equal(r.gap, true);
  assert.equal(s.rendered, 22);

  const budget = new WebglBudget(2);
  assert.deepEqual(budget.grant('a').evict, []);
  assert.deepEqual(budget.grant('b').evict, []);
  assert.deepEqual(budget.grant('a').evict, [], 'seeing a again refreshes it');
  assert.deepEqual(budget.grant('c').evict, ['b'], 'the least recently seen goes back to DOM');
  assert.equal(budget.size, 2);
});

test('notifications: only new keys notify; several are grouped into one that opens the newest', async () => {
  const { newKeys, groupNotices } = await import('../../renderer/state/notification-groups.ts');
  const seen = new Set<string>();
  assert.deepEqual(newKeys(seen, ['a', 'b']), ['a', 'b']);
  assert.deepEqual(newKeys(seen, ['a', 'b', 'c']), ['c']);
  assert.deepEqual(newKeys(seen, ['c']), []);
  assert.deepEqual(newKeys(seen, ['a', 'c']), ['a'], 'an item that went away and came back is new again');
  assert.equal(groupNotices([]), null);
  const one = groupNotices([{ key: 'k1', title: 'x waits', body: 'prompt' }])!;
  assert.deepEqual(one, { title: 'x waits', body: 'prompt', open: 'k1', keys: ['k1'] });
  const many = groupNotices([{ key: 'k1', title: 'x waits', body: '' }, { key: 'k2', title: 'y waits', body: '' }, { key: 'k3', title: 'escalation', body: '' }])!;
  assert.match(many.title, /3 things need you/);
  assert.equal(many.open, 'k3');
  assert.match(many.body, /x waits\ny waits\nescalation/);
});

test('the terminal grid is near-square and fits the width', async () => {
  const { gridColumns } = await import('../../renderer/views/grid-layout.ts');
  assert.equal(gridColumns(1, 2000), 1);
  assert.equal(gridColumns(4, 2000), 2);
  assert.equal(gridColumns(16, 2000), 4);
  assert.equal(gridColumns(17, 2400), 5);
  assert.equal(gridColumns(16, 800), 2, 'a narrow window gets fewer columns');
  assert.equal(gridColumns(5, 300), 1);
});
