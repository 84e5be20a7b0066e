// Work-loop requests: sling (one or several, any target), unsling, hook, prime, done, handoff, agents, polecat removal.
import type { workRequests } from '../../../preload/requests/work.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { done } from '../polecats/done.ts';
import { removePolecat } from '../polecats/remove-polecat.ts';
import type { Town } from '../town.ts';

export function workHandlers(town: Town): Pick<TownHandlers, keyof typeof workRequests> {
  return {
    sling: (args, ctx) => town.work.hooks.sling(args.bead, { target: args.target, runtime: args.runtime, force: args.force }, ctx.actor),
    slingMany: (args, ctx) => town.work.hooks.slingMany(args.args, { runtime: args.runtime, force: args.force }, ctx.actor),
    unsling: (args, ctx) => town.work.hooks.unsling(args.bead, ctx.actor),
    hookBead: (args, ctx) => town.work.hooks.hookSelf(args.bead, ctx.actor),
    hook: (args, ctx) => town.work.hook(args.agent ?? ctx.actor),
    prime: (args, ctx) => town.work.prime(args.agent ?? ctx.actor),
    done: (args, ctx) => done(town.work.context, args.cwd, ctx.actor, { noChanges: args.noChanges }),
    handoff: (args, ctx) => town.work.handoff(args.agent ?? ctx.actor, args.note, ctx.actor),
    agentList: (args) => town.work.agentList(args),
    agentShow: (args) => town.work.agentShow(args.agent),
    polecatRemove: (args, ctx) => removePolecat(town.work.context, args.agent, args.force ?? false, ctx.actor),
  };
}
