// Rig requests: add, list, show, remove.
import type { rigRequests } from '../../../preload/requests/rigs.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { TownError } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function rigHandlers(town: Town): Pick<TownHandlers, keyof typeof rigRequests> {
  return {
    // A relative source is relative to the town folder: the Town cannot know the caller's cwd.
    rigAdd: async (args, ctx) => {
      const rig = await town.work.rigs.add(args, ctx.actor, town.paths.root);
      await town.refineries.sync(); // its Refinery runs before the first `gt done` can reach it
      return rig;
    },
    rigList: () => town.work.rigs.list(),
    rigShow: (args) => town.work.rigs.get(args.name),
    rigRemove: (args, ctx) => town.work.rigs.remove(args.name, ctx.actor, async (rig) => {
      const agents = await town.work.agents.list({ rig });
      const busy = agents.filter((a) => a.meta.state === 'working');
      if (busy.length && !args.force) {
        throw new TownError('conflict', `rig ${rig} has polecats at work (${busy.map((a) => `${a.meta.address} on ${a.meta.hook}`).join(', ')}); wait, or remove with --force`);
      }
      for (const a of agents) await town.work.sessions.stop(a.meta.address);
      await town.refineries.stopRig(rig); // before its worktree is deleted
    }),
  };
}
