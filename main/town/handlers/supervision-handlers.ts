// Supervision requests: escalations and polecat reset.
import type { supervisionRequests } from '../../../preload/requests/supervision.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { Escalations } from '../supervision/escalations.ts';
import { resetPolecat } from '../supervision/polecat-reset.ts';
import type { Town } from '../town.ts';

export function supervisionHandlers(town: Town): Pick<TownHandlers, keyof typeof supervisionRequests> {
  const escalations = () => new Escalations(town.work.context);
  return {
    escalationList: (args) => escalations().list(args.all),
    escalationAck: (args, ctx) => escalations().ack(args.id, ctx.actor),
    escalationClose: (args, ctx) => escalations().close(args.id, args.reason, ctx.actor),
    polecatReset: (args, ctx) => resetPolecat(town.work.context, (a) => town.work.witness.forgetRestarts(a), args.agent, ctx.actor),
    supervisorHealth: async () => town.supervision.health(),
    dogList: () => town.supervision.dogs.list(),
    dogRun: (args) => town.supervision.dogs.run(args.name),
  };
}
