// A started `dolt sql-server` runs with the town's memory settings (main/ledger/dolt-settings.ts):
// read back from the live process's own environment (Linux /proc), and the server answers queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { doltAvailable, startTempDolt } from '../../main/ledger/temp-dolt.ts';
import { totalmem } from 'node:os';
import { DOLT_MEMORY_DEFAULTS, DOLT_STATS_JOB_INTERVAL_MS, defaultMemoryLimitMiB } from '../../main/ledger/dolt-settings.ts';

const skip = doltAvailable() ?? (process.platform !== 'linux' ? 'reads the server environment from /proc (Linux only)' : false);

function environmentOf(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

test('the dolt server runs with the default memory settings, or the ones it is given, and answers', { skip, timeout: 180_000 }, async () => {
  const saved = { GOMEMLIMIT: process.env.GOMEMLIMIT, GOGC: process.env.GOGC, DOLT_COMMIT_CACHE_SIZE: process.env.DOLT_COMMIT_CACHE_SIZE };
  for (const k of Object.keys(saved)) delete process.env[k];
  const defaults = await startTempDolt();
  const given = await startTempDolt({ memory: { memoryLimitMiB: 96, gogc: 40, commitCacheSize: 512 } }).catch(async (e: unknown) => {
    await defaults.dispose();
    throw e;
  });
  try {
    const d = environmentOf(defaults.server.pid!);
    assert.equal(d.get('GOMEMLIMIT'), `${defaultMemoryLimitMiB(totalmem())}MiB`, "the default for this machine's memory");
    assert.equal(d.get('GOGC'), String(DOLT_MEMORY_DEFAULTS.gogc));
    assert.equal(d.get('DOLT_COMMIT_CACHE_SIZE'), String(DOLT_MEMORY_DEFAULTS.commitCacheSize));
    const g = environmentOf(given.server.pid!);
    assert.equal(g.get('GOMEMLIMIT'), '96MiB');
    assert.equal(g.get('GOGC'), '40');
    assert.equal(g.get('DOLT_COMMIT_CACHE_SIZE'), '512');
    // With its limit set, the server still does real work: a table, rows, a Dolt commit.
    const c = given.server.connection();
    const conn = await mysql.createConnection({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
    try {
      await conn.query('CREATE TABLE t (id INT PRIMARY KEY, v TEXT)');
      await conn.query('INSERT INTO t VALUES (1, ?), (2, ?)', ['a'.repeat(1000), 'b']);
      await conn.query("CALL DOLT_COMMIT('-Am', 'rows')");
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM t');
      assert.equal((rows as Array<{ n: number }>)[0].n, 2);
    } finally {
      await conn.end();
    }
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    await Promise.all([defaults.dispose(), given.dispose()]);
  }
});

test("the town's server keeps no index statistics unless asked; asked, one job every 5 s", { skip: doltAvailable() ?? false, timeout: 180_000 }, async () => {
  const saved = process.env.GT_DOLT_STATS;
  delete process.env.GT_DOLT_STATS;
  const off = await startTempDolt();
  const on = await startTempDolt({ stats: true }).catch(async (e: unknown) => {
    await off.dispose();
    throw e;
  });
  const settings = async (t: typeof off): Promise<{ enabled: string; interval: string }> => {
    const c = t.server.connection();
    const conn = await mysql.createConnection({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
    try {
      const [rows] = await conn.query('SELECT @@GLOBAL.dolt_stats_enabled AS enabled, @@GLOBAL.dolt_stats_job_interval AS intervalMs');
      const row = (rows as Array<{ enabled: unknown; intervalMs: unknown }>)[0];
      return { enabled: String(row.enabled), interval: String(row.intervalMs) };
    } finally {
      await conn.end();
    }
  };
  try {
    assert.deepEqual(await settings(on), { enabled: '1', interval: String(DOLT_STATS_JOB_INTERVAL_MS) });
    assert.equal((await settings(off)).enabled, '0');
  } finally {
    if (saved !== undefined) process.env.GT_DOLT_STATS = saved;
    await Promise.all([off.dispose(), on.dispose()]);
  }
});
