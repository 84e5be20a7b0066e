// Updates of issues run with Dolt's foreign key checks off (write-tx.ts, updateIssues), on real Dolt:
// every other statement of the write still has them (a label for a bead that does not exist is
// refused, a deleted bead still takes its labels with it), a connection never goes back to the pool
// with them off (after a committed write, after a failed one), and nothing but an UPDATE of issues'
// fields may run that way.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { Ledger } from '../../main/ledger/ledger.ts';
import { runWrite, writePoolOptions } from '../../main/ledger/write-tx.ts';
import { TownError } from '../../preload/errors.ts';

const skip = doltAvailable();

describe('foreign key checks around updates of issues', { skip: skip ?? false }, () => {
  let dolt: TempDolt;
  let ledger: Ledger;
  // One connection: every statement after a write runs on the connection that write used.
  let pool: mysql.Pool;
  before(async () => {
    dolt = await startTempDolt();
    ledger = await Ledger.open(dolt.server.connection());
    pool = mysql.createPool({ ...dolt.server.connection(), connectionLimit: 1, ...writePoolOptions });
  });
  after(async () => {
    await pool?.end();
    await ledger?.close();
    await dolt?.dispose();
  });
  const checks = async (): Promise<number> => Number(((await pool.query('SELECT @@SESSION.foreign_key_checks AS c'))[0] as Array<{ c: number }>)[0].c);

  test('on again for the rest of the write and after it; the update itself lands and commits', async () => {
    const bead = await ledger.create({ title: 'checked', prefix: 'fk', labels: ['a'] }, 'tester');
    const seen = await runWrite(pool, 'tester', 'update', async (tx) => {
      tx.updateIssues('UPDATE issues SET title = ?, updated_at = ? WHERE id = ?', ['renamed', tx.now, bead.id]);
      const during = Number((await tx.query<{ c: number }>('SELECT @@SESSION.foreign_key_checks AS c'))[0].c);
      // A label for a bead that does not exist: the foreign key refuses it (checks are back on).
      const refused = await tx.exec('INSERT INTO labels (issue_id, label) VALUES (?, ?)', ['fk-nope', 'x']).then(() => false, () => true);
      tx.touch('issues');
      tx.subject = bead.id;
      return { during, refused };
    }).catch((e: unknown) => e);
    // The refused INSERT is the body's to handle (caught here): the write goes on and commits.
    assert.deepEqual(seen, { during: 0, refused: true }, 'off for the update, on again for the INSERT, which the foreign key refuses');
    assert.equal(await checks(), 1, 'the pooled connection has its checks on');
    const ok = await runWrite(pool, 'tester', 'update', async (tx) => {
      tx.updateIssues('UPDATE issues SET title = ?, updated_at = ? WHERE id = ?', ['renamed', tx.now, bead.id]);
      const during = Number((await tx.query<{ c: number }>('SELECT @@SESSION.foreign_key_checks AS c'))[0].c);
      tx.touch('issues');
      tx.subject = bead.id;
      return during;
    });
    assert.equal(ok, 0, 'off for the update');
    assert.equal(await checks(), 1, 'on again once the write committed');
    assert.equal((await ledger.show(bead.id)).title, 'renamed');
    const [log] = await pool.query('SELECT message FROM dolt_log LIMIT 1');
    assert.equal((log as Array<{ message: string }>)[0].message, `update ${bead.id}`);
  });

  test('a write that fails with checks off does not hand its connection back with them off', async () => {
    const bead = await ledger.create({ title: 'fails', prefix: 'fk' }, 'tester');
    await assert.rejects(runWrite(pool, 'tester', 'update', async (tx) => {
      tx.updateIssues('UPDATE issues SET title = ? WHERE id = ?', ['never', bead.id]);
      // A read sends the held update, with the checks off, to the server before the body fails.
      assert.equal((await tx.query<{ title: string }>('SELECT title FROM issues WHERE id = ?', [bead.id]))[0].title, 'never');
      assert.equal(tx.foreignKeyChecksOff, true);
      throw new TownError('invalid', 'changed my mind');
    }), /changed my mind/);
    assert.equal(await checks(), 1);
    assert.equal((await ledger.show(bead.id)).title, 'fails', 'rolled back');
  });

  test('only an UPDATE of issues that changes no id may run without checks', async () => {
    await assert.rejects(runWrite(pool, 'tester', 'update', async (tx) => tx.updateIssues('UPDATE issues SET id = ? WHERE id = ?', ['fk-new', 'fk-old'])), /not an UPDATE of issues' fields/);
    await assert.rejects(runWrite(pool, 'tester', 'update', async (tx) => tx.updateIssues('UPDATE issues SET title = ?, id = ? WHERE id = ?', ['t', 'fk-new', 'fk-old'])), /not an UPDATE of issues' fields/);
    await assert.rejects(runWrite(pool, 'tester', 'update', async (tx) => tx.updateIssues('DELETE FROM issues WHERE id = ?', ['fk-old'])), /not an UPDATE of issues' fields/);
    assert.equal(await checks(), 1);
  });

  test('the ledger\'s updates and closes keep every foreign key: a deleted bead still takes its labels', async () => {
    const a = await ledger.create({ title: 'a', prefix: 'fk', labels: ['x'] }, 'tester');
    const b = await ledger.create({ title: 'b', prefix: 'fk', dependencies: [{ dependsOnId: a.id }] }, 'tester');
    await ledger.update(a.id, { status: 'in_progress', assignee: 'me' }, 'tester');
    await ledger.closeBead(a.id, 'done', 'tester');
    assert.equal((await ledger.show(b.id)).status, 'open');
    const [before] = await pool.query('SELECT COUNT(*) AS n FROM labels WHERE issue_id = ?', [a.id]);
    assert.equal(Number((before as Array<{ n: number }>)[0].n), 1);
    await pool.query('DELETE FROM issues WHERE id = ?', [a.id]);
    const [left] = await pool.query('SELECT COUNT(*) AS n FROM labels WHERE issue_id = ?', [a.id]);
    assert.equal(Number((left as Array<{ n: number }>)[0].n), 0, 'the cascade still runs');
  });
});
