// Benchmark: what an UPDATE of issues costs Dolt with its foreign key checks (the baseline: every
// child table of issues is checked on every statement, though no update changes an id) against the
// same UPDATE as WriteTx.updateIssues runs it (checks off for it, on again after), in writes of one
// and three updates (`gt done`'s write updates three beads), on one Dolt server with 3,000 beads, in
// one run, interleaved. Each case is a whole committed write (runWrite: BEGIN, the updates, an events
// row, DOLT_ADD, DOLT_COMMIT, COMMIT). Prints wall time and Dolt's CPU per write (from /proc, 10 ms
// ticks summed over the runs) and the ratios.
//   npx tsx bench/ledger-update.ts            (RUNS=100 writes per case and round, 2 rounds)
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { runWrite, type WriteTx } from '../main/ledger/write-tx.ts';
import { cpuSeconds } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 100);
const town = await startTempDolt();
try {
  const ledger = await Ledger.open(town.server.connection());
  const beads = await ledger.createMany(Array.from({ length: 3000 }, (_, i) => ({ title: `b ${i}`, prefix: 'lu', labels: ['a'] })), 'bench');
  const sql = 'UPDATE issues SET assignee = ?, metadata = ?, status = ?, updated_at = ? WHERE id = ?';
  const params = (tx: WriteTx, i: number, k: number) => [`r/polecats/p${i % 30}`, JSON.stringify({ gt: { n: i, branch: `polecat/p/${i}` } }), i % 2 ? 'open' : 'in_progress', tx.now, beads[(i * 3 + k) % beads.length].id];
  const write = (updates: number, checked: boolean) => (i: number) => runWrite(ledger.pool, 'bench', 'update', async (tx) => {
    for (let k = 0; k < updates; k++) {
      if (checked) await tx.exec(sql, params(tx, i, k));
      else await tx.updateIssues(sql, params(tx, i, k));
    }
    await tx.event({ issueId: beads[(i * 3) % beads.length].id, type: 'updated' });
    tx.touch('issues');
    tx.subject = `bench ${i}`;
  });
  const cases: Array<[string, (i: number) => Promise<unknown>]> = [
    ['1 update, checks on (baseline)', write(1, true)],
    ['1 update, updateIssues', write(1, false)],
    ['3 updates, checks on (baseline)', write(3, true)],
    ['3 updates, updateIssues', write(3, false)],
  ];
  for (const [, fn] of cases) for (let i = 0; i < 10; i++) await fn(i);
  const results = new Map<string, { wall: number; cpu: number }>();
  let n = 0;
  for (let round = 0; round < 2; round++) {
    for (const [name, fn] of cases) {
      const c0 = cpuSeconds(town.server.pid);
      const t0 = performance.now();
      for (let i = 0; i < RUNS; i++) await fn(n++);
      const r = results.get(name) ?? { wall: 0, cpu: 0 };
      results.set(name, { wall: r.wall + (performance.now() - t0), cpu: r.cpu + (cpuSeconds(town.server.pid) - c0) * 1000 });
    }
  }
  const per = (name: string) => { const r = results.get(name)!; return { wall: r.wall / (2 * RUNS), cpu: r.cpu / (2 * RUNS) }; };
  console.log(`committed writes on Dolt with ${beads.length} beads (${2 * RUNS} per case, interleaved in 2 rounds):`);
  for (const [name] of cases) console.log(`  ${name.padEnd(34)} ${per(name).wall.toFixed(2)} ms wall, Dolt ${per(name).cpu.toFixed(1)} CPU-ms per write`);
  for (const k of [1, 3]) {
    const on = per(`${k} update${k > 1 ? 's' : ''}, checks on (baseline)`);
    const off = per(`${k} update${k > 1 ? 's' : ''}, updateIssues`);
    console.log(`  ${k} update${k > 1 ? 's' : ''}: updateIssues / baseline = ${(off.wall / on.wall).toFixed(2)}× wall, ${(off.cpu / on.cpu).toFixed(2)}× Dolt CPU`);
  }
  await ledger.close();
} finally {
  await town.dispose();
}
