// gt escalate list|ack|close, gt polecat reset: the supervisors from the command line.
import type { EscalationInfo } from '../../../preload/requests/supervision-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

function line(e: EscalationInfo): string {
  const state = e.status === 'open' ? '●' : e.status === 'acked' ? '✓' : ' ';
  return `${e.id}  ${state} [${e.severity}] ${e.title.replace(/^\[[A-Z]+\] /, '')}  (${e.source ?? 'agent'}: ${e.from}${e.reraised ? `, raised again ${e.reraised}×` : ''})`;
}

function printOne(ctx: CliContext, verb: string, e: EscalationInfo): void {
  ctx.out(`${verb} ${e.id} [${e.severity}] (${e.status}${e.ackedBy ? ` by ${e.ackedBy}` : ''})`);
}

export const escalateListCommand: Command = {
  name: 'escalate list',
  summary: 'escalations, newest first (● open, ✓ acknowledged)',
  options: { all: { type: 'boolean', description: 'closed ones too' }, ...JSON_OPTION },
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.escalationList({ all: v.all === true }));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no escalations');
    else for (const e of list) ctx.out(line(e));
    return 0;
  },
};

export const escalateAckCommand: Command = {
  name: 'escalate ack',
  summary: 'acknowledge an escalation: it stays open but is not raised again',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'escalation id');
    const e = await withTown(ctx, (c) => c.escalationAck({ id }));
    if (v.json) printJson(ctx, e);
    else printOne(ctx, 'acknowledged', e);
    return 0;
  },
};

export const escalateCloseCommand: Command = {
  name: 'escalate close',
  summary: 'close an escalation (the problem is dealt with)',
  args: 'ID',
  options: { reason: { type: 'string', value: 'TEXT', description: 'why it is closed' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'escalation id');
    const e = await withTown(ctx, (c) => c.escalationClose({ id, reason: typeof v.reason === 'string' ? v.reason : undefined }));
    if (v.json) printJson(ctx, e);
    else printOne(ctx, 'closed', e);
    return 0;
  },
};

export const polecatResetCommand: Command = {
  name: 'polecat reset',
  summary: 'clear a polecat\'s restart count; a stuck one is restarted on its hook',
  args: 'ADDR | RIG NAME',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const first = requireArg(positionals, 0, 'polecat address (<rig>/polecats/<name>) or RIG NAME');
    const agent = positionals[1] ? `${first}/polecats/${positionals[1]}` : first;
    const r = await withTown(ctx, (c) => c.polecatReset({ agent }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`${r.agent} reset (was ${r.was}, ${r.respawnsCleared} restarts cleared)${r.hook ? `; the Witness restarts it on ${r.hook}` : ''}`);
    return 0;
  },
};

export const SUPERVISION_COMMANDS: Command[] = [escalateListCommand, escalateAckCommand, escalateCloseCommand, polecatResetCommand];
