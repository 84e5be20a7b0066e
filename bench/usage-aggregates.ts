// Usage aggregates (main/town/costs/usage-totals.ts): what a 2 s poll or a dispatch asks of the
// stored usage — meters() + budgetStatuses() (3 budgets) + costOf(bead) — answered from every row
// (the row-by-row functions over all rows in memory: the store as it was, measured in the same run)
// vs from the running aggregates; the heap each store holds and the time to load the file.
//   npx tsx bench/usage-aggregates.ts [ROWS] [DAYS] [AGENTS]      (default 200000 14 30)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Budget, CostTotals } from '../preload/requests/cost-types.ts';
import { budgetState, budgetStatus, startOfDay } from '../main/town/costs/budgets.ts';
import { addUsage, agentMeter, cents, emptyTotals, groupUsage, roundTotals, sortMeters, totalUsage, type AgentMeter } from '../main/town/costs/cost-report.ts';
import { PriceTable } from '../main/town/costs/price-table.ts';
import { UsageStore, type StoredUsage } from '../main/town/costs/usage-store.ts';

const ROWS = Number(process.argv[2] ?? 200_000);
const DAYS = Number(process.argv[3] ?? 14);
const AGENTS = Number(process.argv[4] ?? 30);
const RIGS = ['app', 'web', 'api'];
const CALLS_PER_BEAD = 100;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
};

// Calls evenly over DAYS up to now, agents in turn, each agent on a new bead every CALLS_PER_BEAD
// calls, ten beads a convoy; models: mostly Sonnet, some Haiku and Codex, 1% with no price.
let seed = 42;
const next = (n: number): number => (seed = (seed * 16_807) % 2_147_483_647) % n;
const id = (n: number): string => Array.from({ length: n }, () => '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'[next(62)]).join('');
const end = Date.now();
const span = DAYS * 86_400_000;
const agents = Array.from({ length: AGENTS }, (_, i) => `${RIGS[i % RIGS.length]}/polecats/p${i}`);
const sessions = agents.map(() => `${id(8)}-${id(4)}-${id(4)}-${id(4)}-${id(12)}`);
function call(i: number): StoredUsage {
  const a = i % AGENTS;
  const beadNo = Math.floor(i / (AGENTS * CALLS_PER_BEAD)) * AGENTS + a;
  const m = next(100);
  return {
    key: `claude:msg_01${id(22)}:req_011${id(21)}`, runtime: 'claude', session: sessions[a],
    model: m < 70 ? 'claude-sonnet-4-5-20250929' : m < 90 ? 'claude-haiku-4-5' : m < 99 ? 'gpt-5-codex' : 'local-model',
    at: end - span + Math.floor((i / ROWS) * span) + next(1000),
    input: next(50), output: 100 + next(900), cacheWrite: next(3000), cacheRead: 20_000 + next(60_000),
    agent: agents[a], rig: RIGS[a % RIGS.length], bead: `ap-${beadNo.toString(36)}`, convoy: `hq-cv${Math.floor(beadNo / 10).toString(36)}`,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'gt-usage-aggregates-'));
const file = join(dir, 'usage.jsonl');
const lines: string[] = [];
for (let i = 0; i < ROWS; i++) lines.push(JSON.stringify(call(i)));
writeFileSync(file, lines.join('\n') + '\n');
lines.length = 0;

/** The store as it was: the whole file read, every row and key held. */
function loadAllRows(): { rows: StoredUsage[]; keys: Set<string> } {
  const rows: StoredUsage[] = [];
  const keys = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as StoredUsage;
    if (keys.has(row.key)) continue;
    keys.add(row.key);
    rows.push(row);
  }
  return { rows, keys };
}

const prices = new PriceTable();
const lastBead = call(ROWS - 1).bead!;
const budgets: Budget[] = [
  { id: 'town:town:day', scope: 'town', target: null, amount: 1000, period: 'day' },
  { id: 'rig:app:total', scope: 'rig', target: 'app', amount: 50_000, period: 'total' },
  { id: `convoy:${call(ROWS - 1).convoy}:total`, scope: 'convoy', target: call(ROWS - 1).convoy, amount: 100, period: 'total' },
];

const h0 = heapMb();
let t = performance.now();
const before = loadAllRows();
const loadAllMs = performance.now() - t;
const heapAll = heapMb() - h0;

const h1 = heapMb();
t = performance.now();
const store = new UsageStore(file, { now: () => end });
const loadStoreMs = performance.now() - t;
const heapStore = heapMb() - h1;

// What keeping every call's key alone costs (the dedup set, if it were never bounded).
const h2 = heapMb();
const keysOnly = new Set<string>();
for (let i = 0; i < ROWS; i++) keysOnly.add(`claude:msg_01${id(22)}:req_011${id(21)}`);
const heapKeys = heapMb() - h2;

/** The baseline's meters: the town's one pass over every row before the running totals (kept here
 *  as it was, so the baseline is what a poll cost then). */
function usageMeters(rows: Iterable<StoredUsage>, prices: PriceTable, now: number, today: number): {
  total: CostTotals; today: CostTotals; burn5: number; burn60: number; agents: AgentMeter[];
} {
  const since5 = now - 5 * 60_000;
  const since60 = now - 60 * 60_000;
  const town = { total: emptyTotals(), today: emptyTotals(), burn5: 0, burn60: 0 };
  const agents = new Map<string, { total: CostTotals; today: number; burn5: number; burn60: number }>();
  for (const u of rows) {
    let a = agents.get(u.agent);
    if (!a) agents.set(u.agent, (a = { total: emptyTotals(), today: 0, burn5: 0, burn60: 0 }));
    const cost = addUsage(town.total, u, prices) ?? 0;
    addUsage(a.total, u, prices);
    if (u.at >= today) {
      addUsage(town.today, u, prices);
      a.today += cost;
    }
    if (u.at <= now && u.at >= since60) {
      town.burn60 += cost;
      a.burn60 += cost;
      if (u.at >= since5) {
        town.burn5 += cost;
        a.burn5 += cost;
      }
    }
  }
  const meters = [...agents.entries()].map(([agent, a]) => agentMeter(agent, roundTotals(a.total), a.today, a.burn5, a.burn60));
  return { total: roundTotals(town.total), today: roundTotals(town.today), burn5: cents(town.burn5 * 12), burn60: cents(town.burn60), agents: sortMeters(meters) };
}

/** One poll's questions, row by row over every row. */
function allRows(now: number): number {
  const rows = before.rows;
  const m = usageMeters(rows, prices, now, startOfDay(now));
  const statuses = budgets.map((b) => budgetStatus(b, rows, prices, now));
  const mine = rows.filter((u) => u.bead === lastBead);
  const bead = { total: totalUsage(mine, prices), byAgent: groupUsage(mine, 'agent', prices) };
  return m.total.cost + statuses[0].spent + bead.total.cost;
}

/** The same questions, from the aggregates. */
function aggregates(now: number): number {
  const totals = store.totalsAt(now);
  const m = totals.meters(now, prices);
  const statuses = budgets.map((b) => budgetState(b, totals.spent(b, now, prices)));
  const bead = totals.costOf('bead', lastBead, prices);
  return m.total.cost + statuses[0].spent + bead.total.cost;
}

/** Median time of `runs` polls, 2 s apart (the store's clock is not moved: nothing new is stored). */
function timeEach(fn: (now: number) => number, runs: number): { ms: number; value: number } {
  let value = fn(end); // warm
  const times: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const t0 = performance.now();
    value = fn(end + i * 2000);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], value };
}

// The same number of polls (an hour of them), so both answer for the same last time.
const RUNS = 1800;
const agg = timeEach(aggregates, RUNS);
const base = timeEach(allRows, Math.min(RUNS, 20));
const check = allRows(end + RUNS * 2000);
if (Math.abs(check - agg.value) > 1e-3) throw new Error(`the answers differ: ${check} vs ${agg.value}`);

console.log(`usage: ${ROWS} calls over ${DAYS} days, ${AGENTS} agents, ${Math.ceil(ROWS / CALLS_PER_BEAD)} beads (${(readFileSync(file).length / 1048576).toFixed(0)} MB file)`);
console.log(`meters + 3 budgets + costOf(bead), median per poll: every row ${base.ms.toFixed(2)} ms   aggregates ${(agg.ms * 1000).toFixed(1)} µs   ratio ${(base.ms / agg.ms).toFixed(0)}x`);
console.log(`heap held: every row and key ${heapAll.toFixed(1)} MB   aggregates + recent window ${heapStore.toFixed(1)} MB (${store.rowsHeld} rows held)   ratio ${(heapAll / heapStore).toFixed(1)}x`);
console.log(`every key kept (a Set of ${keysOnly.size} keys of ${call(0).key.length} characters): ${heapKeys.toFixed(1)} MB, ${((heapKeys * 1048576) / ROWS).toFixed(0)} bytes a call`);
console.log(`load: whole file + every row ${loadAllMs.toFixed(0)} ms   aggregates, read by chunks ${loadStoreMs.toFixed(0)} ms`);
rmSync(dir, { recursive: true, force: true });
