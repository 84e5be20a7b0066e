// The sling queue held in memory (main/town/polecats/queued-slings.ts) over a real Dolt server: read
// once, then answered without a statement; the town's own ways on and off the queue (one write each)
// seen at once; a bead labelled by someone else (plain SQL + DOLT_COMMIT, as `bd` writes) joins once
// the feed delivers the commit; a bead that is no longer open is refused and nothing changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { enqueue, leaveQueue, QueuedSlings } from '../../main/town/polecats/queued-slings.ts';
import { countReads, ledgerFixture } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();

describe('the sling queue in memory', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const statementsOf = <T,>(read: () => Promise<T>) => countReads(t.ledger, read);
  const commits = async () => Number(((await t.raw.query('SELECT COUNT(*) AS n FROM dolt_log'))[0] as Array<{ n: number }>)[0].n);

  test('one load, then memory; enqueue and leaveQueue are seen at once; an outside label joins through the feed', async () => {
    const queued = new QueuedSlings(t.ledger);
    const ctx = { ledger: t.ledger, queued };
    const first = await t.ledger.create({ title: 'waits for room', prefix: 'qs' }, 'mayor');
    const second = await t.ledger.create({ title: 'labelled by hand', prefix: 'qs' }, 'mayor');

    const empty = await statementsOf(() => queued.all());
    assert.deepEqual(empty.value, []);
    assert.equal(empty.statements, 1, 'the first read loads');
    assert.equal((await statementsOf(() => queued.all())).statements, 0, 'then memory');

    const before = await commits();
    await enqueue(ctx, first, { gt: { rig: 'r', queuedAt: '2026-12-05T08:00:00.000Z' } }, 'mayor');
    assert.equal(await commits(), before + 1, 'the work note and the label in one commit');
    const stored = await t.ledger.show(first.id);
    assert.deepEqual(stored.labels, ['gt:queued']);
    assert.deepEqual(stored.metadata, { gt: { rig: 'r', queuedAt: '2026-12-05T08:00:00.000Z' } });
    const after = await statementsOf(() => queued.all());
    assert.deepEqual(after.value.map((b) => b.id), [first.id]);
    assert.equal(after.statements, 0, 'the own write is held without a read');

    // Someone else queues a bead: seen once the feed delivers its commit.
    const feed = new BeadFeed(t.dolt.server.connection(), { pollMs: 50, idleMs: 50 });
    feed.on('event', (e) => queued.onFeed(e));
    await feed.start();
    try {
      await t.raw.query("INSERT INTO labels (issue_id, label) VALUES (?, 'gt:queued')", [second.id]);
      await t.raw.query("CALL DOLT_ADD('labels')");
      await t.raw.query("CALL DOLT_COMMIT('-m', 'bd: label add', '--author', 'human <human@example.com>')");
      const deadline = Date.now() + 30_000;
      while (!(await queued.all()).some((b) => b.id === second.id)) {
        if (Date.now() > deadline) throw new Error('the outside label never reached the queue');
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual((await queued.all()).map((b) => b.id).sort(), [first.id, second.id].sort());
    } finally {
      await feed.stop();
    }

    await leaveQueue(ctx, (await t.ledger.show(first.id)), 'town/witness');
    const left = await statementsOf(() => queued.all());
    assert.deepEqual(left.value.map((b) => b.id), [second.id]);
    assert.equal(left.statements, 0, 'taken off without a read');
    assert.deepEqual((await t.ledger.show(first.id)).labels, []);

    // A bead that is not open is refused: no commit, the queue unchanged.
    await t.ledger.closeBead(first.id, 'done', 'mayor');
    const closed = await commits();
    await assert.rejects(enqueue(ctx, await t.ledger.show(first.id), { gt: { rig: 'r' } }, 'mayor'), (e: Error & { code?: string }) => e.code === 'conflict');
    assert.equal(await commits(), closed);
    assert.deepEqual((await queued.all()).map((b) => b.id), [second.id]);
  });
});
