// The real bd v1.0.5 on a town ledger of N beads (migrated by the Ledger): how long bd's commands
// take, against `bd version` (process start, no database) in the same run, and how long the schema
// v1 → v2 migration takes on that ledger against a no-op open. Ratios are what to compare.
//   npx tsx bench/bd-compat.ts            (BEADS=500, ROUNDS=5 by default; needs bd 1.0.5, see test/helpers/bd.ts)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Ledger } from '../main/ledger/ledger.ts';
import { migrate } from '../main/ledger/migrate.ts';
import { MIGRATIONS } from '../main/ledger/schema.ts';
import { bdEnvironment, writeBeadsDir } from '../main/ledger/bd-env.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { findBd, runBd } from '../test/helpers/bd.ts';
import { ms, pct, time } from './ledger-bench-util.ts';

const BEADS = Number(process.env.BEADS ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const bd = findBd();
if (!bd.path) {
  console.log(`bd-compat: ${bd.reason}`);
  process.exit(0);
}
const dolt = await startTempDolt();
const home = mkdtempSync(join(tmpdir(), 'gt-bd-bench-'));
try {
  const conn = dolt.server.connection();
  // A v1 town (the app before bd compatibility) with BEADS beads.
  const pool = mysql.createPool({ ...conn, connectionLimit: 2 });
  await migrate(pool, conn.database, MIGRATIONS.slice(0, 1));
  const rows = Array.from({ length: BEADS }, (_, i) => [`hq-b${i.toString(36).padStart(4, '0')}`, `bead ${i}`, '', '', '', '', 'open', i % 5, 'task', 'bench', '{}', '']);
  await pool.query('INSERT INTO issues (id, title, description, design, acceptance_criteria, notes, status, priority, issue_type, created_by, metadata, close_reason) VALUES ?', [rows]);
  await pool.query("CALL DOLT_ADD('issues')");
  await pool.query("CALL DOLT_COMMIT('-m', 'bench beads', '--author', 'bench <bench@gastown.local>')");
  await pool.end();
  let ledger: Ledger | undefined;
  const migration = await time(async () => { ledger = await Ledger.open(conn); });
  await ledger!.close();
  const reopen = await time(async () => { ledger = await Ledger.open(conn); });
  console.log(`migration v1 → v2 on ${BEADS} beads: ${ms(migration)} (a no-op open: ${ms(reopen)}, ratio ${(migration / reopen).toFixed(1)}×)`);

  const beadsDir = join(dolt.dir, '.beads');
  writeBeadsDir(beadsDir, conn.database);
  const env = bdEnvironment(conn, beadsDir, 'bench');
  const bdRun = async (args: string[]) => {
    const r = await runBd(bd.path!, args, env, home);
    if (r.code !== 0) throw new Error(`bd ${args.join(' ')}: ${r.stderr}`);
  };
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['bd version (baseline)', () => bdRun(['version'])],
    ['bd list --json', () => bdRun(['list', '--json', '--limit', '0'])],
    ['bd ready --json', () => bdRun(['ready', '--json'])],
    ['bd show --json', () => bdRun(['show', 'hq-b0001', '--json'])],
    ['bd create', () => bdRun(['create', 'bench create', '--json'])],
    ['Ledger.list (in process)', () => ledger!.list()],
  ];
  const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
  for (let i = 0; i < ROUNDS; i++) for (const [name, fn] of cases) samples.get(name)!.push(await time(fn));
  const base = pct(samples.get('bd version (baseline)')!, 50);
  for (const [name, xs] of samples) console.log(`${name.padEnd(28)} p50 ${ms(pct(xs, 50)).padStart(9)}  ×${(pct(xs, 50) / base).toFixed(2)} of bd version`);
  await ledger!.close();
} finally {
  await dolt.dispose();
  rmSync(home, { recursive: true, force: true });
}
