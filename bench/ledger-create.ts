// Benchmark: one committed bead create through the Ledger vs. a raw mysql2 INSERT + DOLT_ADD +
// DOLT_COMMIT on the same server in the same run (target ratio ≤ 1.25), and batched creates
// (100 beads per transaction) vs. one-by-one. Run: npx tsx bench/ledger-create.ts
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { ms, pct, time } from './ledger-bench-util.ts';

const N = Number(process.env.N ?? 200);
const town = await startTempDolt();
try {
  const ledger = await Ledger.open(town.server.connection());
  const raw = await mysql.createConnection(town.server.connection());
  const rawCreate = async (i: number) => {
    await raw.query('BEGIN');
    const id = `hq-r${i.toString(36)}${randomUUID().slice(0, 4)}`;
    await raw.query(
      "INSERT INTO issues (id, title, description, design, acceptance_criteria, notes, close_reason, metadata, created_by, created_at, updated_at) VALUES (?, ?, '', '', '', '', '', '{}', 'bench', NOW(3), NOW(3))",
      [id, `raw ${i}`],
    );
    await raw.query("CALL DOLT_ADD('issues')");
    await raw.query("CALL DOLT_COMMIT('-m', ?, '--author', 'bench <bench@gastown.local>')", [`create ${id}`]);
    await raw.query('COMMIT');
  };
  // warm-up both paths
  for (let i = 0; i < 10; i++) { await rawCreate(-i - 1); await ledger.create({ title: `warm ${i}` }, 'bench'); }
  const rawT: number[] = [];
  const ledT: number[] = [];
  for (let i = 0; i < N; i++) {
    // interleaved so drift on a noisy machine hits both equally
    rawT.push(await time(() => rawCreate(i)));
    ledT.push(await time(() => ledger.create({ title: `bench ${i}` }, 'bench')));
  }
  console.log(`single create, ${N} each, interleaved`);
  console.log(`  raw INSERT+DOLT_COMMIT  p50 ${ms(pct(rawT, 50))}  p95 ${ms(pct(rawT, 95))}`);
  console.log(`  Ledger.create           p50 ${ms(pct(ledT, 50))}  p95 ${ms(pct(ledT, 95))}`);
  console.log(`  ratio ledger/raw        p50 ${(pct(ledT, 50) / pct(rawT, 50)).toFixed(2)}  p95 ${(pct(ledT, 95) / pct(rawT, 95)).toFixed(2)}  (target ≤ 1.25)`);

  const B = 5;
  const oneByOne = await time(async () => { for (let i = 0; i < B * 100; i++) await ledger.create({ title: `single ${i}` }, 'bench'); });
  const batched = await time(async () => {
    for (let b = 0; b < B; b++) await ledger.createMany(Array.from({ length: 100 }, (_, i) => ({ title: `batch ${b}-${i}` })), 'bench');
  });
  const perSecSingle = (B * 100) / (oneByOne / 1000);
  const perSecBatch = (B * 100) / (batched / 1000);
  console.log(`batched creates (${B} × 100 per transaction) vs one-by-one (${B * 100})`);
  console.log(`  one-by-one ${perSecSingle.toFixed(0)} beads/s   batched ${perSecBatch.toFixed(0)} beads/s   ratio ${(perSecBatch / perSecSingle).toFixed(1)}×`);
  await raw.end();
  await ledger.close();
} finally {
  await town.dispose();
}
