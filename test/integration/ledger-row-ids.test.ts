// The ids the town gives rows with a UUID key (events, comments, dependencies), on real Dolt:
// time-ordered UUIDs (version 7, row-ids.ts), so each write's rows sort after every earlier write's
// and go at the end of the table's primary index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doltAvailable, startTempDolt } from '../../main/ledger/temp-dolt.ts';
import { Ledger } from '../../main/ledger/ledger.ts';

test('row ids: version 7 UUIDs, events in the order the writes were made', async (t) => {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  const dolt = await startTempDolt();
  const ledger = await Ledger.open(dolt.server.connection());
  try {
    const a = await ledger.create({ title: 'first' }, 'mayor');
    for (let i = 0; i < 5; i++) await ledger.update(a.id, { title: `renamed ${i}`, priority: i % 4 }, 'gastown/witness');
    await ledger.addComment(a.id, 'done soon', 'gastown/polecats/nux');
    const [rows] = await ledger.pool.query('SELECT id, event_type FROM events WHERE issue_id = ? ORDER BY created_at, id', [a.id]);
    const ids = (rows as Array<{ id: string }>).map((r) => r.id);
    assert.ok(ids.length >= 7, `a created event, five updates and a comment: ${ids.length} rows`);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${id} is a version 7 UUID`);
    // Written one after another: the primary key's order is the writes' order.
    assert.deepEqual([...ids].sort(), ids, 'ids ascend with the writes');
    assert.equal(new Set(ids).size, ids.length);

    // Comments and dependencies: the same kind of id.
    const b = await ledger.create({ title: 'second' }, 'mayor');
    await ledger.addDependency(a.id, b.id, 'blocks', 'mayor');
    await ledger.addComment(b.id, 'after the first', 'gastown/witness');
    const [others] = await ledger.pool.query("SELECT id FROM comments UNION ALL SELECT id FROM dependencies");
    const otherIds = (others as Array<{ id: string }>).map((r) => r.id);
    assert.equal(otherIds.length, 3, 'two comments and a dependency');
    for (const id of otherIds) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${id} is a version 7 UUID`);
  } finally {
    await ledger.close();
    await dolt.dispose();
  }
});
