// The town's usage as running aggregates, updated as rows are stored, and the reports, meters,
// budgets, series and scope costs answered from them: the same answers as the row-by-row functions
// of cost-report.ts and budgets.ts, at a cost that does not grow with the number of calls ever
// made. Pure: no I/O, no clock (answers that depend on the time take `now`; `advance` moves the
// recent window, which only releases memory: answers never need it); the store (usage-store.ts)
// feeds it and advances it.
//
// What is kept (token sums per model: usage-sums.ts; dollars come from the price table per answer):
//   - lifetime, per group of every kind (agent, bead, convoy, rig, day, model, town) and per agent
//     within it: totals, `costOf` (who spent it), total budgets, reports without `since`;
//   - per UTC day and group: today (meters, day budgets), reports since a day;
//   - per hour, for the town: the series before the recent window;
//   - the recent window, from `windowStart` (the start of the hour 24 hours ago): its rows, in time
//     order (RecentUsage, with the 5- and 60-minute burn windows) and per-minute town sums (the series).
//
// Invariants:
//   - every row given to `add` is counted once in every aggregate; nothing is ever taken away but
//     the rows and minute sums that fall out of the recent window;
//   - `windowStart` never moves back (an answer for an earlier `now` uses the window it has);
//   - exact (as the row-by-row functions, up to floating-point rounding of dollar sums): lifetime
//     figures, today, burn rates, budgets, costOf, a report since a time inside the window or on a
//     UTC day boundary (or before every row), a series in buckets of whole minutes (bucketMinutes)
//     over the window and of whole hours before it;
//   - day granularity (a decision, docs/costs.md): a report since a time before the window that is
//     not a day boundary counts from the start of that UTC day (and says so in its `since`); a
//     series bucket before the window gets each hour's spend in the bucket holding the hour's
//     start (the first bucket: any hour that began before it).
import type { Budget, CostGroupBy, CostRow, CostSeriesPoint, CostTotals, ScopeCost } from '../../../preload/requests/cost-types.ts';
import { startOfDay } from './budgets.ts';
import { agentMeter, cents, costRows, dayOf, groupKey, roundTotals, sortMeters, type AgentMeter } from './cost-report.ts';
import type { PriceTable } from './price-table.ts';
import { RecentUsage } from './recent-usage.ts';
import { addCall, addSums, costTotals, mergeSums, pricedCost, tokenCount, type ModelSums } from './usage-sums.ts';
import type { StoredUsage } from './usage-store.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** How far back the recent window reaches (from the start of the current hour). */
export const RECENT_MS = 24 * HOUR;
const BURN_5 = 5 * MINUTE;
const BURN_60 = 60 * MINUTE;

const KINDS: CostGroupBy[] = ['agent', 'bead', 'convoy', 'rig', 'day', 'model', 'town'];

/** Groups of one kind: the group's key (null: rows with no bead, convoy or rig) → its sums. */
type Groups<T> = Map<string | null, T>;

const slotOf = (at: number, size: number): number => Math.floor(at / size) * size;

function sumsIn<K>(map: Map<K, ModelSums>, key: K): ModelSums {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Map()));
  return s;
}

function groupsIn<K, T>(map: Map<K, Groups<T>>, key: K): Groups<T> {
  let g = map.get(key);
  if (!g) map.set(key, (g = new Map()));
  return g;
}

/** The first index of a sorted list whose value is `at` or later. */
function firstFrom(list: readonly number[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sums of a period, grouped one way, and the town's. */
interface PeriodSums {
  groups: Groups<ModelSums>;
  town: ModelSums;
}

export class UsageTotals {
  /** kind → group → agent → sums. */
  private readonly lifetime = new Map<CostGroupBy, Groups<Map<string, ModelSums>>>();
  /** UTC day start → kind → group → sums. */
  private readonly days = new Map<number, Map<CostGroupBy, Groups<ModelSums>>>();
  /** The keys of `days`, sorted. */
  private readonly dayList: number[] = [];
  /** The town's sums per hour (all time) and per minute (the recent window only). */
  private readonly hours = new Map<number, ModelSums>();
  private readonly minutes = new Map<number, ModelSums>();
  private readonly recent = new RecentUsage([BURN_5, BURN_60]);
  private start = -Infinity;
  /** The UTC day of the last row counted and its name (rows come day after day). */
  private day = { start: NaN, name: '' };

  /** The start of the recent window: rows made from then on are kept. */
  get windowStart(): number {
    return this.start;
  }

  /** How many rows are held (those of the recent window). */
  get rowsHeld(): number {
    return this.recent.size;
  }

  /** The recent window's rows, in time order. */
  recentRows(): StoredUsage[] {
    return [...this.recent.between(this.start, Infinity)];
  }

  /** Moves the window to `now`; returns the rows it let go (made before its new start). */
  advance(now: number): StoredUsage[] {
    const start = slotOf(now, HOUR) - RECENT_MS;
    if (start <= this.start) return [];
    this.start = start;
    for (const minute of this.minutes.keys()) if (minute < start) this.minutes.delete(minute);
    return this.recent.evictBefore(start);
  }

  /** Counts a stored row (once); keeps it while it is in the recent window. */
  add(u: StoredUsage): void {
    const start = slotOf(u.at, DAY); // = startOfDay(u.at)
    if (start !== this.day.start) this.day = { start, name: dayOf(u.at) };
    const dayGroups = this.dayGroups(start);
    for (const kind of KINDS) {
      const key = kind === 'day' ? this.day.name : groupKey(u, kind);
      const byAgent = groupsIn(this.lifetime, kind);
      let agents = byAgent.get(key);
      if (!agents) byAgent.set(key, (agents = new Map()));
      addCall(sumsIn(agents, u.agent), u);
      addCall(sumsIn(groupsIn(dayGroups, kind), key), u);
    }
    addCall(sumsIn(this.hours, slotOf(u.at, HOUR)), u);
    if (u.at < this.start) return;
    addCall(sumsIn(this.minutes, slotOf(u.at, MINUTE)), u);
    this.recent.add(u);
  }

  private dayGroups(day: number): Map<CostGroupBy, Groups<ModelSums>> {
    let d = this.days.get(day);
    if (d) return d;
    this.days.set(day, (d = new Map()));
    this.dayList.splice(firstFrom(this.dayList, day), 0, day);
    return d;
  }

  // ── answers ──────────────────────────────────────────────────────────────────────────────────

  /** groupUsage and totalUsage: every group of a kind since a time (all time without one), and the town. */
  report(by: CostGroupBy, since: number | undefined, prices: PriceTable): { since: number | null; rows: CostRow[]; total: CostTotals } {
    if (since === undefined || !this.dayList.length || since <= this.dayList[0]) {
      const groups = [...(this.lifetime.get(by) ?? [])].map(([key, agents]): [string | null, ModelSums] => [key, mergeSums(agents.values())]);
      return { since: since ?? null, rows: this.rows(groups, by, prices), total: roundTotals(costTotals(this.lifetimeOf('town', 'town'), prices)) };
    }
    const from = since >= this.start ? since : startOfDay(since);
    const period = this.periodSums(from, by);
    return { since: from, rows: this.rows(period.groups, by, prices), total: roundTotals(costTotals(period.town, prices)) };
  }

  private rows(groups: Iterable<[string | null, ModelSums]>, by: CostGroupBy, prices: PriceTable): CostRow[] {
    const named: Array<[string, CostTotals]> = [];
    for (const [key, sums] of groups) if (key !== null) named.push([key, costTotals(sums, prices)]);
    return costRows(named, by);
  }

  /** The lifetime rows of these keys of a grouping, each as report(by) gives it (no row for a key
   *  with no usage): a poll's changed beads, without the whole report. */
  rowsOf(by: CostGroupBy, keys: Iterable<string>, prices: PriceTable): CostRow[] {
    const groups = this.lifetime.get(by);
    const picked: Array<[string, ModelSums]> = [];
    for (const key of new Set(keys)) {
      const agents = groups?.get(key);
      if (agents) picked.push([key, mergeSums(agents.values())]);
    }
    return this.rows(picked, by, prices);
  }

  /** The town's and every agent's total, today, and burn over 5 and 60 minutes (totalUsage, burnRate
   *  and groupUsage('agent') of every row). */
  meters(now: number, prices: PriceTable): { total: CostTotals; today: CostTotals; burn5: number; burn60: number; agents: AgentMeter[] } {
    const today = this.periodSums(startOfDay(now), 'agent');
    const burn5 = this.recent.burn(BURN_5, now);
    const burn60 = this.recent.burn(BURN_60, now);
    const spent = (sums: ModelSums | undefined): number => (sums ? pricedCost(sums, prices) : 0);
    const agents: AgentMeter[] = [];
    for (const [agent, sums] of this.lifetime.get('agent') ?? []) {
      if (agent === null) continue;
      agents.push(agentMeter(agent, roundTotals(costTotals(mergeSums(sums.values()), prices)), spent(today.groups.get(agent)), spent(burn5.get(agent)), spent(burn60.get(agent))));
    }
    return {
      total: roundTotals(costTotals(this.lifetimeOf('town', 'town'), prices)),
      today: roundTotals(costTotals(today.town, prices)),
      burn5: cents(pricedCost(mergeSums(burn5.values()), prices) * 12),
      burn60: cents(pricedCost(mergeSums(burn60.values()), prices)),
      agents: sortMeters(agents),
    };
  }

  /** What budgetStatus counts: dollars in the budget's scope, today (day budgets) or all time. */
  spent(b: Budget, now: number, prices: PriceTable): number {
    const key = b.scope === 'town' ? 'town' : b.target;
    if (b.period === 'total') return pricedCost(this.lifetimeOf(b.scope, key), prices);
    let dollars = 0;
    for (let i = firstFrom(this.dayList, startOfDay(now)); i < this.dayList.length; i++) {
      const sums = this.days.get(this.dayList[i])!.get(b.scope)?.get(key);
      if (sums) dollars += pricedCost(sums, prices);
    }
    return dollars;
  }

  /** A scope's cost (all time) and who spent it: totalUsage and groupUsage('agent') of its rows. */
  costOf(scope: ScopeCost['scope'], id: string, prices: PriceTable): { total: CostTotals; byAgent: CostRow[] } {
    const agents = this.lifetime.get(scope)?.get(scope === 'town' ? 'town' : id) ?? new Map<string, ModelSums>();
    return { total: roundTotals(costTotals(mergeSums(agents.values()), prices)), byAgent: this.rows(agents, 'agent', prices) };
  }

  /** costSeries: spend per bucket from `since` to `now`. `bucketMs` is a whole number of minutes. */
  series(since: number, now: number, bucketMs: number, prices: PriceTable): CostSeriesPoint[] {
    const start = Math.floor(since / bucketMs) * bucketMs;
    const count = Math.max(1, Math.min(10_000, Math.ceil((now - start) / bucketMs)));
    const end = start + count * bucketMs;
    const points: CostSeriesPoint[] = Array.from({ length: count }, (_, i) => ({ at: start + i * bucketMs, cost: 0, tokens: 0 }));
    const put = (at: number, sums: ModelSums): void => {
      const pt = points[Math.max(0, Math.floor((at - start) / bucketMs))];
      pt.cost += pricedCost(sums, prices);
      pt.tokens += tokenCount(sums);
    };
    // Before the recent window by the hour (the hour holding `start` too), then by the minute.
    for (const [hour, sums] of slotsIn(this.hours, slotOf(start, HOUR), Math.min(end, this.start), HOUR)) put(hour, sums);
    for (const [minute, sums] of slotsIn(this.minutes, Math.max(start, this.start), end, MINUTE)) put(minute, sums);
    for (const pt of points) pt.cost = cents(pt.cost);
    return points;
  }

  // ── sums of a period ─────────────────────────────────────────────────────────────────────────

  /** A group's sums of all time (its agents' merged). */
  private lifetimeOf(kind: CostGroupBy, key: string | null): ModelSums {
    return mergeSums(this.lifetime.get(kind)?.get(key)?.values() ?? []);
  }

  /** Sums of the rows made from `from` on, grouped by `by`: the rest of `from`'s day from the
   *  window's rows (`from` inside the window), then whole days. */
  private periodSums(from: number, by: CostGroupBy): PeriodSums {
    const out: PeriodSums = { groups: new Map(), town: new Map() };
    let days = from;
    if (from !== startOfDay(from)) {
      days = startOfDay(from) + DAY;
      for (const u of this.recent.between(from, days)) {
        addCall(sumsIn(out.groups, groupKey(u, by)), u);
        addCall(out.town, u);
      }
    }
    for (let i = firstFrom(this.dayList, days); i < this.dayList.length; i++) {
      const d = this.days.get(this.dayList[i])!;
      for (const [key, sums] of d.get(by) ?? []) addSums(sumsIn(out.groups, key), sums);
      addSums(out.town, d.get('town')?.get('town') ?? new Map());
    }
    return out;
  }
}

/** The slots of a map in [from, to) (step: the slot size), by stepping or by scanning, whichever is shorter. */
function* slotsIn(map: Map<number, ModelSums>, from: number, to: number, step: number): Generator<[number, ModelSums]> {
  if (to <= from) return;
  if ((to - from) / step <= map.size) {
    for (let at = from; at < to; at += step) {
      const sums = map.get(at);
      if (sums) yield [at, sums];
    }
  } else {
    for (const entry of map) if (entry[0] >= from && entry[0] < to) yield entry;
  }
}
