// gt mail …, nudge, escalate: messages between agents and the user.
import type { EscalationSeverity, MailMessage } from '../../../preload/requests/work-types.ts';
import { TownError } from '../../../preload/errors.ts';
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
  summary: 'type a short message into an agent\'s terminal once it is idle or waiting (queued until then; no ledger write)',
  args: 'AGENT MSG...',
  options: { timeout: { type: 'string', value: 'SECONDS', description: 'how long to wait for the delivery (default 60; 0: queue and return)' }, ...JSON_OPTION },
  details: [
    'Nudges to one agent are typed in order, each once the agent is idle or waiting for input.',
    'Exit codes: 0 delivered (seen on the agent\'s screen); 4 still queued when --timeout passed',
    '(it will be typed at the agent\'s next idle moment); 1 not delivered (its session ended, or it',
    'was typed but did not show on the screen).',
  ].join('\n'),
  async run(ctx, v, positionals) {
    const agent = requireArg(positionals, 0, 'agent');
    const message = positionals.slice(1).join(' ');
    const seconds = v.timeout === undefined ? 60 : Number(v.timeout);
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) throw new TownError('invalid', `--timeout must be a number of seconds from 0 to 600, got ${String(v.timeout)}`);
    const r = await withTown(ctx, (c) => c.nudge({ agent, message, timeoutMs: Math.round(seconds * 1000) }));
    if (v.json) printJson(ctx, r);
    else if (r.delivered) ctx.out(`nudged ${r.agent} (it was ${r.when})`);
    else if (r.queued) ctx.out(`queued, not delivered yet: ${r.agent} has been busy for ${seconds} s; it will be typed when ${r.agent} is idle (position ${r.position} in its queue)`);
    else ctx.out(`not delivered: ${r.reason ?? `${r.agent} stayed ${r.when}`}`);
    return r.delivered ? 0 : r.queued ? 4 : 1;
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
