// Requests on cost and controls: usage and dollars by agent, bead, convoy, rig, day; burn rates;
// budgets; the emergency stop, parked rigs and do-not-disturb.
import { z } from 'zod';
import type { Budget, BudgetStatus, ControlsState, CostMeters, CostReport, CostSeriesPoint, ScopeCost } from './cost-types.ts';
import { request, returns } from '../api-kit.ts';
import { allow } from '../callers.ts';
import { RigName } from './rigs.ts';

const Since = z.number().int().min(0).optional();
const Target = z.string().min(1).max(200);

export const costRequests = {
  /** `gt costs`: totals grouped by agent, bead, convoy, rig, day or model, since a time (epoch ms). */
  costReport: request(z.object({ by: z.enum(['agent', 'bead', 'convoy', 'rig', 'day', 'model', 'town']).default('agent'), since: Since }).strict(), returns<CostReport>(), allow.anyone),
  /** The status bar's meters: town total and today, burn rates, per-agent cost, controls. */
  costMeters: request(z.object({}).strict(), returns<CostMeters>(), allow.anyone),
  /** Spend per bucket, for a chart of spend over time. */
  costSeries: request(z.object({ since: Since, bucketMinutes: z.number().int().min(1).max(1440).default(5) }).strict(), returns<CostSeriesPoint[]>(), allow.anyone),
  /** One agent's, bead's, convoy's or rig's cost, with who spent it. */
  costOf: request(z.object({ scope: z.enum(['agent', 'bead', 'convoy', 'rig', 'town']), id: Target.default('town') }).strict(), returns<ScopeCost>(), allow.anyone),
  /** The price table in use (defaults and the town's settings/costs.json). */
  costPrices: request(z.object({}).strict(), returns<{ date: string; models: Array<{ model: string; input: number; output: number; cacheWrite: number; cacheRead: number }> }>(), allow.anyone),
  budgetList: request(z.object({}).strict(), returns<BudgetStatus[]>(), allow.anyone),
  /** Sets (or raises, or lowers) a budget; setting the same scope and period again replaces it. */
  budgetSet: request(
    z.object({
      scope: z.enum(['town', 'rig', 'convoy']),
      target: Target.optional(),
      amount: z.number().positive('a budget is a positive amount of dollars').max(1_000_000_000),
      period: z.enum(['day', 'total']).default('total'),
    }).strict().refine((b) => b.scope === 'town' || !!b.target, 'a rig or convoy budget needs its rig or convoy'),
    returns<BudgetStatus>(),
    allow.roles('mayor'),
  ),
  budgetRemove: request(z.object({ id: z.string().min(1).max(300) }).strict(), returns<{ removed: Budget }>(), allow.roles('mayor')),
  controlsStatus: request(z.object({}).strict(), returns<ControlsState>(), allow.anyone),
  /** Emergency stop: freezes every agent's process tree and pauses dispatch, until `estopRelease`. */
  estop: request(z.object({}).strict(), returns<ControlsState & { frozen: number }>(), allow.roles('mayor')),
  /** `gt resume`: continues every frozen agent where it was, and dispatch. */
  estopRelease: request(z.object({}).strict(), returns<ControlsState & { resumed: number }>(), allow.roles('mayor')),
  rigPark: request(z.object({ rig: RigName }).strict(), returns<ControlsState>(), allow.roles('mayor')),
  rigUnpark: request(z.object({ rig: RigName }).strict(), returns<ControlsState>(), allow.roles('mayor')),
  /** Do-not-disturb: mutes notifications for this many minutes (0 ends it). */
  dnd: request(z.object({ minutes: z.number().min(0).max(7 * 24 * 60) }).strict(), returns<ControlsState>(), allow.overseer),
};
