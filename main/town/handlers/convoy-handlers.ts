// Convoy requests.
import type { convoyRequests } from '../../../preload/requests/convoys.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function convoyHandlers(town: Town): Pick<TownHandlers, keyof typeof convoyRequests> {
  return {
    convoyCreate: (args, ctx) => town.work.convoys.create(args, ctx.actor),
    convoyCreateCsv: (args, ctx) => town.work.convoys.createFromCsv(args, ctx.actor),
    convoyList: (args) => town.work.convoys.list(args.all),
    convoyStatus: (args) => town.work.convoys.status(args.id),
    convoyAdd: (args, ctx) => town.work.convoys.add(args.id, args.beads, ctx.actor),
    convoyClose: (args, ctx) => town.work.convoys.close(args.id, args.reason, ctx.actor),
  };
}
