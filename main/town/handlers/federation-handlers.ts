// Federation requests: the ledger's remotes and sync, serving info, the wanted board.
import type { federationRequests } from '../../../preload/requests/federation.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function federationHandlers(town: Town): Pick<TownHandlers, keyof typeof federationRequests> {
  const f = () => town.federation;
  return {
    federationInfo: (_args, ctx) => f().info(ctx.actor === 'overseer' || ctx.owner === true),
    remoteList: () => f().remotes.list(),
    remoteAdd: (args) => f().remotes.add(args.name, args.url),
    remoteRemove: async (args) => {
      await f().remotes.remove(args.name);
      return { removed: args.name };
    },
    sync: (args) => f().remotes.sync(args.direction, args.name),
    wlCreate: (_args, ctx) => f().wasteland.create(ctx.actor),
    wlJoin: (args, ctx) => f().wasteland.join(args.url, ctx.actor),
    wlInfo: () => f().wasteland.info(),
    wlAccept: (args, ctx) => f().wasteland.accept(args.town, ctx.actor),
    wlPost: (args, ctx) => f().wasteland.post(args.bead, ctx.actor),
    wlBrowse: (args) => f().wasteland.browse(args),
    wlAttempts: () => f().wasteland.attempts(),
    wlClaim: (args, ctx) => f().wasteland.claim(args.id, ctx.actor, { untrusted: args.untrusted, prefix: args.prefix }),
    wlDone: (args, ctx) => f().wasteland.done(args.id, args.ref, ctx.actor),
    wlSync: (args) => f().wasteland.sync(args.prefix),
  };
}
