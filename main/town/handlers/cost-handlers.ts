// Cost and controls requests.
import type { costRequests } from '../../../preload/requests/costs.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function costHandlers(town: Town): Pick<TownHandlers, keyof typeof costRequests> {
  return {
    costReport: async (args) => {
      await town.costs.poll();
      return town.costs.report(args.by, args.since);
    },
    costMeters: async () => {
      await town.costs.poll();
      return town.costs.meters();
    },
    costSeries: async (args) => town.costs.series(args.since, args.bucketMinutes),
    costOf: async (args) => {
      await town.costs.poll();
      return town.costs.costOf(args.scope, args.id);
    },
    costPrices: async () => ({ date: town.costs.prices.date, models: town.costs.prices.entries() }),
    budgetList: async () => town.costs.budgetStatuses(),
    budgetSet: (args) => town.costs.setBudget({ scope: args.scope, target: args.target ?? null, amount: args.amount, period: args.period }),
    budgetRemove: async (args) => town.costs.removeBudget(args.id),
    controlsStatus: async () => town.costs.controls.get(),
    estop: async (_args, ctx) => town.costs.estop(ctx.actor),
    estopRelease: (_args, ctx) => town.costs.release(ctx.actor),
    rigPark: (args) => town.costs.park(args.rig, true),
    rigUnpark: (args) => town.costs.park(args.rig, false),
    dnd: async (args) => town.costs.dnd(args.minutes),
  };
}
