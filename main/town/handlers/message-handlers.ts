// Mail, nudge, escalation, and the people-directed agents (Mayor, crew).
import type { messageRequests } from '../../../preload/requests/messages.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { TownError } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

export function messageHandlers(town: Town): Pick<TownHandlers, keyof typeof messageRequests> {
  const w = () => town.work;
  return {
    mailSend: (args, ctx) => w().mail.send(args.to, args.subject, args.body, ctx.actor),
    mailInbox: (args, ctx) => {
      // Only the owner may look into someone else's inbox.
      if (args.agent && args.agent !== ctx.actor && ctx.actor !== 'overseer') throw new TownError('unauthorized', `${ctx.actor} cannot read ${args.agent}'s inbox`);
      return w().mail.inbox(args.agent ?? ctx.actor, args.all);
    },
    mailRead: (args, ctx) => w().mail.read(args.id, ctx.actor),
    mailReply: (args, ctx) => w().mail.reply(args.id, args.body, args.subject, ctx.actor),
    nudge: (args) => w().nudges.send(args.agent, args.message, args.timeoutMs),
    escalate: (args, ctx) => w().mail.escalate(args.severity, args.message, ctx.actor),
    mayorStart: (args, ctx) => w().people.startMayor(args.runtime, ctx.actor),
    crewAdd: (args, ctx) => w().people.addCrew(args.name, args.rig, ctx.actor),
    crewStart: (args, ctx) => w().people.startCrew(args.name, args.rig, args.runtime, ctx.actor),
    crewStop: (args) => w().people.stopCrew(args.name, args.rig),
    crewList: (args) => w().agentList({ rig: args.rig, role: 'crew' }),
  };
}
