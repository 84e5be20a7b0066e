// Benchmark: what updates of issues cost Dolt, on one Dolt server with 3,000 beads, in one run,
// interleaved. Each case is a whole committed write (runWrite: BEGIN, its statements, the events
// rows, DOLT_ADD, DOLT_COMMIT, COMMIT; statements whose answer it does not need go together in one
// round trip, write-tx.ts). Two comparisons:
//  - foreign key checks: an UPDATE with Dolt's checks (the baseline: every child table of issues is
//    checked on every statement, though no update changes an id) against the same UPDATE as
//    WriteTx.updateIssues runs it (checks off for it, on again after), in writes of one and three;
//  - read-backs: `gt done`'s write of three updates (its bead to review, the next bead hooked, the
//    agent's metadata) through applyUpdate as the ledger runs it now (the rows with their labels read
//    once, the Beads built from them) against the same write as before (the rows without labels,
//    then each bead read again with its labels after its UPDATE: beadInTx, as 59f9553 did).
// Prints wall time, statements, round trips and Dolt's CPU per write (from /proc, 10 ms ticks summed over the
// runs) and the ratios.
//   npx tsx bench/ledger-update.ts            (RUNS=100 writes per case and round, 2 rounds)
import type { Bead } from '../preload/types.ts';
import { Ledger } from '../main/ledger/ledger.ts';
import { applyUpdate } from '../main/ledger/bead-update.ts';
import { beadInTx, beadRowsInTx } from '../main/ledger/ledger-context.ts';
import type { IssueRow } from '../main/ledger/bead-rows.ts';
import { BeadUpdateSchema, type BeadUpdate } from '../main/ledger/ledger-schemas.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import mysql from 'mysql2/promise';
import { runWrite, writePoolOptions, type WriteTx } from '../main/ledger/write-tx.ts';
import { cpuSeconds } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 100);
const town = await startTempDolt();
try {
  const ledger = await Ledger.open(town.server.connection());
  // In writes of 500: a batch of 3,000 takes ~15 s, and a rerun after an id collision then runs out
  // of the conflict budget.
  const beads: Bead[] = [];
  for (let from = 0; from < 3000; from += 500) {
    beads.push(...(await ledger.createMany(Array.from({ length: 500 }, (_, i) => ({ title: `b ${from + i}`, prefix: 'lu', labels: ['a'] })), 'bench')));
  }
  const pool = mysql.createPool({ ...town.server.connection(), connectionLimit: 1, ...writePoolOptions });
  const statements = countStatements(pool as unknown as Pool);
  const sql = 'UPDATE issues SET assignee = ?, metadata = ?, status = ?, updated_at = ? WHERE id = ?';
  const params = (tx: WriteTx, i: number, k: number) => [`r/polecats/p${i % 30}`, JSON.stringify({ gt: { n: i, branch: `polecat/p/${i}` } }), i % 2 ? 'open' : 'in_progress', tx.now, beads[(i * 3 + k) % beads.length].id];
  const write = (updates: number, checked: boolean) => (i: number) => runWrite(pool, 'bench', 'update', async (tx) => {
    for (let k = 0; k < updates; k++) {
      if (checked) await tx.exec(sql, params(tx, i, k));
      else tx.updateIssues(sql, params(tx, i, k));
    }
    await tx.event({ issueId: beads[(i * 3) % beads.length].id, type: 'updated' });
    tx.touch('issues');
    tx.subject = `bench ${i}`;
  });

  /** `gt done`'s three updates on the i-th triple of beads: status and assignee change on two, metadata on all three. */
  const doneItems = (i: number): Array<{ id: string; patch: BeadUpdate }> => {
    const id = (k: number) => beads[(i * 3 + k) % beads.length].id;
    const flip = Math.floor(i / (beads.length / 3)) % 2 === 0;
    return [
      { id: id(0), patch: { status: flip ? 'in_progress' : 'hooked', assignee: flip ? 'r/refinery' : `r/polecats/p${i % 30}`, metadata: { gt: { review: { mergeRequest: `lu-mr${i}` }, n: i } } } },
      { id: id(1), patch: { status: flip ? 'hooked' : 'open', assignee: flip ? `r/polecats/p${i % 30}` : null, metadata: { gt: { branch: `polecat/p/${i}` } } } },
      { id: id(2), patch: { metadata: { state: 'working', hook: id(1), lastBead: id(0), n: i } } },
    ];
  };
  const doneWrite = (readBack: boolean) => (i: number) => runWrite(pool, 'bench', 'update', async (tx) => {
    const items = doneItems(i).map((x) => ({ id: x.id, p: BeadUpdateSchema.parse(x.patch) }));
    const ids = items.map((x) => x.id);
    const rows = readBack ? await rowsWithoutLabels(tx, ids) : await beadRowsInTx(tx, ids);
    for (const x of items) await applyUpdate(tx, x.id, x.p, undefined, rows.get(x.id));
    if (readBack) for (const id of ids) await beadInTx(tx, id);
    tx.subject = ids.join(' ');
  });

  const cases: Array<[string, (i: number) => Promise<unknown>]> = [
    ['1 update, checks on (baseline)', write(1, true)],
    ['1 update, updateIssues', write(1, false)],
    ['3 updates, checks on (baseline)', write(3, true)],
    ['3 updates, updateIssues', write(3, false)],
    ["gt done's 3 updates, read back (before)", doneWrite(true)],
    ["gt done's 3 updates, built (now)", doneWrite(false)],
  ];
  for (const [, fn] of cases) for (let i = 0; i < 10; i++) await fn(i);
  const results = new Map<string, { wall: number; cpu: number; statements: number; trips: number }>();
  let n = 0;
  for (let round = 0; round < 2; round++) {
    for (const [name, fn] of cases) {
      const c0 = cpuSeconds(town.server.pid);
      const s0 = statements.count;
      const t0trips = statements.trips;
      const t0 = performance.now();
      for (let i = 0; i < RUNS; i++) await fn(n++);
      const r = results.get(name) ?? { wall: 0, cpu: 0, statements: 0, trips: 0 };
      results.set(name, {
        wall: r.wall + (performance.now() - t0), cpu: r.cpu + (cpuSeconds(town.server.pid) - c0) * 1000,
        statements: r.statements + statements.count - s0, trips: r.trips + statements.trips - t0trips,
      });
    }
  }
  const per = (name: string) => { const r = results.get(name)!; return { wall: r.wall / (2 * RUNS), cpu: r.cpu / (2 * RUNS), statements: r.statements / (2 * RUNS), trips: r.trips / (2 * RUNS) }; };
  console.log(`committed writes on Dolt with ${beads.length} beads (${2 * RUNS} per case, interleaved in 2 rounds):`);
  for (const [name] of cases) {
    const p = per(name);
    console.log(`  ${name.padEnd(42)} ${p.wall.toFixed(2)} ms wall, ${p.statements.toFixed(0)} statements in ${p.trips.toFixed(0)} round trips, Dolt ${p.cpu.toFixed(1)} CPU-ms per write`);
  }
  const ratio = (label: string, baseline: string, variant: string) => {
    const b = per(baseline);
    const v = per(variant);
    console.log(`  ${label} = ${(v.wall / b.wall).toFixed(2)}× wall, ${(v.cpu / b.cpu).toFixed(2)}× Dolt CPU (${(b.cpu - v.cpu).toFixed(1)} CPU-ms less per write)`);
  };
  ratio('1 update: updateIssues / baseline', '1 update, checks on (baseline)', '1 update, updateIssues');
  ratio('3 updates: updateIssues / baseline', '3 updates, checks on (baseline)', '3 updates, updateIssues');
  ratio("gt done's 3 updates: built / read back", "gt done's 3 updates, read back (before)", "gt done's 3 updates, built (now)");
  await pool.end();
  await ledger.close();
} finally {
  await town.dispose();
}

type Connection = { query: (...a: unknown[]) => unknown };
type Pool = { getConnection: () => Promise<Connection> };

/** Counts the statements and round trips on the pool's connections (the writes run on connections it hands out). */
function countStatements(pool: Pool): { count: number; trips: number } {
  const counter = { count: 0, trips: 0 };
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = async () => {
    const conn = await getConnection();
    const query = conn.query;
    conn.query = (...a: unknown[]) => {
      counter.trips++;
      counter.count += String(a[0]).split(';\n').length;
      return query.apply(conn, a);
    };
    return conn;
  };
  return counter;
}

/** The rows as the write read them before (59f9553): `SELECT *`, no labels. */
async function rowsWithoutLabels(tx: WriteTx, ids: string[]): Promise<Map<string, IssueRow>> {
  const rows = await tx.query<IssueRow>('SELECT * FROM issues WHERE id IN (?)', [ids]);
  return new Map(rows.map((r) => [String(r.id), r]));
}
