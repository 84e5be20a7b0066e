// Existing towns migrate forward in place: a ledger at schema v1 (what the app wrote before bd
// compatibility) with beads, labels, dependencies, comments and history is opened by this code, which
// brings it to bd v1.0.5's schema with the data intact (and bd, when available, reads it). A ledger
// newer than the code — the town's own cursor or bd's — is refused and left untouched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { migrate } from '../../main/ledger/migrate.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/ledger/schema.ts';
import { BD_IGNORED_SCHEMA_VERSION, BD_SCHEMA_VERSION } from '../../main/ledger/schema-beads.ts';
import { bdEnvironment, writeBeadsDir } from '../../main/ledger/bd-env.ts';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/contract.ts';
import { bdJson, findBd } from '../helpers/bd.ts';

const skip = doltAvailable();
const bd = findBd();

async function one<T>(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<T> {
  const [rows] = await c.query(sql, params);
  return (rows as T[])[0];
}

/** Rows as the v1 app wrote them: plain SQL in the v1 shape, then a Dolt commit by the actor. */
async function writeV1Town(c: mysql.Connection): Promise<void> {
  await c.query('START TRANSACTION');
  const issue = `INSERT INTO issues (id, title, description, design, acceptance_criteria, notes, status, priority, issue_type, created_by,
    created_at, updated_at, closed_at, close_reason, metadata) VALUES (?, ?, ?, '', '', '', ?, ?, 'task', 'mayor', ?, ?, ?, ?, ?)`;
  await c.query(issue, ['hq-old', 'an old bead', 'from v1', 'open', 1, '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678', null, '', '{"k":"v"}']);
  await c.query(issue, ['hq-blk', 'its blocker', '', 'closed', 2, '2026-01-02 03:04:06.000', '2026-01-03 00:00:00.000', '2026-01-03 00:00:00.000', 'done', '{}']);
  await c.query("INSERT INTO labels (issue_id, label) VALUES ('hq-old', 'legacy')");
  await c.query("INSERT INTO dependencies (id, issue_id, type, created_at, created_by, metadata, thread_id, depends_on_issue_id) VALUES ('11111111-1111-1111-1111-111111111111', 'hq-old', 'blocks', '2026-01-02 03:04:07.000', 'mayor', '{}', '', 'hq-blk')");
  await c.query("INSERT INTO comments (id, issue_id, author, text, created_at) VALUES ('22222222-2222-2222-2222-222222222222', 'hq-old', 'mayor', 'an old comment', '2026-01-02 03:04:08.000')");
  await c.query("INSERT INTO events (id, issue_id, event_type, actor, created_at) VALUES ('33333333-3333-3333-3333-333333333333', 'hq-old', 'created', 'mayor', '2026-01-02 03:04:05.678')");
  await c.query("CALL DOLT_ADD('issues', 'labels', 'dependencies', 'comments', 'events')");
  await c.query("CALL DOLT_COMMIT('-m', 'create hq-old', '--author', 'mayor <mayor@gastown.local>')");
  await c.query('COMMIT');
}

describe('ledger migration forward', { skip: skip ?? false }, () => {
  let dolt: TempDolt;
  let raw: mysql.Connection;

  before(async () => {
    dolt = await startTempDolt();
    const conn = dolt.server.connection();
    const pool = mysql.createPool({ ...conn, dateStrings: true, connectionLimit: 2 });
    try {
      assert.deepEqual(await migrate(pool, conn.database, MIGRATIONS.slice(0, 1)), { from: 0, to: 1 });
    } finally {
      await pool.end();
    }
    raw = await mysql.createConnection({ ...conn, dateStrings: true });
    await writeV1Town(raw);
  });
  after(async () => {
    await raw?.end();
    await dolt?.dispose();
  });

  test('a v1 town opens with the new code: schema v2, bd cursors set, data and history intact', async () => {
    assert.equal((await one<{ n: number }>(raw, "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'")).n, 0);
    const ledger = await Ledger.open(dolt.server.connection());
    try {
      assert.equal(SCHEMA_VERSION, 2);
      assert.equal(Number((await one<{ v: number }>(raw, 'SELECT MAX(version) AS v FROM gt_schema_migrations')).v), SCHEMA_VERSION);
      assert.equal(Number((await one<{ v: number }>(raw, 'SELECT MAX(version) AS v FROM schema_migrations')).v), BD_SCHEMA_VERSION);
      assert.equal(Number((await one<{ v: number }>(raw, 'SELECT MAX(version) AS v FROM ignored_schema_migrations')).v), BD_IGNORED_SCHEMA_VERSION);
      const old = await ledger.show('hq-old');
      assert.equal(old.title, 'an old bead');
      assert.equal(old.description, 'from v1');
      assert.equal(old.priority, 1);
      assert.equal(old.createdAt, '2026-01-02T03:04:05.678Z', 'millisecond times survive');
      assert.deepEqual(old.metadata, { k: 'v' });
      assert.deepEqual(old.labels, ['legacy']);
      assert.deepEqual(old.dependencies?.map((d) => [d.dependsOnId, d.type]), [['hq-blk', 'blocks']]);
      assert.deepEqual(old.comments?.map((c) => [c.id, c.text]), [['22222222-2222-2222-2222-222222222222', 'an old comment']]);
      assert.equal((await ledger.show('hq-blk')).closeReason, 'done');
      assert.ok((await ledger.history('hq-old')).some((h) => h.message === 'create hq-old' && h.author === 'mayor'), 'history kept');
      const [status] = await raw.query('SELECT table_name FROM dolt_status');
      assert.deepEqual(status, [], 'the migration is committed, the wisp tables are ignored');
      const [log] = await raw.query("SELECT message FROM dolt_log WHERE message LIKE 'schema: migrate to v2%'");
      assert.equal((log as unknown[]).length, 1);
      // The new code writes into the migrated tables as before.
      const fresh = await ledger.create({ title: 'after the migration', labels: ['new'] }, 'mayor');
      assert.equal((await ledger.show(fresh.id)).labels[0], 'new');
      if (bd.path) {
        const home = mkdtempSync(join(tmpdir(), 'gt-bd-home-'));
        try {
          const beadsDir = join(dolt.dir, '.beads');
          writeBeadsDir(beadsDir, dolt.server.connection().database);
          const listed = await bdJson<Array<{ id: string }>>(bd.path, ['list', '--all'], bdEnvironment(dolt.server.connection(), beadsDir), home);
          assert.deepEqual(listed.map((x) => x.id).sort(), ['hq-blk', 'hq-old', fresh.id].sort(), 'bd reads the migrated town');
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      } else {
        console.log(`# ledger-migrate: the bd read of the migrated town ${bd.reason}`);
      }
    } finally {
      await ledger.close();
    }
    // Opening again is a no-op: no second migration commit.
    const again = await Ledger.open(dolt.server.connection());
    await again.close();
    const [log] = await raw.query("SELECT message FROM dolt_log WHERE message LIKE 'schema:%'");
    assert.equal((log as unknown[]).length, 2, 'v1 and v2, once each');
  });

  test('a town newer than the code is refused and left untouched', async () => {
    const head = (await one<{ h: string }>(raw, "SELECT HASHOF('HEAD') AS h")).h;
    await raw.query("INSERT INTO gt_schema_migrations (version, name) VALUES (?, 'from the future')", [SCHEMA_VERSION + 1]);
    try {
      await assert.rejects(Ledger.open(dolt.server.connection()), (e: unknown) => e instanceof TownError && e.code === 'conflict' && /newer than this Gas Town Desktop/.test(e.message));
    } finally {
      await raw.query('DELETE FROM gt_schema_migrations WHERE version = ?', [SCHEMA_VERSION + 1]);
    }
    await raw.query('INSERT INTO schema_migrations (version) VALUES (?)', [BD_SCHEMA_VERSION + 1]);
    try {
      await assert.rejects(Ledger.open(dolt.server.connection()), (e: unknown) => e instanceof TownError && e.code === 'conflict' && /newer bd/.test(e.message));
    } finally {
      await raw.query('DELETE FROM schema_migrations WHERE version = ?', [BD_SCHEMA_VERSION + 1]);
    }
    assert.equal((await one<{ h: string }>(raw, "SELECT HASHOF('HEAD') AS h")).h, head, 'no commit by a refused open');
  });
});
