// Brings a ledger database to the schema this code knows, under a named lock so two opens never
// migrate at once; refuses a database migrated by a newer version of the app.
import type { Pool } from 'mysql2/promise';
import { TownError } from '../../preload/contract.ts';
import { MIGRATIONS, type Migration } from './schema.ts';
import { BD_SCHEMA_VERSION } from './schema-beads.ts';

const TOWN_AUTHOR = 'Gas Town <town@gastown.local>';

export async function schemaVersion(pool: Pool): Promise<number> {
  const [t] = await pool.query(
    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'gt_schema_migrations'",
  );
  if (Number((t as Array<{ n: number }>)[0].n) === 0) return 0;
  const [rows] = await pool.query('SELECT COALESCE(MAX(version), 0) AS v FROM gt_schema_migrations');
  return Number((rows as Array<{ v: number }>)[0].v);
}

async function tableExists(pool: Pool, name: string): Promise<boolean> {
  const [t] = await pool.query(
    'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [name],
  );
  return Number((t as Array<{ n: number }>)[0].n) > 0;
}

/** bd's own cursor (`schema_migrations`), 0 when absent. */
export async function bdSchemaVersion(pool: Pool): Promise<number> {
  if (!(await tableExists(pool, 'schema_migrations'))) return 0;
  const [rows] = await pool.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
  return Number((rows as Array<{ v: number }>)[0].v);
}

/**
 * `migrations` defaults to the code's own list; tests pass a prefix of it to build a town as an older
 * version of the app left it.
 */
export async function migrate(pool: Pool, database: string, migrations: Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  const SCHEMA_VERSION = migrations[migrations.length - 1].version;
  const conn = await pool.getConnection();
  const lock = `gt_schema:${database}`;
  try {
    const [got] = await conn.query('SELECT GET_LOCK(?, 30) AS ok', [lock]);
    if (Number((got as Array<{ ok: number }>)[0].ok) !== 1) {
      throw new TownError('unavailable', 'another process is migrating the ledger schema; try again');
    }
    const from = await schemaVersion(pool);
    if (from > SCHEMA_VERSION) {
      throw new TownError(
        'conflict',
        `the town ledger has schema version ${from}, newer than this Gas Town Desktop understands (${SCHEMA_VERSION}); upgrade the app to open this town`,
      );
    }
    const bd = await bdSchemaVersion(pool);
    if (bd > BD_SCHEMA_VERSION && from >= 2) {
      throw new TownError(
        'conflict',
        `the town ledger was migrated by a newer bd (bd schema ${bd}); this Gas Town Desktop works with bd v1.0.5's schema (${BD_SCHEMA_VERSION}); upgrade the app to open this town`,
      );
    }
    for (const m of migrations.filter((x) => x.version > from)) {
      for (const step of m.statements) {
        if (typeof step === 'string') {
          await conn.query(step);
          continue;
        }
        try {
          await conn.query(step.sql);
        } catch (e) {
          if (!step.ignore.test((e as Error).message)) throw e;
        }
      }
      await conn.query('INSERT IGNORE INTO gt_schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name]);
      await conn.query(`CALL DOLT_ADD(${m.tables.map(() => '?').join(', ')})`, m.tables);
      try {
        await conn.query("CALL DOLT_COMMIT('-m', ?, '--author', ?)", [`schema: migrate to v${m.version} (${m.name})`, TOWN_AUTHOR]);
      } catch (e) {
        if (!/nothing to commit/i.test((e as Error).message)) throw e;
      }
    }
    await commitLeftovers(conn);
    return { from, to: Math.max(from, SCHEMA_VERSION) };
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    conn.release();
  }
}

/**
 * A crash between a transaction's SQL commit and its Dolt commit (or a foreign writer that never
 * Dolt-commits) leaves rows in the working set. Record them now, so history and the feed see them and
 * later writes do not absorb them under the wrong author.
 */
async function commitLeftovers(conn: import('mysql2/promise').PoolConnection): Promise<void> {
  const [rows] = await conn.query("SELECT DISTINCT table_name AS t FROM dolt_status WHERE table_name NOT LIKE 'gt_ephemeral%' AND table_name NOT LIKE 'wisp%' AND table_name NOT IN ('local_metadata', 'repo_mtimes', 'ignored_schema_migrations')");
  const tables = (rows as Array<{ t: string }>).map((r) => r.t);
  if (!tables.length) return;
  await conn.query(`CALL DOLT_ADD(${tables.map(() => '?').join(', ')})`, tables);
  try {
    await conn.query("CALL DOLT_COMMIT('-m', 'recover: commit changes left uncommitted', '--author', ?)", [TOWN_AUTHOR]);
  } catch (e) {
    if (!/nothing to commit/i.test((e as Error).message)) throw e;
  }
}
