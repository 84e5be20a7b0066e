// Shapes of the cost and controls requests and events (preload/requests/costs.ts).

export type CostGroupBy = 'agent' | 'bead' | 'convoy' | 'rig' | 'day' | 'model' | 'town';

/** Tokens and dollars of a set of model calls. `cost` counts priced calls only: when
 *  `unpricedTokens` > 0 the models in `unpricedModels` have no price and the cost is a lower bound. */
export interface CostTotals {
  calls: number;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  cost: number;
  unpricedTokens: number;
  unpricedModels: string[];
}

export type CostRow = { key: string } & CostTotals;

export interface CostReport {
  by: CostGroupBy;
  since: number | null;
  rows: CostRow[];
  total: CostTotals;
  /** The date of the price table's shipped defaults. */
  pricesDate: string;
}

export interface CostSeriesPoint {
  at: number;
  cost: number;
  tokens: number;
}

export interface AgentCost {
  agent: string;
  rig: string | null;
  total: CostTotals;
  today: number;
  /** Dollars per hour over the last 5 and 60 minutes. */
  burn5: number;
  burn60: number;
}

export interface ControlsState {
  /** Emergency stop: every agent's processes frozen, nothing dispatched. Survives a restart. */
  estop: { since: number; by: string } | null;
  parkedRigs: string[];
  /** Notifications muted until then (epoch ms). */
  dndUntil: number | null;
  /** Budgets at 100% whose scope's agents are paused (settings: pauseAgentsOnBudget). */
  budgetPaused: string[];
}

export interface CostMeters {
  at: number;
  total: CostTotals;
  today: CostTotals;
  burn5: number;
  burn60: number;
  agents: AgentCost[];
  controls: ControlsState;
  /** In the costMeters event only: the lifetime cost of each bead whose calls arrived since the
   *  last event (as `costReport` by bead gives its row), so a view of every bead's cost follows
   *  without reading the whole report again. Absent from the request's answer. */
  beads?: CostRow[];
}

export type BudgetScope = 'town' | 'rig' | 'convoy';
export type BudgetPeriod = 'day' | 'total';

export interface Budget {
  /** `<scope>:<target>:<period>`, e.g. `convoy:hq-abc:total`, `town:town:day`. */
  id: string;
  scope: BudgetScope;
  target: string | null;
  amount: number;
  period: BudgetPeriod;
}

export interface BudgetStatus extends Budget {
  spent: number;
  ratio: number;
  state: 'ok' | 'warning' | 'exceeded';
}

export interface BudgetAlertEvent {
  budget: BudgetStatus;
  level: 'warning' | 'exceeded';
  message: string;
  /** False while do-not-disturb is on: show it in the inbox, raise no notification. */
  notify: boolean;
  at: number;
}

export interface ScopeCost {
  scope: 'agent' | 'bead' | 'convoy' | 'rig' | 'town';
  id: string;
  total: CostTotals;
  /** Who spent it (a bead's cost is the sessions that worked on it). */
  byAgent: CostRow[];
}
