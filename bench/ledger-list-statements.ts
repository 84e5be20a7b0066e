// Benchmark: SQL statements and latency of the ledger's bead reads, one statement each (bead-rows.ts:
// a list joins the labels onto its page of rows; a show takes labels, dependencies and comments as
// JSON columns of the bead's row) against the reads they replaced, kept here only as the baseline: a
// list is the issues, then their labels (two statements; one when empty); a ready page three (the
// page, hidden children, labels); a show four (the issue, labels, dependencies, comments). Cases:
// lists of 10, 200 and 2,000, lists by assignee of 0 and 5 beads (the town's usual size), getMany of
// 10, a ready page, a show. Two alternatives for the list are measured too: labels in a correlated
// subquery per row, and a join + GROUP BY over the whole table before the LIMIT. Same Dolt server,
// same seeded beads (2,000, 3 labels each), calls interleaved, in one run; every variant's result is
// checked identical to the old read's. Prints p50/p95, statements per call and Dolt's CPU per call
// (from /proc, in 10 ms ticks summed over the runs: a rough figure).
//   npx tsx bench/ledger-list-statements.ts            (RUNS=40 calls per variant and case)
import { deepStrictEqual } from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { Bead } from '../preload/types.ts';
import { Ledger } from '../main/ledger/ledger.ts';
import { BEAD_SELECT, ISSUE_SELECT, rowToBead, rowToComment, rowToDependency, sqlTime, type IssueRow } from '../main/ledger/bead-rows.ts';
import { NOT_WORK_TYPES } from '../main/ledger/bead-reads.ts';
import { SEQUENTIAL_PARENT } from '../main/ledger/sequential-steps.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { ms, pct, time } from './ledger-bench-util.ts';
import { cpuSeconds } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 40);
const BEADS = 2000;
const ORDER = 'ORDER BY i.priority, i.created_at, i.id';
type Q = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

// ---- the baseline: the reads as they were before session 9 ----------------------------------
async function oldLabels(q: Q, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const r of await q<{ issue_id: string; label: string }>('SELECT issue_id, label FROM labels WHERE issue_id IN (?)', [ids])) {
    if (!out.has(r.issue_id)) out.set(r.issue_id, []);
    out.get(r.issue_id)!.push(r.label);
  }
  return out;
}
async function oldBeads(q: Q, rows: IssueRow[]): Promise<Bead[]> {
  if (!rows.length) return [];
  const labels = await oldLabels(q, rows.map((r) => String(r.id)));
  return rows.map((r) => rowToBead(r, labels.get(String(r.id)) ?? []));
}
const oldList = async (q: Q, limit: number) => oldBeads(q, await q<IssueRow>(`SELECT ${ISSUE_SELECT} FROM issues i ${ORDER} LIMIT ?`, [limit]));
const oldAssigned = async (q: Q, who: string) => oldBeads(q, await q<IssueRow>(`SELECT ${ISSUE_SELECT} FROM issues i WHERE i.assignee = ? ${ORDER} LIMIT ?`, [who, 10_000]));
async function oldGetMany(q: Q, ids: string[]): Promise<Bead[]> {
  const byId = new Map((await oldBeads(q, await q<IssueRow>(`SELECT ${ISSUE_SELECT} FROM issues i WHERE i.id IN (?)`, [ids]))).map((b) => [b.id, b]));
  return ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
}
async function oldReady(q: Q): Promise<Bead[]> {
  // The old ready's statements for one page of 100 (the seeded beads have no deferred or sequential parent).
  const now = sqlTime(new Date().toISOString());
  const rows = await q<IssueRow>(
    `SELECT ${ISSUE_SELECT} FROM issues i WHERE i.status = 'open' AND i.is_blocked = 0 AND i.pinned = 0 AND i.ephemeral = 0 AND i.is_template = 0
     AND i.issue_type NOT IN (?) AND (i.defer_until IS NULL OR i.defer_until <= ?) ORDER BY i.status, i.is_blocked, i.priority, i.created_at LIMIT ? OFFSET ?`,
    [NOT_WORK_TYPES, now, 100, 0],
  );
  const hidden = new Set((await q<{ id: string }>(
    `SELECT d.issue_id AS id FROM dependencies d JOIN issues p ON p.id = d.depends_on_issue_id
     WHERE d.issue_id IN (?) AND d.type = 'parent-child' AND (p.defer_until > ? OR ${SEQUENTIAL_PARENT})`,
    [rows.map((r) => String(r.id)), now],
  )).map((r) => r.id));
  return oldBeads(q, rows.filter((r) => !hidden.has(String(r.id))));
}
async function oldShow(q: Q, id: string): Promise<Bead> {
  const [bead] = await oldBeads(q, await q<IssueRow>(`SELECT ${ISSUE_SELECT} FROM issues i WHERE i.id = ?`, [id]));
  bead.dependencies = (await q('SELECT * FROM dependencies WHERE issue_id = ? ORDER BY created_at, id', [id])).map(rowToDependency);
  bead.comments = (await q('SELECT * FROM comments WHERE issue_id = ? ORDER BY created_at, id', [id])).map(rowToComment);
  return bead;
}
// ---- the alternatives not taken, one statement each ---------------------------------------------
const subqueryList = async (q: Q, limit: number) => (await q<IssueRow>(`SELECT ${BEAD_SELECT} FROM issues i ${ORDER} LIMIT ?`, [limit])).map((r) => rowToBead(r));
async function groupByList(q: Q, limit: number): Promise<Bead[]> {
  const rows = await q<IssueRow>(
    `SELECT ${ISSUE_SELECT}, CAST(JSON_ARRAYAGG(l.label) AS CHAR) AS labels FROM issues i LEFT JOIN labels l ON l.issue_id = i.id
     GROUP BY i.id ${ORDER} LIMIT ?`,
    [limit],
  );
  return rows.map((r) => rowToBead(r));
}

const town = await startTempDolt();
try {
  const ledger = await Ledger.open(town.server.connection());
  // Every statement of the ledger's pool is counted, the baseline's too (it runs on the same pool).
  let statements = 0;
  const query = ledger.pool.query.bind(ledger.pool) as (...a: unknown[]) => Promise<unknown>;
  (ledger.pool as unknown as { query: typeof query }).query = (...a) => { statements++; return query(...a); };
  const q: Q = async (sql, params = []) => (await ledger.pool.query(sql, params))[0] as never;

  const t0 = Date.now();
  const raw = await mysql.createConnection(town.server.connection());
  const ids = Array.from({ length: BEADS }, (_, n) => `hq-${n.toString(36).padStart(5, '0')}`);
  await raw.query('BEGIN');
  await raw.query(
    "INSERT INTO issues (id, title, status, priority, issue_type, created_at, updated_at, description, design, acceptance_criteria, notes, close_reason, metadata) VALUES " +
      ids.map(() => "(?, ?, 'open', ?, 'task', ?, ?, 'a description', '', '', '', '', '{\"k\": 1}')").join(','),
    ids.flatMap((id, n) => { const at = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace('T', ' ').replace('Z', ''); return [id, `bead ${n}`, n % 5, at, at]; }),
  );
  // Three labels each, inserted out of order (the read sorts them).
  await raw.query('INSERT INTO labels (issue_id, label) VALUES ' + ids.map(() => '(?, ?), (?, ?), (?, ?)').join(','),
    ids.flatMap((id, n) => [id, `zone-${n % 7}`, id, `Area ${n % 3}`, id, `rig:r${n % 11}`]));
  await raw.query("UPDATE issues SET assignee = 'five' WHERE id IN (?)", [ids.slice(100, 105)]); // a town-sized list: 5 of 2,000
  await raw.query("CALL DOLT_ADD('issues', 'labels')");
  await raw.query("CALL DOLT_COMMIT('-m', 'seed', '--author', 'bench <bench@gastown.local>')");
  await raw.query('COMMIT');
  await raw.end();
  // The shown bead: 3 labels, 3 dependencies, 3 comments, written through the ledger.
  const shown = await ledger.create({ title: 'shown', prefix: 'hq', labels: ['zeta', 'Alpha', 'mid'], dependencies: ids.slice(0, 3).map((id) => ({ dependsOnId: id })) }, 'bench');
  for (const text of ['first', 'second "quoted"\nline', 'third']) await ledger.addComment(shown.id, text, 'bench');
  console.log(`seeded ${BEADS} beads × 3 labels in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const wanted = Array.from({ length: 10 }, (_, k) => ids[(k * 197) % BEADS]);
  const cases: Array<{ name: string; variants: Array<{ name: string; run: () => Promise<unknown> }> }> = [
    ...[10, 200, 2000].map((n) => ({
      name: `list of ${n}`,
      variants: [
        { name: 'old (issues, then labels)', run: () => oldList(q, n) },
        { name: 'new (page, then join)', run: () => ledger.list({ limit: n }) },
        { name: 'labels subquery per row', run: () => subqueryList(q, n) },
        { name: 'join + GROUP BY, then page', run: () => groupByList(q, n) },
      ],
    })),
    ...['nobody', 'five'].map((who) => ({
      name: `list by assignee (${who === 'five' ? 5 : 0} of ${BEADS})`,
      variants: [{ name: 'old', run: () => oldAssigned(q, who) }, { name: 'new', run: () => ledger.list({ assignee: who }) }],
    })),
    { name: 'getMany of 10', variants: [{ name: 'old', run: () => oldGetMany(q, wanted) }, { name: 'new', run: () => ledger.getMany(wanted) }] },
    { name: 'ready (a page of 100)', variants: [{ name: 'old', run: () => oldReady(q) }, { name: 'new', run: () => ledger.ready() }] },
    { name: 'show', variants: [{ name: 'old (4 statements)', run: () => oldShow(q, shown.id) }, { name: 'new', run: () => ledger.show(shown.id) }] },
  ];
  for (const c of cases) {
    const base = await c.variants[0].run();
    const perCall: number[] = [];
    for (const v of c.variants) {
      const s0 = statements;
      deepStrictEqual(await v.run(), base, `${c.name}: ${v.name} differs from the old read`);
      perCall.push(statements - s0);
      for (let i = 0; i < 3; i++) await v.run();
    }
    const samples = c.variants.map(() => [] as number[]);
    const cpu = c.variants.map(() => 0);
    for (let i = 0; i < RUNS; i++) {
      for (const [k, v] of c.variants.entries()) {
        const c0 = cpuSeconds(town.server.pid);
        samples[k].push(await time(v.run));
        cpu[k] += cpuSeconds(town.server.pid) - c0;
      }
    }
    console.log(`${c.name} (results identical)`);
    const p50 = samples.map((s) => pct(s, 50));
    for (const [k, v] of c.variants.entries()) {
      const ratio = k === 0 ? '' : `  ${(p50[k] / p50[0]).toFixed(2)}× old p50`;
      const dolt = `Dolt CPU ${((cpu[k] / RUNS) * 1000).toFixed(1)} ms/call`;
      console.log(`  ${v.name.padEnd(27)} ${perCall[k]} statement${perCall[k] === 1 ? ' ' : 's'}  p50 ${ms(p50[k])}  p95 ${ms(pct(samples[k], 95))}  ${dolt}${ratio}`);
    }
  }
  await ledger.close();
} finally {
  await town.dispose();
}
