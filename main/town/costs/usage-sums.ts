// Token sums per model: what the running aggregates (usage-totals.ts) keep in place of rows, and
// their price. Pure functions, no I/O.
//
// Invariants:
//   - sums are whole token counts and call counts, exact (integers, far below 2^53);
//   - dollars come from the price table when asked, never stored: a call's cost is linear in its
//     tokens for its model (PriceTable.costOf), so the cost of a model's sum is the sum of its
//     calls' costs, up to floating-point rounding (which the reports round away);
//   - a model without a price adds its tokens to `unpricedTokens` and is named in `unpricedModels`,
//     exactly as addUsage does row by row: never a silent $0;
//   - a sum that drops to no calls (a row leaving a sliding window) is removed, not kept as zeros.
import type { CostTotals } from '../../../preload/requests/cost-types.ts';
import { emptyTotals } from './cost-report.ts';
import type { PriceTable } from './price-table.ts';

export interface Tokens {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export interface TokenSums extends Tokens {
  calls: number;
}

/** Token sums by model name (as the runtime recorded it). */
export type ModelSums = Map<string, TokenSums>;

const emptySums = (): TokenSums => ({ calls: 0, input: 0, output: 0, cacheWrite: 0, cacheRead: 0 });

/** Adds `calls` calls of `model` with these tokens; a negative `calls` takes them away. */
export function addTokens(sums: ModelSums, model: string, t: Tokens, calls = 1): void {
  let s = sums.get(model);
  if (!s) sums.set(model, (s = emptySums()));
  s.calls += calls;
  s.input += calls * t.input;
  s.output += calls * t.output;
  s.cacheWrite += calls * t.cacheWrite;
  s.cacheRead += calls * t.cacheRead;
  if (s.calls === 0) sums.delete(model);
}

/** One call (a stored row) added to, or with `calls` = -1 taken from, the sums. */
export const addCall = (sums: ModelSums, u: Tokens & { model: string }, calls: 1 | -1 = 1): void => addTokens(sums, u.model, u, calls);

/** `from` added into `into`. */
export function addSums(into: ModelSums, from: ModelSums): void {
  for (const [model, s] of from) {
    const t = into.get(model);
    if (!t) into.set(model, { ...s });
    else {
      t.calls += s.calls;
      t.input += s.input;
      t.output += s.output;
      t.cacheWrite += s.cacheWrite;
      t.cacheRead += s.cacheRead;
    }
  }
}

/** Several sums merged into a new one. */
export function mergeSums(parts: Iterable<ModelSums>): ModelSums {
  const out: ModelSums = new Map();
  for (const p of parts) addSums(out, p);
  return out;
}

/** Dollars of the priced models' tokens (unpriced models add nothing: see totalsOf). */
export function pricedCost(sums: ModelSums, prices: PriceTable): number {
  let cost = 0;
  for (const [model, s] of sums) cost += prices.costOf(model, s) ?? 0;
  return cost;
}

/** Every token of the sums, priced or not (a chart's tokens). */
export function tokenCount(sums: ModelSums): number {
  let n = 0;
  for (const s of sums.values()) n += s.input + s.output + s.cacheWrite + s.cacheRead;
  return n;
}

/** The sums as report totals, not rounded yet (roundTotals, costRows), as addUsage leaves them. */
export function costTotals(sums: ModelSums, prices: PriceTable): CostTotals {
  const t = emptyTotals();
  for (const [model, s] of sums) {
    t.calls += s.calls;
    t.input += s.input;
    t.output += s.output;
    t.cacheWrite += s.cacheWrite;
    t.cacheRead += s.cacheRead;
    const cost = prices.costOf(model, s);
    if (cost === null) {
      t.unpricedTokens += s.input + s.output + s.cacheWrite + s.cacheRead;
      t.unpricedModels.push(model);
    } else {
      t.cost += cost;
    }
  }
  return t;
}
