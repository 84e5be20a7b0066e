// The wisp requests: each one call into the Ledger, by the caller.
import type { wispRequests } from '../../../preload/requests/wisps.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function wispHandlers(town: Town): Pick<TownHandlers, keyof typeof wispRequests> {
  return {
    wispCreate: (args, ctx) => town.ledger.createWisp(args, ctx.actor),
    wispList: (args) => town.ledger.listWisps(args),
    wispShow: (args) => town.ledger.showWisp(args.id),
    wispComment: (args, ctx) => town.ledger.commentWisp(args.id, args.text, ctx.actor),
    wispBurn: async (args, ctx) => ({ burned: await town.ledger.burnWisp(args.id, ctx.actor) }),
    wispSquash: (args, ctx) => town.ledger.squashWisp(args.id, ctx.actor),
    wispSweep: async (args, ctx) => ({
      removed: await town.ledger.sweepWisps({ ttlMs: args.olderThanHours === undefined ? town.wispTtlMs : args.olderThanHours * 3_600_000 }, ctx.actor),
    }),
  };
}
