// gt mq …: the merge queue of each rig (the Refinery), in the order it will land requests.
import { TownError } from '../../../preload/errors.ts';
import type { MqEntry, MqRequest } from '../../../preload/requests/merge-queue-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function printEntry(ctx: CliContext, e: MqEntry): void {
  const where = e.position === null ? '   -' : String(e.position).padStart(4);
  const score = e.score === null ? '' : `  score ${e.score}`;
  const extra = e.waiting ? `  (${e.waiting})` : e.reason ? `  (${e.reason})` : e.mergedAs ? `  → ${e.mergedAs.slice(0, 10)}` : '';
  ctx.out(`${where}  ${e.id}  [${e.phase}] ${e.rig}  ${e.branch}${score}${extra}`);
}

function printRequest(ctx: CliContext, mr: MqRequest): void {
  const m = mr.meta;
  ctx.out(`${mr.id}  [${m.phase}] ${mr.title}`);
  ctx.out(`  rig ${mr.rig}: ${m.branch} → ${m.base}${m.head ? ` @ ${m.head.slice(0, 10)}` : ''}  priority ${mr.priority}, attempts ${m.attempts}`);
  if (m.bead) ctx.out(`  delivers ${m.bead}${m.polecat ? ` (by ${m.polecat})` : ''}`);
  if (m.mergedAs) ctx.out(`  merged as ${m.mergedAs}`);
  if (m.conflictFiles?.length) ctx.out(`  conflicts: ${m.conflictFiles.join(', ')}${m.resolutionBead ? ` (resolution ${m.resolutionBead})` : ''}`);
  if (m.reason) ctx.out(`  reason: ${m.reason}${m.rejectionBead ? ` (follow-up ${m.rejectionBead})` : ''}`);
  if (m.note) ctx.out(`  last: ${m.note}`);
  if (m.gateOutput) ctx.out(`  gate output (tail):\n${m.gateOutput.split('\n').map((l) => `    ${l}`).join('\n')}`);
}

export const mqListCommand: Command = {
  name: 'mq list',
  summary: 'merge requests in the order they will land (with score), then the recently finished',
  options: {
    rig: { type: 'string', value: 'RIG', description: 'only this rig\'s queue' },
    all: { type: 'boolean', description: 'every finished request, not just the last 20 per rig' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.mqList({ rig: str(v.rig), all: v.all === true }));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no merge requests');
    else for (const e of list) printEntry(ctx, e);
    return 0;
  },
};

export const mqShowCommand: Command = {
  name: 'mq show',
  summary: 'one merge request: phase, branch, gate output, follow-ups',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'merge request id');
    const mr = await withTown(ctx, (c) => c.mqShow({ id }));
    if (v.json) printJson(ctx, mr);
    else printRequest(ctx, mr);
    return 0;
  },
};

export const mqRetryCommand: Command = {
  name: 'mq retry',
  summary: 'put a rejected, conflicting or waiting request back in the queue',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'merge request id');
    const mr = await withTown(ctx, (c) => c.mqRetry({ id }));
    if (v.json) printJson(ctx, mr);
    else ctx.out(`${mr.id} is ${mr.meta.phase} again`);
    return 0;
  },
};

export const mqRejectCommand: Command = {
  name: 'mq reject',
  summary: 'reject a merge request by hand (closes it)',
  args: 'ID',
  options: { message: { type: 'string', short: 'm', value: 'REASON', description: 'why' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'merge request id');
    const mr = await withTown(ctx, (c) => c.mqReject({ id, reason: str(v.message) }));
    if (v.json) printJson(ctx, mr);
    else ctx.out(`${mr.id} rejected`);
    return 0;
  },
};

export const mqSubmitCommand: Command = {
  name: 'mq submit',
  summary: 'queue a branch made by hand (in the rig\'s repository or its origin)',
  args: 'BRANCH',
  options: {
    rig: { type: 'string', value: 'RIG', description: 'the rig whose queue it joins (required)' },
    bead: { type: 'string', value: 'ID', description: 'the bead it delivers' },
    title: { type: 'string', value: 'TEXT', description: 'title of the merge request' },
    priority: { type: 'string', short: 'p', value: '0-4', description: 'priority (default: the bead\'s, else 2)' },
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    const branch = requireArg(positionals, 0, 'branch');
    const rig = str(v.rig);
    if (!rig) throw new TownError('invalid', 'gt mq submit needs --rig RIG');
    const priority = str(v.priority) === undefined ? undefined : Number(v.priority);
    const mr = await withTown(ctx, (c) => c.mqSubmit({ branch, rig, bead: str(v.bead), title: str(v.title), priority }));
    if (v.json) printJson(ctx, mr);
    else ctx.out(`${mr.id} queued: ${mr.meta.branch} → ${mr.meta.base} on rig ${mr.rig}`);
    return 0;
  },
};

export const MQ_COMMANDS: Command[] = [mqListCommand, mqShowCommand, mqRetryCommand, mqRejectCommand, mqSubmitCommand];
