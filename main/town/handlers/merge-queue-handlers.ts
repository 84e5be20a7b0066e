// Merge queue requests (`gt mq …`): each goes to the Refinery of the request's rig.
import type { mergeQueueRequests } from '../../../preload/requests/merge-queue.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function mergeQueueHandlers(town: Town): Pick<TownHandlers, keyof typeof mergeQueueRequests> {
  return {
    mqList: (args) => town.refineries.list(args.rig, args.all),
    mqShow: (args) => town.refineries.show(args.id),
    mqRetry: (args) => town.refineries.retry(args.id),
    mqReject: (args) => town.refineries.reject(args.id, args.reason),
    mqSubmit: (args) => town.refineries.submit(args),
  };
}
