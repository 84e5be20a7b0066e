// Formula, molecule, gate and convoy-planning requests (main/town/molecules/).
import type { moleculeRequests } from '../../../preload/requests/molecules.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function moleculeHandlers(town: Town): Pick<TownHandlers, keyof typeof moleculeRequests> {
  const m = () => town.work.molecules;
  return {
    formulaList: async (args) => m().listFormulas(args.rig),
    formulaShow: async (args) => m().showFormula(args.name, args.rig),
    formulaCook: (args, ctx) => m().cook(args, ctx.actor),
    moleculeStatus: (args) => m().status(args.id),
    moleculeList: (args) => m().list(args.all),
    moleculeNext: (args, ctx) => m().next(args.agent ?? ctx.actor),
    moleculeSling: (args, ctx) => m().sling(args.id, args.target, args.runtime, ctx.actor),
    gateList: (args) => m().gates(args.all),
    gateApprove: (args, ctx) => m().approve(args.id, args.note, ctx.actor),
    convoyStage: (args) => m().stage(args),
    convoyStageStore: (args, ctx) => m().stageConvoy(args, ctx.actor),
    convoyLaunch: (args, ctx) => m().launch(args, ctx.actor),
  };
}
