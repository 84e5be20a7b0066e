// The usage aggregates (usage-totals.ts, recent-usage.ts, usage-store.ts) against the row-by-row
// definitions (cost-report.ts, budgets.ts) over every row: for thousands of random calls of several
// agents, beads, convoys, rigs and models (one with no price), spread over days and the last hour,
// every report, meter, budget, series and scope cost is the same (dollars up to rounding); a store
// reloaded from its file answers the same; the rows held are the recent window's only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Budget, CostGroupBy, CostRow, CostSeriesPoint, CostTotals, ScopeCost } from '../../preload/requests/cost-types.ts';
import { budgetState, budgetStatus, startOfDay } from '../../main/town/costs/budgets.ts';
import { burnRate, costSeries, groupUsage, totalUsage, type AgentMeter } from '../../main/town/costs/cost-report.ts';
import { PriceTable } from '../../main/town/costs/price-table.ts';
import { RECENT_MS, UsageTotals } from '../../main/town/costs/usage-totals.ts';
import { UsageStore, type StoredUsage } from '../../main/town/costs/usage-store.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const KINDS: CostGroupBy[] = ['agent', 'bead', 'convoy', 'rig', 'day', 'model', 'town'];
const NOW = Date.UTC(2026, 10, 30, 14, 23, 17, 450);
const prices = new PriceTable({ 'local-llm': { input: 0.5, output: 1.5, cacheWrite: 0, cacheRead: 0.05 } });

const AGENTS = ['app/polecats/nux', 'app/polecats/max', 'app/witness', 'web/polecats/ace', 'web/polecats/joe', 'mayor'];
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5', 'gpt-5-codex', 'local-llm', 'mystery-model'];
const BEADS = [null, ...Array.from({ length: 24 }, (_, i) => `ap-${i.toString(36)}`)];
const CONVOYS = [null, 'hq-cv1', 'hq-cv2', 'hq-cv3'];

function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => (s = (s * 16_807) % 2_147_483_647) % n;
}

/** Calls spread over 9 days (most of them in the last day, many in the last hour), a few in the
 *  future (clock skew) and some exactly on the windows' edges. */
function randomRows(count: number, seed: number, now = NOW): StoredUsage[] {
  const next = random(seed);
  const edges = [now, now - 5 * MINUTE, now - 60 * MINUTE, startOfDay(now), startOfDay(now) - 1, now - RECENT_MS, Math.floor(now / HOUR) * HOUR - RECENT_MS];
  return Array.from({ length: count }, (_, i) => {
    const agent = AGENTS[next(AGENTS.length)];
    const pick = next(10);
    const at = pick < 3 ? now - next(9 * DAY) : pick < 6 ? now - next(DAY) : pick < 9 ? now - next(70 * MINUTE) : next(4) === 0 ? now + next(10 * MINUTE) : edges[next(edges.length)];
    const rig = agent === 'mayor' ? null : agent.split('/')[0];
    return {
      key: `k${seed}-${i}`, runtime: 'claude', session: 's', model: MODELS[next(MODELS.length)], at,
      input: next(200_000), output: next(20_000), cacheWrite: next(5_000), cacheRead: next(100_000),
      agent, rig, bead: BEADS[next(BEADS.length)], convoy: CONVOYS[next(CONVOYS.length)],
    };
  });
}

const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 2e-6 + 1e-12 * Math.abs(b), `${what}: ${a} vs ${b}`);

function sameTotals(a: CostTotals, b: CostTotals, what: string): void {
  const { cost: ca, ...ra } = a;
  const { cost: cb, ...rb } = b;
  assert.deepEqual(ra, rb, what);
  near(ca, cb, `${what} cost`);
}

/** The same groups with the same totals; in the order costRows gives (checked on the answer's own costs). */
function sameRows(a: CostRow[], b: CostRow[], by: CostGroupBy, what: string): void {
  assert.deepEqual(a.map((r) => r.key).sort(), b.map((r) => r.key).sort(), `${what}: groups`);
  const expected = new Map(b.map((r) => [r.key, r]));
  for (const r of a) sameTotals(r, expected.get(r.key)!, `${what} ${r.key}`);
  for (let i = 1; i < a.length; i++) {
    const ordered = by === 'day' ? a[i - 1].key < a[i].key : a[i - 1].cost > a[i].cost || (a[i - 1].cost === a[i].cost && a[i - 1].key.localeCompare(a[i].key) < 0);
    assert.ok(ordered, `${what}: order at ${a[i].key}`);
  }
}

/** The meters by their definitions: totalUsage, burnRate and groupUsage('agent') over every row. */
function referenceMeters(rows: StoredUsage[], now: number): { total: CostTotals; today: CostTotals; burn5: number; burn60: number; agents: AgentMeter[] } {
  const today = startOfDay(now);
  const agents = groupUsage(rows, 'agent', prices).map(({ key, ...total }): AgentMeter => {
    const mine = (u: StoredUsage) => u.agent === key;
    return { agent: key, total, today: totalUsage(rows, prices, today, mine).cost, burn5: burnRate(rows, prices, now, 5, mine), burn60: burnRate(rows, prices, now, 60, mine) };
  });
  return { total: totalUsage(rows, prices), today: totalUsage(rows, prices, today), burn5: burnRate(rows, prices, now, 5), burn60: burnRate(rows, prices, now, 60), agents };
}

function sameMeters(totals: UsageTotals, rows: StoredUsage[], now: number, what: string): void {
  const got = totals.meters(now, prices);
  const want = referenceMeters(rows, now);
  sameTotals(got.total, want.total, `${what} total`);
  sameTotals(got.today, want.today, `${what} today`);
  near(got.burn5, want.burn5, `${what} burn5`);
  near(got.burn60, want.burn60, `${what} burn60`);
  const byAgent = new Map<string, AgentMeter>(want.agents.map((a) => [a.agent, a]));
  assert.deepEqual(got.agents.map((a) => a.agent), want.agents.map((a) => a.agent), `${what} agents, most spent first`);
  for (const a of got.agents) {
    const w = byAgent.get(a.agent)!;
    sameTotals(a.total, w.total, `${what} ${a.agent} total`);
    near(a.today, w.today, `${what} ${a.agent} today`);
    near(a.burn5, w.burn5, `${what} ${a.agent} burn5`);
    near(a.burn60, w.burn60, `${what} ${a.agent} burn60`);
  }
}

function sameSeries(a: CostSeriesPoint[], b: CostSeriesPoint[], what: string): void {
  assert.deepEqual(a.map((p) => [p.at, p.tokens]), b.map((p) => [p.at, p.tokens]), `${what}: buckets and tokens`);
  a.forEach((p, i) => near(p.cost, b[i].cost, `${what} bucket ${i}`));
}

const BUDGETS: Budget[] = (['day', 'total'] as const).flatMap((period) => [
  { id: `town:town:${period}`, scope: 'town', target: null, amount: 500, period },
  { id: `rig:app:${period}`, scope: 'rig', target: 'app', amount: 200, period },
  { id: `rig:none:${period}`, scope: 'rig', target: null, amount: 50, period },
  { id: `convoy:hq-cv2:${period}`, scope: 'convoy', target: 'hq-cv2', amount: 100, period },
  { id: `convoy:hq-none:${period}`, scope: 'convoy', target: 'hq-none', amount: 100, period },
]);

/** Everything the town asks, from the aggregates and row by row. */
function sameAnswers(totals: UsageTotals, rows: StoredUsage[], now: number, what: string): void {
  for (const by of KINDS) {
    const r = totals.report(by, undefined, prices);
    assert.equal(r.since, null);
    sameRows(r.rows, groupUsage(rows, by, prices), by, `${what} report by ${by}`);
    sameTotals(r.total, totalUsage(rows, prices), `${what} report by ${by}: total`);
  }
  // Since a time inside the window (exact), on a day boundary before it (exact), and at an odd
  // time before it (from the start of that day, and the report says so).
  const window = totals.windowStart;
  const inside = [now - 30 * MINUTE, now - 2 * HOUR - 17, window, window + 1, startOfDay(now), now + HOUR];
  const dayBoundaries = [startOfDay(now) - 3 * DAY, 0];
  for (const by of KINDS) {
    for (const since of [...inside, ...dayBoundaries]) {
      const r = totals.report(by, since, prices);
      assert.equal(r.since, since);
      sameRows(r.rows, groupUsage(rows, by, prices, since), by, `${what} report by ${by} since ${since}`);
      sameTotals(r.total, totalUsage(rows, prices, since), `${what} report since ${since}: total`);
    }
    const odd = now - 7 * DAY + 5 * HOUR;
    const r = totals.report(by, odd, prices);
    const first = Math.min(...rows.map((u) => u.at));
    assert.equal(r.since, odd <= startOfDay(first) ? odd : startOfDay(odd), 'before the window: from the start of its day (unless nothing is older)');
    sameRows(r.rows, groupUsage(rows, by, prices, startOfDay(odd)), by, `${what} report by ${by} since 7d`);
  }
  sameMeters(totals, rows, now, `${what} meters`);
  for (const b of BUDGETS) assert.deepEqual(budgetState(b, totals.spent(b, now, prices)).state, budgetStatus(b, rows, prices, now).state, `${what} budget ${b.id}`);
  for (const b of BUDGETS) near(budgetState(b, totals.spent(b, now, prices)).spent, budgetStatus(b, rows, prices, now).spent, `${what} budget ${b.id} spent`);
  // Series inside the window in whole minutes: exact.
  for (const [since, minutes] of [[now - 6 * HOUR, 10], [now - 24 * HOUR, 5], [now - HOUR, 1], [now - 3 * HOUR, 7]]) {
    sameSeries(totals.series(since, now, minutes * MINUTE, prices), costSeries(rows, prices, since, now, minutes * MINUTE), `${what} series ${minutes} min`);
  }
  // Before the window, in hour multiples: exact.
  for (const minutes of [60, 180, 1440]) {
    const since = now - 8 * DAY;
    sameSeries(totals.series(since, now, minutes * MINUTE, prices), costSeries(rows, prices, since, now, minutes * MINUTE), `${what} series over 8 days by ${minutes} min`);
  }
  // Before the window in other buckets: each call as if made at the start of its hour (the first bucket takes the hour it began in).
  const since = now - 4 * DAY;
  const bucket = 25 * MINUTE;
  const start = Math.floor(since / bucket) * bucket;
  const hourOf = (at: number) => Math.floor(at / HOUR) * HOUR;
  const hourly = rows.map((u) => (u.at < window && hourOf(u.at) >= hourOf(start) ? { ...u, at: Math.max(start, hourOf(u.at)) } : u));
  sameSeries(totals.series(since, now, bucket, prices), costSeries(hourly, prices, since, now, bucket), `${what} series over 4 days by 25 min`);
  // A scope's cost: totalUsage and groupUsage('agent') of its rows.
  const scopes: Array<[ScopeCost['scope'], string, (u: StoredUsage) => boolean]> = [
    ['town', 'town', () => true],
    ...AGENTS.map((a): [ScopeCost['scope'], string, (u: StoredUsage) => boolean] => ['agent', a, (u) => u.agent === a]),
    ...BEADS.filter((b) => b !== null).map((b): [ScopeCost['scope'], string, (u: StoredUsage) => boolean] => ['bead', b, (u) => u.bead === b]),
    ...CONVOYS.filter((c) => c !== null).map((c): [ScopeCost['scope'], string, (u: StoredUsage) => boolean] => ['convoy', c, (u) => u.convoy === c]),
    ['rig', 'app', (u) => u.rig === 'app'], ['rig', 'web', (u) => u.rig === 'web'], ['bead', 'ap-none', () => false],
  ];
  for (const [scope, id, pick] of scopes) {
    const mine = rows.filter(pick);
    const c = totals.costOf(scope, id, prices);
    sameTotals(c.total, totalUsage(mine, prices), `${what} costOf ${scope} ${id}`);
    sameRows(c.byAgent, groupUsage(mine, 'agent', prices), 'agent', `${what} costOf ${scope} ${id} by agent`);
  }
}

test('aggregates answer as the row-by-row functions: every report, meter, budget, series and scope cost (4,000 random calls)', () => {
  const rows = randomRows(4_000, 11);
  const totals = new UsageTotals();
  totals.advance(NOW);
  for (const u of rows) totals.add(u);
  assert.ok(totals.rowsHeld < rows.length && totals.rowsHeld > 0, 'the rows cross the window');
  assert.equal(totals.rowsHeld, rows.filter((u) => u.at >= totals.windowStart).length, 'the window\'s rows are held');
  const m = referenceMeters(rows, NOW);
  assert.ok(m.total.unpricedModels.includes('mystery-model') && m.burn5 > 0 && m.today.calls < m.total.calls, 'the data crosses every window and has an unpriced model');
  sameAnswers(totals, rows, NOW, 'loaded');
});

test("rowsOf: a poll's changed beads, each row as the report by bead gives it", () => {
  const rows = randomRows(2_000, 5);
  const totals = new UsageTotals();
  totals.advance(NOW);
  for (const u of rows) totals.add(u);
  const report = totals.report('bead', undefined, prices).rows;
  const wanted = ['ap-3', 'ap-7', 'ap-3', 'no-such-bead', 'ap-b'];
  const got = totals.rowsOf('bead', wanted, prices);
  assert.deepEqual(got.map((r) => r.key).sort(), ['ap-3', 'ap-7', 'ap-b'], 'each bead once; none for a bead without usage');
  for (const r of got) assert.deepEqual(r, report.find((x) => x.key === r.key), `${r.key} as in the report`);
  sameRows(got, groupUsage(rows.filter((u) => u.bead !== null && ['ap-3', 'ap-7', 'ap-b'].includes(u.bead)), 'bead', prices), 'bead', 'row by row');
});

test('aggregates follow time: calls arriving out of order batch by batch, the window moving (and once moved back), as the row-by-row functions', () => {
  const end = NOW;
  // Over four days in batches of up to 40 s of calls of different agents, each batch read a little later.
  const next = random(29);
  const all: StoredUsage[] = [];
  const totals = new UsageTotals();
  let t = end - 4 * DAY;
  let checks = 0;
  let refused = 0;
  let i = 0;
  while (t < end) {
    t += next(20) === 0 ? 3 * HOUR : 40_000 + next(200_000); // sometimes a quiet spell
    const now = Math.min(t, end);
    totals.advance(now);
    const batch = Array.from({ length: next(20) }, (): StoredUsage => {
      const agent = AGENTS[next(AGENTS.length)];
      return {
        key: `b${i++}`, runtime: 'claude', session: null, model: MODELS[next(MODELS.length)], at: now - next(60_000) - (next(50) === 0 ? RECENT_MS + 2 * HOUR : 0),
        input: next(50_000), output: next(5_000), cacheWrite: next(1_000), cacheRead: next(40_000),
        agent, rig: agent === 'mayor' ? null : agent.split('/')[0], bead: BEADS[next(BEADS.length)], convoy: CONVOYS[next(CONVOYS.length)],
      };
    });
    for (const u of batch) {
      if (u.at < totals.windowStart) refused++; // the store refuses them (usage-store.ts)
      else {
        totals.add(u);
        all.push(u);
      }
    }
    if (next(15) === 0 || now === end) {
      sameMeters(totals, all, now, `at ${new Date(now).toISOString()}`);
      checks++;
    }
  }
  assert.ok(checks > 10 && refused > 0 && all.length > 3_000, `${checks} checks, ${refused} refused, ${all.length} calls`);
  assert.equal(totals.rowsHeld, all.filter((u) => u.at >= totals.windowStart).length);
  sameAnswers(totals, all, end, 'followed');
  // An answer for an earlier time (the burn windows are rebuilt; the window itself stays).
  sameMeters(totals, all, end - 20 * MINUTE, 'back in time');
  sameMeters(totals, all, end, 'forward again');
});

test('usage store over 30 days: holds only the recent window\'s rows and keys, refuses calls older than it, and a reloaded store answers the same', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-usage-totals-'));
  try {
    const file = join(dir, 'usage.jsonl');
    let now = NOW - 30 * DAY;
    const clock = { now: () => now };
    const logs: string[] = [];
    const store = new UsageStore(file, { ...clock, log: (l) => logs.push(l) });
    const next = random(5);
    const all: StoredUsage[] = [];
    let n = 0;
    for (; now < NOW; now += 10 * MINUTE) {
      // Every ten minutes, a few calls made in the last ten minutes (and each read twice, as a
      // Claude transcript repeats a message per content block).
      const batch = Array.from({ length: 1 + next(4) }, (): StoredUsage => {
        const agent = AGENTS[next(AGENTS.length)];
        return {
          key: `c${n++}`, runtime: 'claude', session: 's', model: MODELS[next(MODELS.length)], at: now - next(10 * MINUTE),
          input: next(100_000), output: next(10_000), cacheWrite: 0, cacheRead: next(50_000),
          agent, rig: agent === 'mayor' ? null : agent.split('/')[0], bead: BEADS[next(BEADS.length)], convoy: CONVOYS[next(CONVOYS.length)],
        };
      });
      all.push(...store.add([...batch, ...batch]));
    }
    now = NOW;
    const totals = store.totalsAt(NOW);
    const window = all.filter((u) => u.at >= totals.windowStart);
    assert.equal(all.length, n, 'every call stored once');
    assert.equal(store.rowsHeld, window.length, 'only the recent window\'s rows are held');
    assert.ok(store.rowsHeld < all.length / 25, `${store.rowsHeld} of ${all.length} rows held`);
    assert.ok(!store.has(all[0].key) && store.has(window[0].key), 'the keys of older rows are let go');
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, n, 'the file has every call, once');
    // A copy of an old call (a resumed conversation's history) is refused, not counted again.
    assert.deepEqual(store.add([{ ...all[0] }]), []);
    assert.match(logs.join('\n'), /1 call\(s\) made before .* not stored/);
    sameAnswers(totals, all, NOW, '30 days');

    // Restarted: the same answers, from the file.
    const reloaded = new UsageStore(file, clock);
    assert.equal(reloaded.damaged, 0);
    assert.equal(reloaded.rowsHeld, store.rowsHeld);
    assert.deepEqual(reloaded.recentRows(), store.recentRows());
    const again = reloaded.totalsAt(NOW);
    for (const by of KINDS) for (const since of [undefined, NOW - 2 * HOUR, NOW - 10 * DAY]) assert.deepEqual(again.report(by, since, prices), totals.report(by, since, prices));
    assert.deepEqual(again.meters(NOW, prices), totals.meters(NOW, prices));
    assert.deepEqual(again.series(NOW - 3 * DAY, NOW, 60 * MINUTE, prices), totals.series(NOW - 3 * DAY, NOW, 60 * MINUTE, prices));
    for (const b of BUDGETS) assert.equal(again.spent(b, NOW, prices), totals.spent(b, NOW, prices));
    assert.deepEqual(again.costOf('bead', 'ap-3', prices), totals.costOf('bead', 'ap-3', prices));
    // After the restart a call is still stored once.
    assert.deepEqual(reloaded.add([window[window.length - 1]]), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
