// The ledger's writes describe their own changes (own-changes.ts), and the feed delivers the town's
// commits from those descriptions without asking Dolt for their diff, against a real dolt
// sql-server: every event equals what a feed that diffs every commit delivers (the town's hot writes:
// creates with labels, parents and dependencies, `gt done`'s create-and-update, derived patches,
// closes, reopens, status and metadata changes, labels, bulk dependencies), and Dolt is asked for a
// diff only for the commits a description cannot stand for: the first write (no known base), a
// change to a dependent's is_blocked, a comment, a removal, an outsider's commit and the town's write
// right after it (its parent is not the commit the write began from); and the log is read only for
// those, a run of described writes being delivered from their parents' hashes (one HASHOF each).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { comparable, startFeedPair } from '../helpers/feed-pair.ts';
import { waitFor } from '../helpers/wait.ts';

test('feed: the town\'s described writes are delivered as Dolt\'s diff would, without asking for it', async (t) => {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  // The commits (their `to` hash) the hinted feed asked Dolt to diff.
  const diffed = new Set<string>();
  // Its reads of the log, and its asks for parents (deliverOwnChain).
  let logReads = 0;
  let parentAsks = 0;
  const pair = await startFeedPair((sql, params) => {
    if (/dolt_diff(_summary)?\(/.test(sql)) diffed.add(String(params[1]));
    if (/dolt_log/.test(sql)) logReads++;
    if (/HASHOF\(\?\) AS p0/.test(sql)) parentAsks++;
  });
  const { ledger, hinted, plain, got, outsider } = pair;
  try {
    let last = '';
    let described = 0;
    ledger.onCommitted((c) => {
      last = c.hash;
      if (c.changes) described++;
      hinted.ownCommit(c);
    });
    /** The commits Dolt must diff: each write named here by what it did. */
    const undescribed = new Map<string, string>();
    const expectDiff = (what: string) => undescribed.set(last, what);

    const work = await ledger.create({ title: 'work', labels: ['gt:work', 'a'], metadata: { z: 1, a: { y: [2, 1], b: 'x' } } }, 'mayor');
    expectDiff('the first write: no base known');
    const [epic] = await ledger.createMany([
      { title: 'epic', type: 'epic' },
      { title: 'child one', parentRef: 0, labels: ['step'] },
      { title: 'child two', parentRef: 0, dependencies: [{ ref: 1, type: 'blocks' }] },
    ], 'gastown/witness');
    await ledger.update(work.id, { status: 'in_progress', assignee: 'gastown/polecats/nux' }, 'gastown/polecats/nux');
    // gt done's write: a merge request made with its labels and a dependency, the work bead put in
    // review with merged metadata (derived from the row the write reads) and a label added.
    const done = await ledger.createAndUpdate(
      [{ title: 'merge work', type: 'merge-request', labels: ['gt:merge-request'], metadata: { branch: 'polecat/nux', bead: work.id }, dependencies: [{ dependsOnId: work.id, type: 'related' }] }],
      (made) => [{ id: work.id, patch: (current) => ({ status: 'hooked', metadata: { ...current!.metadata, review: made[0].id }, addLabels: ['in-review'] }) }],
      'gastown/polecats/nux',
    );
    // The same metadata in another key order, and a label already there: nothing the feed reports.
    await ledger.update(work.id, { metadata: { ...done.updated[0].metadata }, addLabels: ['a'] }, 'gastown/witness');
    await ledger.update(work.id, { title: 'work, renamed', priority: 1, description: 'línea\nzwei' }, 'gastown/witness');
    // The Refinery's landing: the work bead and its request closed in one write; a derived patch that
    // leaves a bead alone.
    await ledger.updateMany([
      { id: work.id, patch: { status: 'closed' }, closeReason: 'merged' },
      { id: done.created[0].id, patch: { status: 'closed' }, closeReason: 'landed' },
      { id: epic.id, patch: () => null },
    ], 'gastown/refinery');
    await ledger.reopen(work.id, 'mayor');
    await ledger.addLabel(epic.id, 'big', 'mayor');
    await ledger.addDependencies(epic.id, [work.id, done.created[0].id], 'related', 'mayor');
    // Writes a description cannot stand for.
    const blocker = await ledger.create({ title: 'blocker' }, 'mayor');
    await ledger.addDependency(work.id, blocker.id, 'blocks', 'mayor');
    expectDiff('a blocks dependency: the dependent\'s is_blocked changes');
    await ledger.addComment(work.id, 'a comment', 'mayor');
    expectDiff('a comment');
    await ledger.removeLabel(epic.id, 'big', 'mayor');
    expectDiff('a label removed');
    const out = await outsider.getConnection();
    await out.query('UPDATE issues SET title = ? WHERE id = ?', ['epic, by hand', epic.id]);
    await out.query("CALL DOLT_ADD('issues')");
    await out.query("CALL DOLT_COMMIT('-m', 'by hand', '--author', 'outsider <outsider@example.com>')");
    out.release();
    undescribed.set(await ledger.head(), 'the outsider\'s commit');
    await ledger.update(epic.id, { priority: 0 }, 'mayor');
    expectDiff('the write after the outsider\'s: its parent is not its base');
    await ledger.update(epic.id, { priority: 3, deferUntil: '2027-01-02T03:04:05.678Z' }, 'mayor');
    await ledger.update(blocker.id, { status: 'pinned' }, 'mayor');
    expectDiff('pinning a blocker frees its dependent (is_blocked)');
    await ledger.update(done.created[0].id, { metadata: { note: 'café ✓', n: 1.5, list: [] } }, 'gastown/refinery');
    const head = await ledger.head();

    await waitFor('the hinted feed at HEAD', () => hinted.headSeen === head, 20_000);
    await waitFor('the plain feed at HEAD', () => plain.headSeen === head, 20_000);
    assert.deepEqual(comparable(got.hinted), comparable(got.plain), 'the same events as Dolt\'s diff gives');
    assert.ok(got.hinted.length >= 18, `every write delivered (${got.hinted.length} events)`);
    assert.deepEqual([...diffed].sort(), [...undescribed.keys()].sort(),
      `Dolt was asked to diff exactly the commits a description cannot stand for (${[...undescribed.values()].join('; ')})`);
    assert.ok(described >= 12, `most writes described their changes (${described})`);
    // The log is read only where a description cannot stand for a commit (at most once for each, the
    // poll that meets it); a run of described writes is delivered from their parents' hashes alone.
    assert.ok(logReads <= undescribed.size, `the log read ${logReads} times, for ${undescribed.size} commits a description cannot stand for`);
    assert.ok(parentAsks >= 10, `described runs delivered from their parents' hashes (${parentAsks} asks)`);
  } finally {
    await pair.dispose();
  }
});
