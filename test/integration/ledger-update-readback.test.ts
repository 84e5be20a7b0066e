// Writes that change beads return them without reading them back (bead-update.ts, bead-notes.ts), on
// a real Dolt server: for every kind of patch (status across open/in_progress/hooked/pinned/closed,
// assignee, owner, metadata as an object or JSON text, addLabels, title, description, type, priority,
// deferUntil, no change at all), for updateMany and createAndUpdate (`gt done`'s write), and for
// addLabel/removeLabel/addComment, what the write returns deep-equals a fresh `show` once it has
// committed. The statements each write runs are recorded on the ledger's pool: the bead's row (with
// its labels) is read once, before its update, and nothing reads a bead after the first UPDATE.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead, Comment } from '../../preload/types.ts';
import type { BeadUpdate } from '../../main/ledger/ledger-schemas.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { ledgerFixture, recordWrites } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();
const ODD_LABELS = ['zeta', 'Alpha', 'b,c"d', 'émile', 'tab\there', '😀 four'];

/** The statement reading beads' rows with their labels (ISSUE_ROW_SELECT, BEAD_SELECT). */
const READS_BEAD = /^\s*SELECT\b[\s\S]*JSON_ARRAYAGG\(l\.label\)[\s\S]*FROM issues i WHERE i\.id/;
const UPDATES_ISSUES = /^\s*UPDATE issues SET/;

describe('updates return their beads without reading them back', { skip: skip ?? false }, () => {
  const t = ledgerFixture();

  const recorded = <T,>(write: () => Promise<T>) => recordWrites(t.ledger, write);

  /** The bead as a fresh read has it, without what only `show` adds. */
  async function shown(id: string): Promise<Bead> {
    const { dependencies: _dependencies, comments: _comments, ...bead } = await t.ledger.show(id);
    return bead;
  }

  /** Asserts the write read beads only before its first UPDATE, and each bead's row once. */
  function assertNoReadBack(statements: string[], what: string): void {
    const firstUpdate = statements.findIndex((s) => UPDATES_ISSUES.test(s));
    const reads = statements.map((s, i) => ({ s, i })).filter(({ s }) => READS_BEAD.test(s));
    assert.ok(reads.length <= 1, `${what}: one read of the beads' rows at most, got ${reads.length}`);
    if (firstUpdate >= 0) assert.ok(reads.every(({ i }) => i < firstUpdate), `${what}: no read of a bead after the UPDATE`);
  }

  /** Updates `id` with `patch`, then asserts the returned bead is what show reads and no read-back ran. */
  async function updateAndCompare(id: string, patch: BeadUpdate, what: string): Promise<Bead> {
    const { value, statements } = await recorded(() => t.ledger.update(id, patch, 'tester'));
    assert.deepEqual(value, await shown(id), `${what}: returned = show`);
    assertNoReadBack(statements, what);
    return value;
  }

  test('each kind of patch: the returned bead equals a show of it', async () => {
    const blocker = await t.ledger.create({ title: 'readback blocker', prefix: 'rb' }, 'mayor');
    const bead = await t.ledger.create({ title: 'readback one', prefix: 'rb', labels: ['b', 'a'], metadata: { keep: 1 } }, 'mayor');
    const dependent = await t.ledger.create({ title: 'readback dependent', prefix: 'rb', dependencies: [{ dependsOnId: bead.id, type: 'blocks' }] }, 'mayor');

    let b = await updateAndCompare(bead.id, { status: 'in_progress', assignee: 'rig/polecats/p1' }, 'in_progress with an assignee');
    assert.equal(b.status, 'in_progress');
    b = await updateAndCompare(bead.id, { status: 'hooked', expectStatus: ['in_progress'], expectAssignee: 'rig/polecats/p1' }, 'hooked, compare-and-set');
    b = await updateAndCompare(bead.id, { status: 'in_progress' }, 'in_progress again (started_at kept)');
    b = await updateAndCompare(bead.id, { status: 'closed' }, 'closed by update');
    assert.ok(b.closedAt, 'closed_at set');
    assert.equal(b.closedAt, b.updatedAt);
    assert.deepEqual((await t.ledger.ready({ prefix: 'rb' })).map((x) => x.id).sort(), [blocker.id, dependent.id].sort(), 'the dependent unblocked');
    b = await updateAndCompare(bead.id, { status: 'open' }, 'reopened by update');
    assert.equal(b.closedAt, null);
    assert.deepEqual((await t.ledger.blocked({ prefix: 'rb' })).map((x) => x.id), [dependent.id], 'the dependent blocked again');
    b = await updateAndCompare(bead.id, { status: 'pinned' }, 'pinned');
    b = await updateAndCompare(bead.id, { status: 'open' }, 'unpinned');
    b = await updateAndCompare(bead.id, { status: 'pinned' }, 'pinned again');
    b = await updateAndCompare(bead.id, { status: 'closed' }, 'pinned to closed');
    b = await updateAndCompare(bead.id, { status: 'closed' }, 'closed to closed (no change)');
    b = await updateAndCompare(bead.id, { status: 'pinned' }, 'closed to pinned');
    b = await updateAndCompare(bead.id, { status: 'open', assignee: null }, 'open, nobody assigned');
    assert.equal(b.assignee, null);

    await updateAndCompare(bead.id, { title: '  A new title, trimmed  ', description: 'line 1\nline 2 “quoted” 😀', type: 'bug', priority: 0, owner: 'someone' }, 'title, description, type, priority, owner');
    await updateAndCompare(bead.id, {
      metadata: { z: 'last', a: { nested: [1, 2.5, -3, true, false, null, 'x'], deep: { deeper: { s: 'é\n"\\' } } }, empty: {}, list: [], big: 123456789012, dropped: undefined },
    }, 'metadata as an object');
    await updateAndCompare(bead.id, { metadata: '{"from":"text","n":7}' as unknown as Record<string, unknown> }, 'metadata as JSON text');
    await updateAndCompare(bead.id, { metadata: {} }, 'metadata emptied');
    await updateAndCompare(bead.id, { deferUntil: '2031-01-02T03:04:05.678+02:00' }, 'deferUntil with an offset');
    await updateAndCompare(bead.id, { deferUntil: null }, 'deferUntil cleared');
    b = await updateAndCompare(bead.id, { addLabels: [...ODD_LABELS, 'a', 'zeta'] }, 'labels added (one existing, one twice), nothing else');
    assert.deepEqual(b.labels, [...new Set(['a', 'b', ...ODD_LABELS])].sort());
    await updateAndCompare(bead.id, { addLabels: ['new-label'], priority: 3, status: 'in_progress' }, 'labels with fields');
    await updateAndCompare(bead.id, { status: 'in_progress' }, 'nothing changes');
    const before = await shown(bead.id);
    await assert.rejects(t.ledger.update(bead.id, { assignee: 'rig/polecats/p2', expectAssignee: 'rig/polecats/p9' }, 'tester'), { code: 'conflict' });
    await assert.rejects(t.ledger.update(bead.id, { title: 'x', expectStatus: ['closed'] }, 'tester'), { code: 'conflict' });
    assert.deepEqual(await shown(bead.id), before, 'refused writes change nothing');

    const closed = await recorded(() => t.ledger.closeBead(bead.id, 'done for now', 'tester', { metadata: { closedBy: 'test' } }));
    assert.deepEqual(closed.value, await shown(bead.id), 'closeBead');
    assert.equal(closed.value.closeReason, 'done for now');
    assertNoReadBack(closed.statements, 'closeBead');
    const reopened = await recorded(() => t.ledger.reopen(bead.id, 'tester'));
    assert.deepEqual(reopened.value, await shown(bead.id), 'reopen');
    assert.equal(reopened.value.closeReason, '');
    assertNoReadBack(reopened.statements, 'reopen');
  });

  test('the update event still carries the row before it, without its labels', async () => {
    const bead = await t.ledger.create({ title: 'readback event', prefix: 'rv', labels: ['l1'] }, 'mayor');
    await t.ledger.update(bead.id, { status: 'in_progress', title: 'renamed' }, 'tester');
    const [rows] = await t.raw.query("SELECT old_value, new_value FROM events WHERE issue_id = ? AND event_type = 'status_changed'", [bead.id]);
    const [event] = rows as Array<{ old_value: string; new_value: string }>;
    const old = JSON.parse(event.old_value) as Record<string, unknown>;
    assert.equal(old.status, 'open');
    assert.equal(old.title, 'readback event');
    assert.ok('started_at' in old && !('labels' in old), 'every issues column, no labels');
    assert.deepEqual(JSON.parse(event.new_value), { title: 'renamed', status: 'in_progress' });
  });

  test("updateMany and createAndUpdate (gt done's write): every bead returned equals its show, its rows read in one statement", async () => {
    const work = await t.ledger.create({ title: 'readback work', prefix: 'rm', status: 'hooked', assignee: 'rig/polecats/p1', labels: ['gt:task'] }, 'mayor');
    const next = await t.ledger.create({ title: 'readback next', prefix: 'rm' }, 'mayor');
    const agent = await t.ledger.create({ title: 'readback agent', prefix: 'rm', type: 'agent', metadata: { state: 'working', hook: work.id } }, 'mayor');
    const done = await recorded(() => t.ledger.createAndUpdate(
      [{ title: `Merge polecat/p1/${work.id}`, type: 'merge-request', prefix: 'rm', labels: ['gt:merge-request'], metadata: { branch: 'polecat/p1', bead: work.id, attempts: 0 } }],
      ([mr]) => [
        { id: work.id, patch: { status: 'in_progress', assignee: 'rig/refinery', expectStatus: ['hooked', 'in_progress'], expectAssignee: 'rig/polecats/p1', metadata: { review: { mergeRequest: mr.id } } } },
        { id: next.id, patch: { status: 'hooked', assignee: 'rig/polecats/p1', expectStatus: ['open'], metadata: { branch: `polecat/p1/${next.id}` } } },
        { id: agent.id, patch: { metadata: { state: 'working', hook: next.id, lastBead: work.id, lastMergeRequest: mr.id } } },
      ],
      'rig/polecats/p1',
    ));
    const { created, updated } = done.value;
    for (const b of [...created, ...updated]) assert.deepEqual(b, await shown(b.id), `createAndUpdate: ${b.id}`);
    assert.deepEqual(updated.map((b) => b.id), [work.id, next.id, agent.id]);
    assertNoReadBack(done.statements, 'createAndUpdate');
    assert.equal(done.statements.filter((s) => READS_BEAD.test(s)).length, 1, 'the three rows in one statement');
    assert.equal(done.statements.filter((s) => UPDATES_ISSUES.test(s)).length, 3, 'three UPDATEs');

    // The Refinery's batch: requests closed, their beads closed, a bead reopened, labels added.
    const many = await recorded(() => t.ledger.updateMany([
      { id: created[0].id, patch: { status: 'closed', metadata: { phase: 'merged' } }, closeReason: 'merged' },
      { id: work.id, patch: { status: 'closed', assignee: null }, closeReason: 'merged' },
      { id: next.id, patch: { status: 'open', assignee: null, addLabels: ['gt:rework', 'gt:task'] } },
      { id: agent.id, patch: { title: 'readback agent, renamed', priority: 1 } },
    ], 'rig/refinery'));
    for (const b of many.value) assert.deepEqual(b, await shown(b.id), `updateMany: ${b.id}`);
    assert.equal(many.value[0].closeReason, 'merged');
    assertNoReadBack(many.statements, 'updateMany');
    assert.equal(many.statements.filter((s) => READS_BEAD.test(s)).length, 1, 'the four rows in one statement');

    await assert.rejects(t.ledger.updateMany([{ id: next.id, patch: { title: 'x' } }, { id: 'rm-nope', patch: { title: 'y' } }], 'tester'), { code: 'not_found' });
  });

  test('addLabel, removeLabel and addComment return what a show reads', async () => {
    const bead = await t.ledger.create({ title: 'readback notes', prefix: 'rn', labels: ['keep'] }, 'mayor');
    const check = async (write: () => Promise<Bead>, what: string) => {
      const { value, statements } = await recorded(write);
      assert.deepEqual(value, await shown(bead.id), what);
      assert.equal(statements.filter((s) => READS_BEAD.test(s)).length, 1, `${what}: the bead read once, before the change`);
      const change = statements.findIndex((s) => /^\s*(INSERT IGNORE INTO|DELETE FROM) labels/.test(s));
      assert.ok(statements.findIndex((s) => READS_BEAD.test(s)) < change, `${what}: read before the change`);
    };
    await check(() => t.ledger.addLabel(bead.id, 'Alpha', 'tester'), 'a label added');
    await check(() => t.ledger.addLabel(bead.id, 'Alpha', 'tester'), 'the same label again');
    await check(() => t.ledger.addLabel(bead.id, 'alpha', 'tester'), 'a label differing in case');
    await check(() => t.ledger.removeLabel(bead.id, 'Alpha', 'tester'), 'a label removed');
    await check(() => t.ledger.removeLabel(bead.id, 'absent', 'tester'), 'an absent label removed');
    const comment = await recorded(() => t.ledger.addComment(bead.id, 'a comment\nwith “two” lines 😀', 'tester'));
    const comments: Comment[] = (await t.ledger.show(bead.id)).comments ?? [];
    assert.deepEqual([comment.value], comments, 'the comment as show reads it');
    assert.ok(!comment.statements.some((s) => /^\s*SELECT\b.*FROM comments/s.test(s)), 'the comment is not read back');
  });

  test('fewer statements than reading back: one read of the rows, none after the updates', async () => {
    // The write of the test above, counted: a gt done write of three updates runs its reads of beads
    // in one statement; before, it ran four (the rows, then each bead again with its labels).
    const beads = await t.ledger.createMany([1, 2, 3].map((n) => ({ title: `readback count ${n}`, prefix: 'rc', labels: ['x'] })), 'mayor');
    const { statements } = await recorded(() => t.ledger.updateMany(beads.map((b) => ({ id: b.id, patch: { metadata: { n: b.id } } })), 'tester'));
    const selects = statements.filter((s) => /^\s*SELECT\b/i.test(s));
    assert.equal(selects.length, 1, `one SELECT in the write, got:\n${selects.join('\n')}`);
  });
});
