// A write's own description of its changes (main/ledger/own-changes.ts), without Dolt: which
// statements may change what the feed reads, which fields an UPDATE changed as Dolt's diff compares
// them, and the changes in the order the feed reports them. (That the result equals Dolt's own diff
// is proven against a real server: test/integration/ledger-feed-described.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedFields, changesWatchedTables, OwnChanges } from '../../main/ledger/own-changes.ts';
import type { Bead } from '../../preload/types.ts';

test('changesWatchedTables: reads, transactions and writes of other tables are not changes; anything unread is', () => {
  for (const sql of ['SELECT * FROM issues', ' BEGIN', 'COMMIT', 'SET foreign_key_checks = 0', "CALL DOLT_ADD('issues')", "CALL DOLT_COMMIT('-m', ?)",
    'INSERT INTO events (id) VALUES ?', 'INSERT INTO child_counters (parent_id) VALUES (?)', 'UPDATE wisps SET title = ?', 'DELETE FROM wisp_labels WHERE issue_id = ?',
    'WITH RECURSIVE reach (id) AS (SELECT 1) SELECT id FROM reach']) {
    assert.equal(changesWatchedTables(sql), false, sql);
  }
  for (const sql of ['INSERT INTO issues (id) VALUES (?)', 'INSERT IGNORE INTO labels (issue_id, label) VALUES (?, ?)', 'UPDATE issues SET is_blocked = 1 WHERE id IN (?)',
    'DELETE FROM dependencies WHERE id = ?', 'REPLACE INTO comments (id) VALUES (?)', 'UPDATE `issues` SET title = ?', 'DELETE l FROM labels l JOIN issues i',
    "CALL DOLT_MERGE('other')", 'TRUNCATE issues', 'WITH x AS (SELECT 1) UPDATE issues SET title = ?', 'INSERT INTO labels SELECT issue_id, label FROM wisp_labels']) {
    assert.equal(changesWatchedTables(sql), true, sql);
  }
});

test('changedFields: what differs as Dolt compares it, in the row\'s column order; null when it cannot tell', () => {
  const before = { id: 'hq-1', title: 't', status: 'open', metadata: { b: 1, a: { d: [1, 2], c: 'x' } }, assignee: null, closed_at: null, updated_at: '2026-01-01 00:00:00.000', is_blocked: 0, labels: '["x"]' };
  // Same metadata in another key order, updated_at (quiet), is_blocked unchanged: nothing.
  assert.deepEqual(changedFields(before, { metadata: JSON.stringify({ a: { c: 'x', d: [1, 2] }, b: 1 }), updated_at: 'later', is_blocked: 0 }), []);
  // The row's order, not the written one; fields named as the feed names them.
  assert.deepEqual(changedFields(before, { closed_at: '2026-01-02 00:00:00.000', status: 'closed', title: 't' }), ['status', 'closedAt']);
  assert.deepEqual(changedFields(before, { metadata: JSON.stringify({ b: 1, a: { c: 'x', d: [2, 1] } }) }), ['metadata'], 'array order matters');
  assert.deepEqual(changedFields(before, { assignee: '' }), ['assignee'], 'null and the empty string differ');
  assert.deepEqual(changedFields(before, { assignee: null }), []);
  assert.deepEqual(changedFields(before, { is_blocked: 1 }), ['blocked']);
  assert.equal(changedFields(before, { pinned: 0 }), null, 'a column the row was not read with');
  assert.equal(changedFields(before, { title: Buffer.from('t') }), null, 'a value whose stored form is not known');
});

const bead = (id: string, over: Partial<Bead> = {}): Bead => ({
  id, title: id, description: '', type: 'task', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'mayor',
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', closedAt: null, closeReason: '', labels: [], metadata: {}, ...over,
});

test('OwnChanges: beads by id, then labels, then dependencies by row id; made beads carry their final state', () => {
  const d = new OwnChanges();
  const row = (id: string, status = 'open') => ({ id, status, title: id, updated_at: 'x' });
  assert.ok(d.created(bead('hq-b', { labels: ['z'] })));
  assert.ok(d.updated(row('hq-c'), { title: 'renamed' }, bead('hq-c', { title: 'renamed' })));
  assert.ok(d.updated(row('hq-a'), { status: 'closed' }, bead('hq-a', { status: 'closed' })));
  assert.ok(d.updated(row('hq-d'), { title: 'hq-d' }, bead('hq-d')), 'a change of nothing the feed reports');
  assert.ok(d.labelsChanged('hq-e', ['y', 'x']));
  assert.ok(d.labelsChanged('hq-c', ['k']));
  assert.ok(d.labelsChanged('hq-b', ['z', 'a']), 'a made bead takes its labels, with no labels change of its own');
  assert.ok(d.updated(row('hq-b'), { status: 'hooked' }, bead('hq-b', { status: 'hooked', labels: ['z'] })), 'a made bead takes its new state');
  assert.ok(d.dependencyAdded('f-row', 'hq-b', 'hq-a', 'blocks'));
  assert.ok(d.dependencyAdded('0-row', 'hq-c', 'hq-a', 'related'));
  assert.equal(d.isCreated('hq-b'), true);
  assert.equal(d.isCreated('hq-c'), false);
  const changes = d.finish();
  assert.deepEqual(changes.map((c) => `${c.kind} ${c.id}`), [
    'closed hq-a', 'created hq-b', 'updated hq-c', 'labels-changed hq-c', 'labels-changed hq-e', 'dependency-added hq-c', 'dependency-added hq-b',
  ]);
  const made = changes.find((c) => c.id === 'hq-b' && c.kind === 'created') as { bead: Bead };
  assert.equal(made.bead.status, 'hooked');
  assert.deepEqual(made.bead.labels, ['a', 'z']);
  assert.deepEqual((changes.find((c) => c.kind === 'updated') as { bead: Bead; fields: string[] }).bead.labels, ['k']);
  assert.deepEqual((changes.find((c) => c.kind === 'updated') as { fields: string[] }).fields, ['title']);
});

test('OwnChanges: a bead changed twice, or a value it cannot read, is refused; what it holds is a copy', () => {
  const d = new OwnChanges();
  const mine = bead('hq-a', { status: 'hooked' });
  assert.ok(d.updated({ id: 'hq-a', status: 'open' }, { status: 'hooked' }, mine));
  assert.equal(d.updated({ id: 'hq-a', status: 'hooked' }, { status: 'open' }, bead('hq-a')), false);
  assert.equal(d.updated({ id: 'hq-b', title: 'x' }, { title: new Date() }, bead('hq-b')), false);
  assert.equal(d.created(bead('hq-a')), false, 'made after it was changed');
  mine.status = 'closed';
  assert.equal((d.finish()[0] as { bead: Bead }).bead.status, 'hooked');
});
