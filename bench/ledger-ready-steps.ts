// Benchmark: what the sequential-step rule (main/ledger/sequential-steps.ts) adds to `ready`. Seeds N
// beads (default 10,000) in groups of 10 (every other bead has a parent): every 50th group is a
// sequential molecule whose 9 steps have priority 0 (so the first ready page is all steps, hidden:
// the worst case, a second page is read). Times, interleaved in one run: the parent filter of one
// page alone, before (deferred parents only) and after (with the rule), and the whole `ready()`.
// Run: npx tsx bench/ledger-ready-steps.ts [N]
import mysql from 'mysql2/promise';
import { Ledger } from '../main/ledger/ledger.ts';
import { SEQUENTIAL_PARENT } from '../main/ledger/sequential-steps.ts';
import { NOT_WORK_TYPES } from '../main/ledger/bead-reads.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { ms, pct, time } from './ledger-bench-util.ts';

const N = Number(process.argv[2] ?? 10_000);
const RUNS = 40;
const town = await startTempDolt();
try {
  const ledger = await Ledger.open(town.server.connection());
  const raw = await mysql.createConnection(town.server.connection());
  const pad = (i: number) => `hq-${i.toString(36).padStart(6, '0')}`;
  for (let n = 0; n < N;) {
    const issues: unknown[][] = [];
    const deps: unknown[][] = [];
    for (let k = 0; k < 2000 && n < N; k++, n++) {
      const id = pad(n);
      const head = n % 10 === 0;
      const molecule = head && n % 500 === 0;
      const step = !head && (n - (n % 10)) % 500 === 0;
      const created = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace('T', ' ').replace('Z', '');
      const meta = molecule ? JSON.stringify({ molecule: { mode: 'sequential', steps: [] } }) : '{}';
      issues.push([id, `bead ${n}`, 'open', molecule || step ? 0 : 1 + (n % 4), molecule ? 'molecule' : head ? 'epic' : 'task', created, created, meta]);
      if (!head) deps.push([`${id}-p`, id, 'parent-child', pad(n - (n % 10)), created]);
    }
    await raw.query('BEGIN');
    await raw.query(
      "INSERT INTO issues (id, title, status, priority, issue_type, created_at, updated_at, metadata, description, design, acceptance_criteria, notes, close_reason) VALUES " +
        issues.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', '')").join(','),
      issues.flat(),
    );
    await raw.query("INSERT INTO dependencies (id, issue_id, type, depends_on_issue_id, created_at, created_by, metadata) VALUES " + deps.map(() => "(?, ?, ?, ?, ?, 'seed', '{}')").join(','), deps.flat());
    await raw.query("CALL DOLT_ADD('issues', 'dependencies')");
    await raw.query("CALL DOLT_COMMIT('-m', 'seed', '--author', 'bench <bench@gastown.local>')");
    await raw.query('COMMIT');
  }
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const [page] = await raw.query(`SELECT i.id FROM issues i WHERE i.status = 'open' AND i.issue_type NOT IN (?) ORDER BY i.priority, i.created_at LIMIT 100`, [NOT_WORK_TYPES]);
  const ids = (page as Array<{ id: string }>).map((r) => r.id);
  const filter = (extra: string) => () => raw.query(`SELECT d.issue_id AS id FROM dependencies d JOIN issues p ON p.id = d.depends_on_issue_id
    WHERE d.issue_id IN (?) AND d.type = 'parent-child' AND (p.defer_until > ?${extra})`, [ids, now]);
  const before = filter('');
  const after = filter(` OR ${SEQUENTIAL_PARENT}`);
  const hiddenNow = ((await after())[0] as unknown[]).length;
  const returned = await ledger.ready({ limit: 100 });
  for (let i = 0; i < 5; i++) { await before(); await after(); await ledger.ready(); }
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < RUNS; i++) { a.push(await time(before)); b.push(await time(after)); c.push(await time(() => ledger.ready())); }
  console.log(`${N} beads, ${Math.ceil(N / 500)} sequential molecules; first page: ${hiddenNow} of ${ids.length} hidden as steps; ready returned ${returned.length}, ${returned.filter((r) => r.priority === 0).length} of priority 0`);
  console.log(`parent filter of one page, before (deferred only)  p50 ${ms(pct(a, 50))}  p95 ${ms(pct(a, 95))}`);
  console.log(`parent filter of one page, with the step rule      p50 ${ms(pct(b, 50))}  p95 ${ms(pct(b, 95))}   ratio p50 ${(pct(b, 50) / pct(a, 50)).toFixed(2)}×`);
  console.log(`whole ready() (two pages: the first is all steps)  p50 ${ms(pct(c, 50))}  p95 ${ms(pct(c, 95))}`);
  await raw.end();
  await ledger.close();
} finally {
  await town.dispose();
}
