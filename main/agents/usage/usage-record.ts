// One model call's token usage, as read from an agent CLI's own records. Every runtime's parser
// produces this one shape; prices are applied later (main/town/costs/), never here.
//
// Invariants:
//   - token counts are whole numbers ≥ 0, split so that nothing is counted twice:
//     `input` is input NOT read from a cache, `cacheRead` is input read from a cache, `cacheWrite`
//     is input written to a cache, `output` includes reasoning/thinking tokens.
//   - `key` identifies the call within its file, so a record read twice is stored once.

export interface UsageRecord {
  /** Unique per model call within the runtime's records (message id, line offset, …). */
  key: string;
  runtime: string;
  /** The CLI's own session id (from the record), when it has one. */
  session: string | null;
  /** The working directory the CLI ran in (from the record), when it says. */
  cwd: string | null;
  model: string;
  /** Epoch milliseconds of the call. */
  at: number;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** Parses one runtime's records, one complete line (or one whole JSON document) at a time. Its
 *  state is plain JSON so a tailer can persist it with its file offset and carry on after a restart. */
export interface UsageParser {
  /** `where` is a stable position of the line (its byte offset) for keys that need one. */
  line(text: string, where: number): UsageRecord[];
  state(): unknown;
}

export const tokens = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

export const timeOf = (v: unknown, fallback: number): number => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return fallback;
};

/** JSON.parse that answers null for a malformed line (a partial write, a foreign line). */
export function parseJsonLine(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A bounded memory of recently seen keys (duplicates are adjacent in every format we read). */
export class RecentKeys {
  private readonly order: string[];
  private readonly set: Set<string>;
  constructor(initial: string[] = [], private readonly limit = 2000) {
    this.order = initial.slice(-limit);
    this.set = new Set(this.order);
  }
  /** True when the key is new (and remembers it). */
  add(key: string): boolean {
    if (this.set.has(key)) return false;
    this.set.add(key);
    this.order.push(key);
    if (this.order.length > this.limit) this.set.delete(this.order.shift()!);
    return true;
  }
  list(): string[] {
    return [...this.order];
  }
}

export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
