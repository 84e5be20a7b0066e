// Runtime hook requests: `gt agent-hook` (a CLI's own hook, reporting as the agent it runs in) and
// `gt agent status` (an agent's live status with its source and resumable conversation).
import { TownError } from '../../../preload/contract.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { agentHookRequests } from '../../../preload/requests/agent-hooks.ts';
import type { MailMessage } from '../../../preload/requests/work-types.ts';
import { formatReply, interpretHook } from '../../agents/hooks/hook-adapters.ts';
import type { Town } from '../town.ts';

/** What a prompt hook puts in front of the agent: mail that arrived since it last saw its mail. */
export function newMailText(mail: MailMessage[]): string {
  if (!mail.length) return '';
  const lines = [`[GAS TOWN] ${mail.length} new message${mail.length === 1 ? '' : 's'} for you (read with \`gt mail read ID\`):`];
  for (const m of mail.slice(0, 20)) lines.push(`- ${m.id} from ${m.from}: ${m.subject}${m.kind === 'escalation' ? ` [${m.severity}]` : ''}`);
  return lines.join('\n');
}

export function agentHookHandlers(town: Town): Pick<TownHandlers, keyof typeof agentHookRequests> {
  const work = () => town.work;
  return {
    agentHook: async (args, ctx) => {
      const w = work();
      const agent = ctx.actor;
      const report = interpretHook(args.adapter, args.payload);
      const reported = await w.sessions.report(agent, report);
      let text = '';
      if (reported?.reply === 'prime') {
        // (Re)priming: the whole context, as `gt prime` gives it; its mail counts as shown.
        const [prime, mail] = await Promise.all([w.prime(agent), w.mail.inbox(agent, false)]);
        w.sessions.unseenMail(agent, mail.map((m) => m.id));
        text = prime.text;
      } else if (reported?.reply === 'mail') {
        const mail = await w.mail.inbox(agent, false);
        const fresh = new Set(w.sessions.unseenMail(agent, mail.map((m) => m.id)));
        text = newMailText(mail.filter((m) => fresh.has(m.id)));
      }
      const status = reported?.status;
      return {
        agent, tracked: Boolean(reported), state: status?.state ?? null, source: status?.source ?? null,
        output: formatReply(args.adapter, report.nativeEvent, text),
      };
    },
    agentState: async (args) => {
      const w = work();
      const rec = w.sessions.get(args.agent);
      const status = w.sessions.status(args.agent);
      if (!rec || !status) throw new TownError('not_found', `${args.agent} has no running session`);
      const stored = await w.agents.find(args.agent);
      return {
        agent: rec.agent, terminal: rec.terminal, runtime: rec.runtime, state: status.state, reason: status.reason,
        source: status.source, since: status.since, resumed: rec.resumed, conversation: stored?.meta.conversation ?? null,
      };
    },
  };
}
