// gt escalate list|ack|close, gt polecat reset: the supervisors from the command line.
import type { EscalationInfo } from '../../../preload/requests/supervision-types.ts';
import { doctorCommand } from './doctor-command.ts';
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

const when = (t: number | null): string => (t ? new Date(t).toISOString() : 'never');

export const dogListCommand: Command = {
  name: 'dog list',
  summary: 'the maintenance dogs: schedule, last run, next run',
  options: JSON_OPTION,
  async run(ctx, v) {
    const dogs = await withTown(ctx, (c) => c.dogList({}));
    if (v.json) printJson(ctx, dogs);
    else for (const d of dogs) {
      ctx.out(`${d.name.padEnd(10)} ${d.everyMs ? `every ${Math.round(d.everyMs / 60_000)} min` : 'by hand'}  last ${when(d.lastRunAt)}${d.lastOk === null ? '' : d.lastOk ? ' ok' : ' FAILED'}${d.lastMessage ? `: ${d.lastMessage}` : ''}`);
    }
    return 0;
  },
};

export const dogRunCommand: Command = {
  name: 'dog run',
  summary: 'run one dog now (backup, compactor, reaper, doctor, remotes)',
  args: 'NAME',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'dog name');
    const r = await withTown(ctx, (c) => c.dogRun({ name }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`${r.name}: ${r.ok ? 'ok' : 'FAILED'}: ${r.message} (${r.ms} ms)`);
    return r.ok ? 0 : 1;
  },
};

export const deaconStatusCommand: Command = {
  name: 'deacon status',
  summary: 'the supervisors: Deacon heartbeat, Boot, one Witness per rig',
  options: JSON_OPTION,
  async run(ctx, v) {
    const h = await withTown(ctx, (c) => c.supervisorHealth({}));
    if (v.json) printJson(ctx, h);
    else {
      ctx.out(`deacon  ${h.deacon.alive ? 'running' : 'DOWN'}  heartbeat ${when(h.deacon.heartbeatAt)}  patrols ${h.deacon.patrols}  restarts ${h.deacon.restarts}`);
      ctx.out(`boot    ${h.boot.alive ? 'running' : 'DOWN'}  last check ${when(h.boot.lastCheckAt)}  restarts ${h.boot.restarts}`);
      for (const w of h.witnesses) ctx.out(`witness ${w.rig}: ${w.alive ? 'running' : 'DOWN'}  last patrol ${when(w.lastPatrolAt)}`);
    }
    return 0;
  },
};

export const SUPERVISION_COMMANDS: Command[] = [escalateListCommand, escalateAckCommand, escalateCloseCommand, polecatResetCommand, dogListCommand, dogRunCommand, deaconStatusCommand, doctorCommand];
