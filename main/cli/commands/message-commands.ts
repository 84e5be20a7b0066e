// gt mail …, nudge, escalate: messages between agents and the user.
import type { EscalationSeverity, MailMessage } from '../../../preload/requests/work-types.ts';
import { TownError } from '../../../preload/contract.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function printMessage(ctx: CliContext, m: MailMessage): void {
  ctx.out(`${m.id}  ${m.kind === 'escalation' ? `[${m.severity}] ` : ''}from ${m.from} to ${m.to}  ${m.createdAt}`);
  ctx.out(`Subject: ${m.subject}`);
  if (m.body) ctx.out(`\n${m.body}`);
}

export const mailSendCommand: Command = {
  name: 'mail send',
  summary: 'send mail (a durable message bead) to an agent, the mayor or the overseer',
  args: 'TO',
  options: {
    subject: { type: 'string', short: 's', value: 'TEXT', description: 'subject (required)' },
    message: { type: 'string', short: 'm', value: 'TEXT', description: 'body' },
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    const to = requireArg(positionals, 0, 'recipient');
    if (typeof v.subject !== 'string') throw new TownError('invalid', '--subject (-s) is required');
    const m = await withTown(ctx, (c) => c.mailSend({ to, subject: v.subject as string, body: str(v.message) }));
    if (v.json) printJson(ctx, m);
    else ctx.out(`sent ${m.id} to ${m.to}`);
    return 0;
  },
};

export const mailInboxCommand: Command = {
  name: 'mail inbox',
  summary: 'your unread mail and escalations, newest first',
  options: { all: { type: 'boolean', description: 'read ones too' }, ...JSON_OPTION },
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.mailInbox({ all: v.all === true }));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no mail');
    else for (const m of list) ctx.out(`${m.id}  ${m.read ? ' ' : '●'} ${m.kind === 'escalation' ? `[${m.severity}] ` : ''}${m.from}: ${m.subject}`);
    return 0;
  },
};

export const mailReadCommand: Command = {
  name: 'mail read',
  summary: 'read one message (marks it read)',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'message id');
    const m = await withTown(ctx, (c) => c.mailRead({ id }));
    if (v.json) printJson(ctx, m);
    else printMessage(ctx, m);
    return 0;
  },
};

export const mailReplyCommand: Command = {
  name: 'mail reply',
  summary: 'reply to a message (to its sender)',
  args: 'ID',
  options: {
    message: { type: 'string', short: 'm', value: 'TEXT', description: 'body' },
    subject: { type: 'string', short: 's', value: 'TEXT', description: 'subject (default: Re: …)' },
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'message id');
    const m = await withTown(ctx, (c) => c.mailReply({ id, body: str(v.message), subject: str(v.subject) }));
    if (v.json) printJson(ctx, m);
    else ctx.out(`sent ${m.id} to ${m.to}`);
    return 0;
  },
};

export const nudgeCommand: Command = {
  name: 'nudge',
  summary: 'type a short message into an agent\'s terminal once it is idle or waiting (no ledger write)',
  args: 'AGENT MSG...',
  options: { timeout: { type: 'string', value: 'SECONDS', description: 'how long to wait for the agent to be idle (default 15)' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const agent = requireArg(positionals, 0, 'agent');
    const message = positionals.slice(1).join(' ');
    const timeoutMs = v.timeout === undefined ? undefined : Math.round(Number(v.timeout) * 1000);
    if (timeoutMs !== undefined && !Number.isFinite(timeoutMs)) throw new TownError('invalid', `--timeout must be a number of seconds, got ${String(v.timeout)}`);
    const r = await withTown(ctx, (c) => c.nudge({ agent, message, timeoutMs }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.delivered ? `nudged ${r.agent} (it was ${r.when})` : `not delivered: ${r.agent} stayed ${r.when}`);
    return r.delivered ? 0 : 1;
  },
};

export const escalateCommand: Command = {
  name: 'escalate',
  summary: 'raise a problem to the user: an escalation bead in their inbox, and an event',
  args: 'MSG...',
  options: { severity: { type: 'string', value: 'LEVEL', description: 'low, medium (default), high, critical' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const message = positionals.join(' ');
    const m = await withTown(ctx, (c) => c.escalate({ severity: str(v.severity) as EscalationSeverity | undefined, message }));
    if (v.json) printJson(ctx, m);
    else ctx.out(`escalated ${m.id} (${m.severity})`);
    return 0;
  },
};

export const MESSAGE_COMMANDS: Command[] = [mailSendCommand, mailInboxCommand, mailReadCommand, mailReplyCommand, nudgeCommand, escalateCommand];
