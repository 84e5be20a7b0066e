// Work-loop requests: sling, hook, prime, done, handoff, agents, polecat removal.
import type { workRequests } from '../../../preload/requests/work.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { done } from '../polecats/done.ts';
import { removePolecat } from '../polecats/remove-polecat.ts';
import type { Town } from '../town.ts';

export function workHandlers(town: Town): Pick<TownHandlers, keyof typeof workRequests> {
  return {
    sling: async (args, ctx) => {
      const { full: _full, ...result } = await town.work.polecats.sling(args.bead, { target: args.target, runtime: args.runtime }, ctx.actor);
      void _full;
      return result;
    },
    hook: (args, ctx) => town.work.hook(args.agent ?? ctx.actor),
    prime: (args, ctx) => town.work.prime(args.agent ?? ctx.actor),
    done: (args, ctx) => done(town.work.context, args.cwd, ctx.actor),
    handoff: (args, ctx) => town.work.handoff(args.agent ?? ctx.actor, args.note, ctx.actor),
    agentList: (args) => town.work.agentList(args),
    agentShow: (args) => town.work.agentShow(args.agent),
    polecatRemove: (args, ctx) => removePolecat(town.work.context, args.agent, args.force ?? false, ctx.actor),
  };
}
