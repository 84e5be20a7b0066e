// The usage rows of the recent window, in time order, and the sliding sums of the burn windows
// (spend over the last 5 and 60 minutes). Pure: no I/O, no clock (callers pass the time).
//
// Invariants:
//   - rows are kept sorted by `at` (a row arriving out of order is inserted at its place; rows of
//     equal time keep their arrival order); a row is kept until `evictBefore` passes its time;
//   - a burn window's sums are exactly the token sums, per agent and model, of the rows with
//     now − span ≤ at ≤ now for the last `now` it was moved to: moving it forward adds the rows
//     that entered and takes away those that left (each row enters and leaves once); a row stored
//     meanwhile is added at once when its time is inside; moving it back in time rebuilds it;
//   - sums hold whole token counts, so adding and taking away leaves no rounding behind.
import { addCall, type ModelSums } from './usage-sums.ts';
import type { StoredUsage } from './usage-store.ts';

/** The first index in rows[from, to) whose time is after `at` (where a row of that time goes). */
function after(rows: readonly StoredUsage[], from: number, to: number, at: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].at <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in rows[from, to) whose time is `at` or later. */
function notBefore(rows: readonly StoredUsage[], from: number, to: number, at: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].at < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Spend per agent and model over [now − span, now], slid along the sorted rows. */
class BurnWindow {
  /** rows[lo, hi) are the window's rows: before lo too old, from hi on after `now`. */
  private lo = 0;
  private hi = 0;
  private now = -Infinity;
  readonly sums = new Map<string, ModelSums>();

  constructor(readonly spanMs: number) {}

  private change(u: StoredUsage, calls: 1 | -1): void {
    let mine = this.sums.get(u.agent);
    if (!mine) this.sums.set(u.agent, (mine = new Map()));
    addCall(mine, u, calls);
    if (!mine.size) this.sums.delete(u.agent);
  }

  /** A row was inserted at `index` (the rows from there on moved one up). */
  inserted(index: number, u: StoredUsage): void {
    if (u.at < this.now - this.spanMs) {
      this.lo++; // before the window: index ≤ lo
      this.hi++;
    } else if (u.at <= this.now) {
      this.change(u, 1); // inside: lo ≤ index ≤ hi
      this.hi++;
    } // after `now`: index ≥ hi, reached when the window moves
  }

  /** The first `count` rows are dropped (every index moves down by as many): those in the window leave it. */
  evicted(rows: readonly StoredUsage[], count: number): void {
    for (let i = this.lo; i < Math.min(this.hi, count); i++) this.change(rows[i], -1);
    this.lo = Math.max(this.lo, count) - count;
    this.hi = Math.max(this.hi, count) - count;
  }

  /** The window moved to end at `now`. */
  moveTo(rows: readonly StoredUsage[], now: number): void {
    if (now < this.now) return this.rebuild(rows, now);
    this.now = now;
    for (; this.hi < rows.length && rows[this.hi].at <= now; this.hi++) this.change(rows[this.hi], 1);
    for (; this.lo < this.hi && rows[this.lo].at < now - this.spanMs; this.lo++) this.change(rows[this.lo], -1);
  }

  private rebuild(rows: readonly StoredUsage[], now: number): void {
    this.sums.clear();
    this.now = now;
    this.lo = notBefore(rows, 0, rows.length, now - this.spanMs);
    this.hi = Math.max(this.lo, after(rows, 0, rows.length, now));
    for (let i = this.lo; i < this.hi; i++) this.change(rows[i], 1);
  }
}

export class RecentUsage {
  /** Sorted by time. */
  private rows: StoredUsage[] = [];
  private readonly windows: BurnWindow[];

  constructor(burnSpansMs: number[]) {
    this.windows = burnSpansMs.map((span) => new BurnWindow(span));
  }

  /** How many rows are kept. */
  get size(): number {
    return this.rows.length;
  }

  add(u: StoredUsage): void {
    const index = after(this.rows, 0, this.rows.length, u.at);
    if (index === this.rows.length) this.rows.push(u);
    else this.rows.splice(index, 0, u);
    for (const w of this.windows) w.inserted(index, u);
  }

  /** Drops the rows made before `at` (one copy of the rest: the window start moves by the hour); returns them. */
  evictBefore(at: number): StoredUsage[] {
    const end = notBefore(this.rows, 0, this.rows.length, at);
    if (!end) return [];
    for (const w of this.windows) w.evicted(this.rows, end);
    const gone = this.rows.slice(0, end);
    this.rows = this.rows.slice(end);
    return gone;
  }

  /** The rows with from ≤ at < to, in time order. */
  *between(from: number, to: number): Generator<StoredUsage> {
    const end = notBefore(this.rows, 0, this.rows.length, to);
    for (let i = notBefore(this.rows, 0, this.rows.length, from); i < end; i++) yield this.rows[i];
  }

  /** Token sums per agent and model of the rows with now − span ≤ at ≤ now (span: one of the burn spans). */
  burn(spanMs: number, now: number): ReadonlyMap<string, ModelSums> {
    const w = this.windows.find((x) => x.spanMs === spanMs);
    if (!w) throw new Error(`no burn window of ${spanMs} ms`);
    w.moveTo(this.rows, now);
    return w.sums;
  }
}
