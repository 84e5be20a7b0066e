// Batch-then-bisect, as pure control flow over two operations (build a merge stack, run the gate)
// so the search itself is unit-testable without git.
//
// 1. Build the batch onto the target and gate its tip. Green: land everything.
// 2. Red: run the same tip again once. Green now: the gate is flaky; land everything, say so.
// 3. Red twice: binary-search the smallest failing prefix (prefixes are cumulative on top of what
//    is already known good); its last request is a culprit. Everything before it is good. Rebuild
//    the rest on the good tip, gate it; green lands it, red searches again. k culprits among n
//    cost about k·log2(n) extra runs instead of n.
// The commit that lands is always one whose gate passed (or the untouched target).
// If the very first request looks guilty and the target was never seen green, the target itself
// is gated: a red target blames nobody.

import type { GateResult } from './types.ts';

export interface StackBuild<T> {
  /** Requests that merged, in order. */
  items: T[];
  /** tips[i] = the commit holding items[0..i] merged onto the stack's base. */
  tips: string[];
  /** Conflict only with an earlier request of this stack: try again next batch. */
  deferred: T[];
  /** Conflict with the target itself: blocked until the branch changes. */
  conflicts: Array<{ item: T; files: string[] }>;
  /** Could not be merged at all (unrelated history, bad object). */
  broken: Array<{ item: T; message: string }>;
}

export interface ResolverOps<T> {
  build(onto: string, items: T[]): Promise<StackBuild<T>>;
  gate(tip: string, items: T[]): Promise<GateResult>;
}

export interface Resolution<T> {
  /** Commit the target should fast-forward to, or null when nothing lands. */
  landTip: string | null;
  landed: T[];
  /** For each landed request, the commit that merged it. */
  mergedAs: Map<T, string>;
  culprits: Array<{ item: T; result: GateResult }>;
  /** The failing first run of a batch that then passed on retry. */
  flaky: GateResult | null;
  deferred: T[];
  conflicts: Array<{ item: T; files: string[] }>;
  broken: Array<{ item: T; message: string }>;
  /** Set when the target itself fails the gate: nothing was judged. */
  targetRed: GateResult | null;
  gateRuns: number;
}

/** Thrown when the gate cannot judge at all (missing command, refinery stopping). */
export class GateStopped extends Error {
  constructor(readonly result: GateResult) {
    super(`gate ${result.outcome}`);
  }
}

const passed = (r: GateResult): boolean => r.outcome === 'pass';

export async function resolveBatch<T>(target: string, items: T[], ops: ResolverOps<T>, targetKnownGreen: boolean): Promise<Resolution<T>> {
  const res: Resolution<T> = {
    landTip: null, landed: [], mergedAs: new Map(), culprits: [], flaky: null,
    deferred: [], conflicts: [], broken: [], targetRed: null, gateRuns: 0,
  };
  const gate = async (tip: string, its: T[]): Promise<GateResult> => {
    res.gateRuns++;
    const r = await ops.gate(tip, its);
    if (r.outcome === 'unavailable' || r.outcome === 'aborted') throw new GateStopped(r);
    return r;
  };
  const build = async (onto: string, its: T[]): Promise<StackBuild<T>> => {
    const b = await ops.build(onto, its);
    res.deferred.push(...b.deferred);
    res.conflicts.push(...b.conflicts);
    res.broken.push(...b.broken);
    return b;
  };
  const accept = (b: StackBuild<T>, count: number): void => {
    for (let i = 0; i < count; i++) {
      res.landed.push(b.items[i]);
      res.mergedAs.set(b.items[i], b.tips[i]);
    }
    if (count > 0) res.landTip = b.tips[count - 1];
  };

  let cur = await build(target, items);
  if (cur.items.length === 0) return res;
  const tipOf = (b: StackBuild<T>): string => b.tips[b.tips.length - 1];

  const first = await gate(tipOf(cur), cur.items);
  if (passed(first)) {
    accept(cur, cur.items.length);
    return res;
  }
  let lastFail = await gate(tipOf(cur), cur.items);
  if (passed(lastFail)) {
    res.flaky = first;
    accept(cur, cur.items.length);
    return res;
  }

  let greenKnown = targetKnownGreen;
  for (;;) {
    // Invariant: the stack's base passes (or is the target), its full tip fails with lastFail.
    const n = cur.items.length;
    const failures = new Map<number, GateResult>([[n, lastFail]]);
    let lo = 0;
    let hi = n;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const r = await gate(cur.tips[mid - 1], cur.items.slice(0, mid));
      if (passed(r)) lo = mid;
      else {
        hi = mid;
        failures.set(mid, r);
      }
    }
    if (hi === 1 && res.landed.length === 0 && !greenKnown) {
      const t = await gate(target, []);
      if (!passed(t)) {
        res.targetRed = t;
        res.deferred.push(...cur.items);
        return res;
      }
      greenKnown = true;
    }
    res.culprits.push({ item: cur.items[hi - 1], result: failures.get(hi)! });
    accept(cur, hi - 1);
    const rest = cur.items.slice(hi);
    if (rest.length === 0) return res;
    cur = await build(res.landTip ?? target, rest);
    if (cur.items.length === 0) return res;
    const r = await gate(tipOf(cur), cur.items);
    if (passed(r)) {
      accept(cur, cur.items.length);
      return res;
    }
    lastFail = r;
  }
}
