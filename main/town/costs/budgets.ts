// Budgets: an amount of dollars per day or in total, for the town, a rig or a convoy; and the one
// decision of whether new work may be dispatched into a scope. Pure functions, no I/O.
//
// Invariants:
//   - at ≥ 80% a budget is 'warning', at ≥ 100% 'exceeded'; only exceeded budgets block;
//   - a day budget counts spend since 00:00 UTC of the current day;
//   - e-stop blocks everything, restarts of hooked work included; a parked rig and an exceeded
//     budget block new work only (a hooked bead's session may be restarted), unless the budget
//     also pauses agents (then its restarts wait too).
import type { Budget, BudgetPeriod, BudgetScope, BudgetStatus, ControlsState } from '../../../preload/requests/cost-types.ts';
import type { PriceTable } from './price-table.ts';
import type { StoredUsage } from './usage-store.ts';

export const WARN_RATIO = 0.8;

export const budgetId = (scope: BudgetScope, target: string | null, period: BudgetPeriod): string => `${scope}:${scope === 'town' ? 'town' : target}:${period}`;

export function startOfDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export function inScope(b: Budget, u: StoredUsage): boolean {
  if (b.scope === 'town') return true;
  if (b.scope === 'rig') return u.rig === b.target;
  return u.convoy === b.target;
}

export function budgetStatus(b: Budget, rows: Iterable<StoredUsage>, prices: PriceTable, now: number): BudgetStatus {
  const since = b.period === 'day' ? startOfDay(now) : 0;
  let spent = 0;
  for (const u of rows) if (u.at >= since && inScope(b, u)) spent += prices.costOf(u.model, u) ?? 0;
  return budgetState(b, spent);
}

/** A budget's state once its spend (dollars in its scope and period) is known. */
export function budgetState(b: Budget, dollars: number): BudgetStatus {
  const spent = Math.round(dollars * 1_000_000) / 1_000_000;
  const ratio = spent / b.amount;
  return { ...b, spent, ratio, state: ratio >= 1 ? 'exceeded' : ratio >= WARN_RATIO ? 'warning' : 'ok' };
}

export interface DispatchScope {
  rig: string;
  convoy?: string | null;
  /** A GUPP restart of work already hooked (not new work). */
  restart?: boolean;
}

/** Why nothing may be dispatched into this scope now, or null. */
export function dispatchBlock(controls: ControlsState, budgets: BudgetStatus[], s: DispatchScope): string | null {
  if (controls.estop) return `e-stop since ${new Date(controls.estop.since).toISOString()} (by ${controls.estop.by}); gt resume continues`;
  for (const b of budgets) {
    if (b.state !== 'exceeded') continue;
    const applies = b.scope === 'town' || (b.scope === 'rig' && b.target === s.rig) || (b.scope === 'convoy' && !!s.convoy && b.target === s.convoy);
    if (!applies) continue;
    if (s.restart && !controls.budgetPaused.includes(b.id)) continue;
    return `budget ${b.id} reached: $${b.spent.toFixed(2)} of $${b.amount.toFixed(2)}${b.period === 'day' ? ' today' : ''}; raise it with gt budget set`;
  }
  if (!s.restart && controls.parkedRigs.includes(s.rig)) return `rig ${s.rig} is parked (gt rig unpark ${s.rig})`;
  return null;
}

/** Whether a convoy's budget is reached: only then does dispatchBlock need to know a bead's convoy. */
export function convoyBudgetReached(budgets: BudgetStatus[]): boolean {
  return budgets.some((b) => b.state === 'exceeded' && b.scope === 'convoy');
}

/** The alert to send for a budget now, if its level rose since the last alert for this amount and period. */
export function alertDue(status: BudgetStatus, last: { level: string; amount: number; period: string } | undefined, periodKey: string): 'warning' | 'exceeded' | null {
  if (status.state === 'ok') return null;
  const same = last && last.amount === status.amount && last.period === periodKey;
  if (same && (last.level === 'exceeded' || last.level === status.state)) return null;
  return status.state;
}
