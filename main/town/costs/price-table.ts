// Prices per model, in US dollars per million tokens, for input, output, cache write and cache
// read. Shipped defaults (list prices on PRICES_DATE) are overridden or extended by the town's
// settings/costs.json "prices". A model is found by exact name, else by the longest known name it
// starts with (dated releases: "claude-sonnet-4-5-20250929" → "claude-sonnet-4-5"), after
// normalising case, a "provider/" prefix and dots between digits ("claude-sonnet-4.5").
//
// Invariant: a model with no price is UNKNOWN (null), never free: callers count its tokens and
// say "price unknown"; nothing turns it into $0.

export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export const PRICES_DATE = '2025-11-01';

const p = (input: number, output: number, cacheWrite: number, cacheRead: number): ModelPrice => ({ input, output, cacheWrite, cacheRead });

/** List prices as published by each provider on PRICES_DATE (standard tier, ≤200k context). */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'claude-opus-4-5': p(5, 25, 6.25, 0.5),
  'claude-opus-4-1': p(15, 75, 18.75, 1.5),
  'claude-opus-4': p(15, 75, 18.75, 1.5),
  'claude-sonnet-4-5': p(3, 15, 3.75, 0.3),
  'claude-sonnet-4': p(3, 15, 3.75, 0.3),
  'claude-3-7-sonnet': p(3, 15, 3.75, 0.3),
  'claude-haiku-4-5': p(1, 5, 1.25, 0.1),
  'claude-3-5-haiku': p(0.8, 4, 1, 0.08),
  'gpt-5-codex': p(1.25, 10, 0, 0.125),
  'gpt-5-mini': p(0.25, 2, 0, 0.025),
  'gpt-5-nano': p(0.05, 0.4, 0, 0.005),
  'gpt-5': p(1.25, 10, 0, 0.125),
  'gpt-4-1-mini': p(0.4, 1.6, 0, 0.1),
  'gpt-4-1': p(2, 8, 0, 0.5),
  'o4-mini': p(1.1, 4.4, 0, 0.275),
  o3: p(2, 8, 0, 0.5),
  'gemini-2-5-pro': p(1.25, 10, 0, 0.31),
  'gemini-2-5-flash-lite': p(0.1, 0.4, 0, 0.025),
  'gemini-2-5-flash': p(0.3, 2.5, 0, 0.075),
};

export function normaliseModel(model: string): string {
  return model.trim().toLowerCase().replace(/^[a-z0-9-]+\//, '').replace(/(\d)\.(\d)/g, '$1-$2');
}

export class PriceTable {
  private readonly table = new Map<string, ModelPrice>();
  private readonly found = new Map<string, ModelPrice | null>();

  constructor(overrides: Record<string, ModelPrice> = {}, readonly date: string = PRICES_DATE) {
    for (const [k, v] of Object.entries(DEFAULT_PRICES)) this.table.set(normaliseModel(k), v);
    for (const [k, v] of Object.entries(overrides)) this.table.set(normaliseModel(k), v);
  }

  /** The model's price, or null when it is unknown. */
  priceOf(model: string): ModelPrice | null {
    const cached = this.found.get(model);
    if (cached !== undefined) return cached;
    const name = normaliseModel(model);
    let best: string | null = this.table.has(name) ? name : null;
    if (!best) {
      for (const k of this.table.keys()) if (name.startsWith(k + '-') && (!best || k.length > best.length)) best = k;
    }
    const price = best ? this.table.get(best)! : null;
    this.found.set(model, price);
    return price;
  }

  /** Dollars for these tokens, or null when the model's price is unknown. */
  costOf(model: string, t: { input: number; output: number; cacheWrite: number; cacheRead: number }): number | null {
    const pr = this.priceOf(model);
    if (!pr) return null;
    return (t.input * pr.input + t.output * pr.output + t.cacheWrite * pr.cacheWrite + t.cacheRead * pr.cacheRead) / 1_000_000;
  }

  entries(): Array<{ model: string } & ModelPrice> {
    return [...this.table.entries()].map(([model, pr]) => ({ model, ...pr })).sort((a, b) => a.model.localeCompare(b.model));
  }
}
