// A pull whose conflicts have no rule, on two real Dolt servers: our row is kept, the remote's row
// goes to the inbox (the escalation the town raises), nothing is dropped; a merge that would break
// a constraint is rolled back whole and raised too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { openConnection, rows } from '../../main/town/federation/dolt-sync.ts';
import { LedgerRemotes } from '../../main/town/federation/ledger-remotes.ts';

const skip = doltAvailable();
let a: TempDolt;
let b: TempDolt;
let la: Ledger;
let lb: Ledger;
let ca: mysql.Connection;
let cb: mysql.Connection;
let folder: string;
const raised: Array<{ message: string; details: Record<string, unknown> }> = [];
let remotesB: LedgerRemotes;
let remotesA: LedgerRemotes;

before(async () => {
  if (skip) return;
  folder = mkdtempSync(join(tmpdir(), 'gt-merge-remote-'));
  [a, b] = await Promise.all([startTempDolt(), startTempDolt()]);
  la = await Ledger.open(a.server.connection());
  const url = pathToFileURL(join(folder, 'r')).href;
  const escalate = async (message: string, details: Record<string, unknown>) => { raised.push({ message, details }); return `esc-${raised.length}`; };
  remotesA = new LedgerRemotes({ conn: a.server.connection(), ledger: la, escalate, log: () => undefined });
  await remotesA.add('r', url);
  await la.create({ title: 'seed' }, 'ta');
  await remotesA.sync('push', 'r');
  const root = await openConnection(b.server.connection(), null);
  await root.query("CALL DOLT_CLONE(?, 'copy')", [url]);
  await root.end();
  const connB = { ...b.server.connection(), database: 'copy' };
  lb = await Ledger.open(connB);
  remotesB = new LedgerRemotes({ conn: connB, ledger: lb, escalate, log: () => undefined });
  ca = await openConnection(a.server.connection(), 'town');
  cb = await openConnection(connB, 'copy');
});

after(async () => {
  await ca?.end().catch(() => undefined);
  await cb?.end().catch(() => undefined);
  await la?.close();
  await lb?.close();
  await a?.dispose();
  await b?.dispose();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test('a conflict without a rule keeps our row and raises the remote\'s row to the inbox', { skip: skip ?? false, timeout: 300_000 }, async () => {
  await ca.query("REPLACE INTO config (`key`, value) VALUES ('team', 'from A')");
  await ca.query("CALL DOLT_COMMIT('-A', '-m', 'config from A')");
  await remotesA.sync('push', 'r');
  await cb.query("REPLACE INTO config (`key`, value) VALUES ('team', 'from B')");
  await cb.query("CALL DOLT_COMMIT('-A', '-m', 'config from B')");
  const [report] = await remotesB.sync('pull', 'origin');
  assert.deepEqual(report.errors, []);
  assert.equal(report.pull?.outcome, 'merged');
  assert.equal(report.pull?.unresolved.length, 1);
  assert.deepEqual(report.pull?.unresolved[0].key, { key: 'team' });
  assert.equal(report.pull?.unresolved[0].theirs?.value, 'from A');
  assert.equal(report.pull?.escalation, 'esc-1');
  assert.match(raised[0].message, /no merge rule/);
  const [row] = await rows<{ value: string }>(cb, "SELECT value FROM config WHERE `key` = 'team'");
  assert.equal(row.value, 'from B', 'ours is kept');
  assert.equal((await rows(cb, 'SELECT * FROM dolt_conflicts')).length, 0, 'no conflict left behind');
});

test('a merge that would break a constraint is rolled back whole and raised', { skip: skip ?? false, timeout: 300_000 }, async (t) => {
  // Bring B level with A first.
  await remotesB.sync('push', 'origin');
  await remotesA.sync('pull', 'r');
  const bead = await la.create({ title: 'to be deleted' }, 'ta');
  await remotesA.sync('push', 'r');
  await remotesB.sync('pull', 'origin');
  // A deletes the bead; B comments on it.
  await ca.query('DELETE FROM issues WHERE id = ?', [bead.id]);
  await ca.query("CALL DOLT_COMMIT('-A', '-m', 'delete')");
  await remotesA.sync('push', 'r');
  await lb.addComment(bead.id, 'a comment on a bead A deleted', 'tb');
  const headBefore = (await rows<{ h: string }>(cb, "SELECT HASHOF('HEAD') AS h"))[0].h;
  const [report] = await remotesB.sync('pull', 'origin');
  const headAfter = (await rows<{ h: string }>(cb, "SELECT HASHOF('HEAD') AS h"))[0].h;
  t.diagnostic(`pull outcome: ${report.pull?.outcome} ${report.pull?.reason ?? ''}`);
  if (report.pull?.outcome === 'aborted') {
    assert.equal(headAfter, headBefore, 'main unchanged');
    assert.match(report.pull.reason ?? '', /constraint/);
    assert.ok(report.pull.escalation, 'raised to the inbox');
  } else {
    // Dolt may instead report the delete/modify as a row conflict: the change wins, the bead is kept.
    assert.equal(report.pull?.outcome, 'merged');
    assert.equal((await lb.getMany([bead.id])).length, 1, 'the bead with the new comment is kept');
  }
  assert.equal((await rows(cb, 'SELECT * FROM dolt_conflicts')).length, 0);
});
