// Benchmark: `ready` latency at 1,000, 10,000 and 100,000 beads with realistic dependencies (epics with
// children, ~20% of beads blocked by another, ~30% closed). Target: growth from 1k to 100k within 5×.
// The baseline is the same query at 1k beads in the same run. Run: npx tsx bench/ledger-ready.ts
// (SIZES=1000,10000 to shorten.)
import mysql from 'mysql2/promise';
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { ms, pct, time } from './ledger-bench-util.ts';

const SIZES = (process.env.SIZES ?? '1000,10000,100000').split(',').map(Number);
const RUNS = 30;
const town = await startTempDolt();
try {
  const ledger = await Ledger.open(town.server.connection());
  const raw = await mysql.createConnection(town.server.connection());
  let n = 0;
  const t0 = Date.now();
  const pad = (i: number) => `hq-${i.toString(36).padStart(6, '0')}`;
  const seedTo = async (target: number) => {
    while (n < target) {
      const chunk = Math.min(2000, target - n);
      const issues: unknown[][] = [];
      const deps: unknown[][] = [];
      for (let k = 0; k < chunk; k++, n++) {
        const id = pad(n);
        const epic = n % 10 === 0;
        const closed = !epic && n % 10 < 3;
        const created = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace('T', ' ').replace('Z', '');
        issues.push([id, `bead ${n}`, closed ? 'closed' : 'open', n % 5, epic ? 'epic' : 'task', created, created, closed ? created : null]);
        if (!epic) deps.push([`${id}-p`, id, 'parent-child', pad(n - (n % 10)), created]);
        if (!epic && n > 20 && n % 5 === 1) deps.push([`${id}-b`, id, 'blocks', pad(n - 7 - (n % 3)), created]);
      }
      const ts = Date.now();
      await raw.query('BEGIN');
      await raw.query(
        "INSERT INTO issues (id, title, status, priority, issue_type, created_at, updated_at, closed_at, description, design, acceptance_criteria, notes, close_reason, metadata) VALUES " +
          issues.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', '', '{}')").join(','),
        issues.flat(),
      );
      await raw.query(
        "INSERT INTO dependencies (id, issue_id, type, depends_on_issue_id, created_at, created_by, metadata) VALUES " + deps.map(() => "(?, ?, ?, ?, ?, 'seed', '{}')").join(','),
        deps.flat(),
      );
      await raw.query("CALL DOLT_ADD('issues', 'dependencies')");
      await raw.query("CALL DOLT_COMMIT('-m', 'seed', '--author', 'bench <bench@gastown.local>')");
      await raw.query('COMMIT');
      if (process.env.VERBOSE) console.log(`  seeded ${n} (${Date.now() - ts} ms)`);
    }
    const tr = Date.now();
    await ledger.recomputeBlocked('bench');
    if (process.env.VERBOSE) console.log(`  recomputed is_blocked (${Date.now() - tr} ms)`);
  };
  const results: Array<{ size: number; p50: number; p95: number; ready: number; blocked: number }> = [];
  for (const size of SIZES) {
    await seedTo(size);
    const ready = (await ledger.ready()).length;
    const blocked = Number(((await raw.query('SELECT COUNT(*) AS c FROM issues WHERE is_blocked = 1'))[0] as Array<{ c: number }>)[0].c);
    for (let i = 0; i < 5; i++) await ledger.ready();
    const t: number[] = [];
    for (let i = 0; i < RUNS; i++) t.push(await time(() => ledger.ready()));
    results.push({ size, p50: pct(t, 50), p95: pct(t, 95), ready, blocked });
    console.log(`${String(size).padStart(7)} beads  ready (limit 100) p50 ${ms(pct(t, 50))}  p95 ${ms(pct(t, 95))}  [${ready} returned, ${blocked} blocked; seeded in ${((Date.now() - t0) / 1000).toFixed(0)}s]`);
  }
  const base = results[0];
  for (const r of results.slice(1)) {
    console.log(`growth ${base.size} → ${r.size}: p50 ${(r.p50 / base.p50).toFixed(2)}×  p95 ${(r.p95 / base.p95).toFixed(2)}×  (target ≤ 5×)`);
  }
  await raw.end();
  await ledger.close();
} finally {
  await town.dispose();
}
