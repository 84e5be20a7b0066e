// The store's cost and controls slices, as pure functions: what a costMeters / controls /
// budgetAlert event or a request's reply does to them, and the selectors views read them with.
//
// Invariants:
// - `controls` is the latest ControlsState the town sent, whichever way it came (controlsStatus,
//   the `controls` event, the controls inside a `costMeters` reply or event, an estop reply): a
//   reply or event is never older than what the store holds, since the transport is ordered.
// - Unknown prices stay unknown: totals are kept as the town sends them (cost + unpricedTokens),
//   never folded into a dollar figure here.
// - Selectors return values held in the state (never a new object), so they are stable for useTown.
// - Budget alerts are kept newest first, at most ALERTS_CAP of them, once each (by key).
import { budgetItem } from '../../preload/requests/ui-inbox.ts';
import type { AgentCost, BudgetAlertEvent, ControlsState, CostMeters, CostSeriesPoint, CostTotals } from '../../preload/requests/cost-types.ts';

export const ALERTS_CAP = 50;

export interface CostSlice {
  /** The meters as last sent; null until the first reply. */
  meters: CostMeters | null;
  /** Spend per bucket over the chart's window, oldest first. */
  series: CostSeriesPoint[];
  /** Budget alerts received since the page loaded, newest first. */
  alerts: BudgetAlertEvent[];
}

export const emptyCostSlice = (): CostSlice => ({ meters: null, series: [], alerts: [] });

/** The key of one alert (one budget, one level, one moment): its inbox item's key. */
export const alertKey = (a: BudgetAlertEvent): string => budgetItem(a).key;

export function withMeters(cost: CostSlice, meters: CostMeters): CostSlice {
  if (cost.meters && cost.meters.at > meters.at) return cost;
  return { ...cost, meters };
}

export function withSeries(cost: CostSlice, series: CostSeriesPoint[]): CostSlice {
  return { ...cost, series };
}

export function withAlert(cost: CostSlice, alert: BudgetAlertEvent): CostSlice {
  const key = alertKey(alert);
  if (cost.alerts.some((a) => alertKey(a) === key)) return cost;
  return { ...cost, alerts: [alert, ...cost.alerts].slice(0, ALERTS_CAP) };
}

/** Controls with nothing on: what the UI assumes only until the town has answered. */
export const NO_CONTROLS: ControlsState = { estop: null, parkedRigs: [], dndUntil: null, budgetPaused: [] };

// Selectors (over the store's state; only the fields they read are typed).

type WithCost = { cost: CostSlice };
type WithControls = { controls: ControlsState | null };

export const selectTownTotal = (s: WithCost): CostTotals | null => s.cost.meters?.total ?? null;
export const selectToday = (s: WithCost): CostTotals | null => s.cost.meters?.today ?? null;
/** Burn rates in $/h over the last 5 and 60 minutes; null until the meters are in. (Numbers, not an
 *  object: a selector must return the same value for the same state, or React re-renders forever.) */
export const selectBurn5 = (s: WithCost): number | null => s.cost.meters?.burn5 ?? null;
export const selectBurn60 = (s: WithCost): number | null => s.cost.meters?.burn60 ?? null;
/** One agent's cost; null when it has spent nothing (or the meters are not in yet). */
export const selectAgentCost = (s: WithCost, agent: string): AgentCost | null => s.cost.meters?.agents.find((a) => a.agent === agent) ?? null;
export const selectSeries = (s: WithCost): CostSeriesPoint[] => s.cost.series;
export const selectEstop = (s: WithControls): ControlsState['estop'] => s.controls?.estop ?? null;
export const selectControls = (s: WithControls): ControlsState => s.controls ?? NO_CONTROLS;
/** Do-not-disturb is on at `now`. */
export const dndActive = (c: ControlsState | null, now: number): boolean => !!c?.dndUntil && c.dndUntil > now;
