// A write's statements that need no answer are held and sent together (write-tx.ts), on real Dolt:
// an update is a couple of round trips, not one per statement; a held statement that fails fails the
// write at its next round trip and leaves nothing behind; reads inside the write see what it holds;
// a write whose changes cancel out still ends; and a pool without multi-statements is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { Ledger } from '../../main/ledger/ledger.ts';
import { applyUpdate } from '../../main/ledger/bead-update.ts';
import { beadRowsInTx } from '../../main/ledger/ledger-context.ts';
import { BeadUpdateSchema } from '../../main/ledger/ledger-schemas.ts';
import { runWrite, writePoolOptions } from '../../main/ledger/write-tx.ts';

const skip = doltAvailable();

describe('round trips of a ledger write', { skip: skip ?? false }, () => {
  let dolt: TempDolt;
  let ledger: Ledger;
  let pool: mysql.Pool;
  /** Queries (round trips) and statements sent on the pool's connections since the last reset. */
  const sent = { trips: 0, statements: 0 };
  before(async () => {
    dolt = await startTempDolt();
    ledger = await Ledger.open(dolt.server.connection());
    pool = mysql.createPool({ ...dolt.server.connection(), connectionLimit: 1, ...writePoolOptions });
    const getConnection = pool.getConnection.bind(pool);
    pool.getConnection = async () => {
      const conn = await getConnection();
      const query = conn.query.bind(conn) as (...a: unknown[]) => unknown;
      (conn as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
        sent.trips++;
        sent.statements += String(a[0]).split(';\n').length;
        return query(...a);
      };
      return conn;
    };
  });
  after(async () => {
    await pool?.end();
    await ledger?.close();
    await dolt?.dispose();
  });
  const head = async () => ((await pool.query('SELECT message, committer FROM dolt_log LIMIT 1'))[0] as Array<{ message: string; committer: string }>)[0];

  test("gt done's kind of update (two beads, read once) is three round trips: the read, the changes with DOLT_ADD, DOLT_COMMIT (which ends the transaction)", async () => {
    const a = await ledger.create({ title: 'a', prefix: 'rt', labels: ['x'] }, 'tester');
    const b = await ledger.create({ title: 'b', prefix: 'rt' }, 'tester');
    sent.trips = 0;
    sent.statements = 0;
    const beads = await runWrite(pool, 'rt/polecats/p1', 'update', async (tx) => {
      const byId = await beadRowsInTx(tx, [a.id, b.id]);
      const out = [];
      for (const [id, patch] of [[a.id, { status: 'in_progress', assignee: 'rt/polecats/p1' }], [b.id, { status: 'hooked', assignee: 'rt/polecats/p1' }]] as const) {
        out.push(await applyUpdate(tx, id, BeadUpdateSchema.parse(patch), undefined, byId.get(id)));
      }
      tx.subject = `${a.id} ${b.id}`;
      return out;
    });
    assert.deepEqual(beads.map((x) => x.status), ['in_progress', 'hooked']);
    // BEGIN + the read; the checks off, 2 updates, the checks on, the events, DOLT_ADD; DOLT_COMMIT.
    assert.equal(sent.trips, 3, `round trips (statements: ${sent.statements})`);
    assert.equal(sent.statements, 9);
    assert.deepEqual([(await ledger.show(a.id)).status, (await ledger.show(b.id)).status], ['in_progress', 'hooked']);
    assert.deepEqual(await head(), { message: `update ${a.id} ${b.id}`, committer: 'rt/polecats/p1' });
  });

  test('a read inside the write sees the statements it holds', async () => {
    const a = await ledger.create({ title: 'before', prefix: 'rt' }, 'tester');
    const seen = await runWrite(pool, 'tester', 'update', async (tx) => {
      tx.updateIssues('UPDATE issues SET title = ? WHERE id = ?', ['after', a.id]);
      tx.later('INSERT INTO labels (issue_id, label) VALUES (?, ?)', [a.id, 'held']);
      tx.touch('issues', 'labels');
      tx.subject = a.id;
      const rows = await tx.query<{ title: string; n: number }>(
        'SELECT i.title, (SELECT COUNT(*) FROM labels l WHERE l.issue_id = i.id) AS n FROM issues i WHERE i.id = ?', [a.id],
      );
      return { title: rows[0].title, labels: Number(rows[0].n) };
    });
    assert.deepEqual(seen, { title: 'after', labels: 1 });
    const now = await ledger.show(a.id);
    assert.equal(now.title, 'after');
    assert.deepEqual(now.labels, ['held']);
  });

  test('a held statement that fails fails the write at the commit, though Dolt runs the statements after it: nothing is written', async () => {
    const a = await ledger.create({ title: 'kept', prefix: 'rt' }, 'tester');
    const before = await head();
    await assert.rejects(runWrite(pool, 'tester', 'update', async (tx) => {
      tx.updateIssues('UPDATE issues SET title = ? WHERE id = ?', ['lost', a.id]);
      // A label for a bead that does not exist: the foreign key refuses it when it is sent.
      tx.later('INSERT INTO labels (issue_id, label) VALUES (?, ?)', ['rt-nope', 'x']);
      tx.touch('issues', 'labels');
      tx.subject = a.id;
    }), /foreign key/i);
    assert.equal((await ledger.show(a.id)).title, 'kept', 'the held update before it was rolled back');
    assert.deepEqual(await head(), before, 'no commit');
    const [rows] = await pool.query('SELECT @@SESSION.foreign_key_checks AS c');
    assert.equal(Number((rows as Array<{ c: number }>)[0].c), 1);
  });

  test('a write whose changes cancel out ends without a commit, and the next write goes on', async () => {
    const a = await ledger.create({ title: 'same', prefix: 'rt' }, 'tester');
    const before = await head();
    await runWrite(pool, 'tester', 'update', async (tx) => {
      tx.updateIssues('UPDATE issues SET title = ? WHERE id = ?', ['same', a.id]);
      tx.touch('issues');
    });
    assert.deepEqual(await head(), before, 'nothing to commit is not an error, and makes no commit');
    await runWrite(pool, 'tester', 'update', async (tx) => {
      tx.updateIssues('UPDATE issues SET title = ? WHERE id = ?', ['changed', a.id]);
      tx.touch('issues');
      tx.subject = a.id;
    });
    assert.equal((await ledger.show(a.id)).title, 'changed');
    assert.equal((await head()).message, `update ${a.id}`);
  });

  test('a pool without multi-statements is refused with a clear error, before anything is sent', async () => {
    const plain = mysql.createPool({ ...dolt.server.connection(), connectionLimit: 1 });
    try {
      await assert.rejects(runWrite(plain, 'tester', 'update', async () => undefined), /multipleStatements/);
    } finally {
      await plain.end();
    }
  });
});
