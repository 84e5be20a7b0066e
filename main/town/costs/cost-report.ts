// Cost arithmetic over stored usage rows: totals grouped by agent, bead, convoy, rig, day, model or
// for the whole town; burn rates; a time series for charts. Pure functions, no I/O. These are the
// definitions over every row: the town answers the same questions from running aggregates
// (usage-totals.ts), which the unit tests and bench/usage-aggregates.ts check against these.
//
// Invariants:
//   - tokens are summed exactly (integers); dollars only from priced rows;
//   - a group holding rows of a model with no price says so (`unpriced` tokens and models): its
//     `cost` is a lower bound, never a silent $0 for unknown work.
import type { CostGroupBy, CostRow, CostSeriesPoint, CostTotals } from '../../../preload/requests/cost-types.ts';
import type { PriceTable } from './price-table.ts';
import type { StoredUsage } from './usage-store.ts';

export const emptyTotals = (): CostTotals => ({ calls: 0, input: 0, output: 0, cacheWrite: 0, cacheRead: 0, cost: 0, unpricedTokens: 0, unpricedModels: [] });

/** Adds one row to `t`; returns the row's cost in dollars, or null when its model has no price. */
export function addUsage(t: CostTotals, u: StoredUsage, prices: PriceTable): number | null {
  t.calls++;
  t.input += u.input;
  t.output += u.output;
  t.cacheWrite += u.cacheWrite;
  t.cacheRead += u.cacheRead;
  const cost = prices.costOf(u.model, u);
  if (cost === null) {
    t.unpricedTokens += u.input + u.output + u.cacheWrite + u.cacheRead;
    if (!t.unpricedModels.includes(u.model)) t.unpricedModels.push(u.model);
  } else {
    t.cost += cost;
  }
  return cost;
}

/** The UTC day of a time, YYYY-MM-DD. */
export const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

export function groupKey(u: StoredUsage, by: CostGroupBy): string | null {
  switch (by) {
    case 'agent': return u.agent;
    case 'bead': return u.bead;
    case 'convoy': return u.convoy;
    case 'rig': return u.rig;
    case 'day': return dayOf(u.at);
    case 'model': return u.model;
    case 'town': return 'town';
  }
}

/** Rows grouped; usage outside any group (e.g. no convoy) is left out of that grouping. */
export function groupUsage(rows: Iterable<StoredUsage>, by: CostGroupBy, prices: PriceTable, since = 0): CostRow[] {
  const groups = new Map<string, CostTotals>();
  for (const u of rows) {
    if (u.at < since) continue;
    const key = groupKey(u, by);
    if (key === null) continue;
    let t = groups.get(key);
    if (!t) groups.set(key, (t = emptyTotals()));
    addUsage(t, u, prices);
  }
  return costRows(groups, by);
}

/** Groups as report rows, rounded: by day in date order, otherwise most spent first (then by key). */
export function costRows(groups: Iterable<[string, CostTotals]>, by: CostGroupBy): CostRow[] {
  return [...groups].map(([key, t]) => ({ key, ...roundTotals(t) })).sort((a, b) => (by === 'day' ? a.key.localeCompare(b.key) : b.cost - a.cost || a.key.localeCompare(b.key)));
}

export function totalUsage(rows: Iterable<StoredUsage>, prices: PriceTable, since = 0, filter?: (u: StoredUsage) => boolean): CostTotals {
  const t = emptyTotals();
  for (const u of rows) if (u.at >= since && (!filter || filter(u))) addUsage(t, u, prices);
  return roundTotals(t);
}

/** Dollars per hour over the last `minutes`. */
export function burnRate(rows: Iterable<StoredUsage>, prices: PriceTable, now: number, minutes: number, filter?: (u: StoredUsage) => boolean): number {
  const since = now - minutes * 60_000;
  let cost = 0;
  for (const u of rows) if (u.at >= since && u.at <= now && (!filter || filter(u))) cost += prices.costOf(u.model, u) ?? 0;
  return cents(cost * (60 / minutes));
}

/** An agent's meter: its total, what it spent since `today`, its burn rates over 5 and 60 minutes. */
export interface AgentMeter {
  agent: string;
  total: CostTotals;
  today: number;
  burn5: number;
  burn60: number;
}

/** An agent's meter from its dollars spent today and in the last 5 and 60 minutes (rates per hour). */
export const agentMeter = (agent: string, total: CostTotals, today: number, spent5: number, spent60: number): AgentMeter =>
  ({ agent, total, today: cents(today), burn5: cents(spent5 * 12), burn60: cents(spent60) });

/** Agents by cost, most first (then by name). */
export const sortMeters = (meters: AgentMeter[]): AgentMeter[] => meters.sort((a, b) => b.total.cost - a.total.cost || a.agent.localeCompare(b.agent));

/** Spend per bucket from `since` to `now` (empty buckets included), for charts. */
export function costSeries(rows: Iterable<StoredUsage>, prices: PriceTable, since: number, now: number, bucketMs: number): CostSeriesPoint[] {
  const start = Math.floor(since / bucketMs) * bucketMs;
  const count = Math.max(1, Math.min(10_000, Math.ceil((now - start) / bucketMs)));
  const points: CostSeriesPoint[] = Array.from({ length: count }, (_, i) => ({ at: start + i * bucketMs, cost: 0, tokens: 0 }));
  for (const u of rows) {
    if (u.at < start || u.at >= start + count * bucketMs) continue;
    const pt = points[Math.floor((u.at - start) / bucketMs)];
    pt.cost += prices.costOf(u.model, u) ?? 0;
    pt.tokens += u.input + u.output + u.cacheWrite + u.cacheRead;
  }
  for (const pt of points) pt.cost = cents(pt.cost);
  return points;
}

/** Dollars kept to a millionth (sub-cent calls add up; display rounds further). */
export const cents = (v: number): number => Math.round(v * 1_000_000) / 1_000_000;
export const roundTotals = (t: CostTotals): CostTotals => ({ ...t, cost: cents(t.cost), unpricedModels: [...t.unpricedModels].sort() });
