// Work-loop requests: sling (one or several, any target), unsling, hook, prime, done, handoff, agents, polecat removal.
import type { workRequests } from '../../../preload/requests/work.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { done } from '../polecats/done.ts';
import { removePolecat } from '../polecats/remove-polecat.ts';
import { BeadIdSchema } from '../../../preload/api-kit.ts';
import type { Town } from '../town.ts';

async function isMolecule(town: Town, id: string | undefined): Promise<boolean> {
  if (!id || !BeadIdSchema.safeParse(id).success) return false;
  return town.ledger.show(id).then((b) => b.type === 'molecule', () => false);
}

export function workHandlers(town: Town): Pick<TownHandlers, keyof typeof workRequests> {
  return {
    sling: async (args, ctx) => {
      // A molecule is slung by its own rules (sequential: its work bead; parallel: its steps as a convoy).
      if (await isMolecule(town, args.bead)) return (await town.work.molecules.sling(args.bead, args.target, args.runtime, ctx.actor)).results[0];
      return town.work.hooks.sling(args.bead, { target: args.target, runtime: args.runtime, force: args.force }, ctx.actor);
    },
    slingMany: async (args, ctx) => {
      if (args.args.length <= 2 && (await isMolecule(town, args.args[0]))) return town.work.molecules.sling(args.args[0], args.args[1], args.runtime, ctx.actor);
      return town.work.hooks.slingMany(args.args, { runtime: args.runtime, force: args.force }, ctx.actor);
    },
    unsling: (args, ctx) => town.work.hooks.unsling(args.bead, ctx.actor),
    hookBead: (args, ctx) => town.work.hooks.hookSelf(args.bead, ctx.actor),
    hook: (args, ctx) => town.work.hook(args.agent ?? ctx.actor),
    prime: (args, ctx) => town.work.prime(args.agent ?? ctx.actor),
    // On a bead that walks a molecule, `gt done` finishes the current step (the last one: the bead).
    // The next bead it hooked comes with whether it walks a molecule (answered from memory), so the
    // session need not ask `gt mol next` for it.
    done: async (args, ctx) => {
      const result = await town.work.molecules.done(ctx.actor, args.noChanges, () => done(town.work.context, args.cwd, ctx.actor, {
        noChanges: args.noChanges, next: (rig) => town.work.witness.claimNext(rig), convoyCreatedAt: (id) => town.work.convoys.createdAt(id),
      }));
      if (result.next) result.next.walksMolecule = await town.work.molecules.walks(result.next.bead);
      return result;
    },
    handoff: (args, ctx) => town.work.handoff(args.agent ?? ctx.actor, args.note, ctx.actor),
    agentList: (args) => town.work.agentList(args),
    agentShow: (args) => town.work.agentShow(args.agent),
    polecatRemove: (args, ctx) => removePolecat(town.work.context, args.agent, args.force ?? false, ctx.actor),
  };
}
