// gt bead …: the ledger from the command line.
import type { Bead } from '../../../preload/types.ts';
import { TownError } from '../../../preload/contract.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

function printBead(ctx: CliContext, bead: Bead): void {
  ctx.out(`${bead.id}  [${bead.status}] P${bead.priority} ${bead.type}  ${bead.title}`);
  if (bead.assignee) ctx.out(`  assignee: ${bead.assignee}`);
  if (bead.labels.length) ctx.out(`  labels: ${bead.labels.join(', ')}`);
  if (bead.description) ctx.out(`\n${bead.description}`);
}

function priorityOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new TownError('invalid', `--priority must be 0-4, got ${String(value)}`);
  return n;
}

export const beadCreateCommand: Command = {
  name: 'bead create',
  summary: 'create a bead (one Dolt commit authored by you or your agent)',
  options: {
    title: { type: 'string', short: 't', value: 'TEXT', description: 'title (required)' },
    description: { type: 'string', short: 'd', value: 'TEXT', description: 'description' },
    type: { type: 'string', value: 'TYPE', description: 'task, bug, feature, epic, chore, …' },
    priority: { type: 'string', short: 'p', value: '0-4', description: 'priority, 0 highest (default 2)' },
    prefix: { type: 'string', value: 'P', description: 'id prefix (default: the town, hq)' },
    label: { type: 'string', short: 'l', multiple: true, value: 'L', description: 'a label (repeatable)' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    if (typeof v.title !== 'string') throw new TownError('invalid', '--title is required');
    const bead = await withTown(ctx, (c) =>
      c.beadCreate({
        title: v.title as string,
        description: v.description as string | undefined,
        type: v.type as Bead['type'] | undefined,
        priority: priorityOf(v.priority),
        prefix: v.prefix as string | undefined,
        labels: v.label as string[] | undefined,
      }),
    );
    if (v.json) printJson(ctx, bead);
    else ctx.out(`created ${bead.id}: ${bead.title}`);
    return 0;
  },
};

export const beadShowCommand: Command = {
  name: 'bead show',
  summary: 'show one bead',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id');
    const bead = await withTown(ctx, (c) => c.beadShow({ id }));
    if (v.json) printJson(ctx, bead);
    else printBead(ctx, bead);
    return 0;
  },
};

export const beadListCommand: Command = {
  name: 'bead list',
  summary: 'list beads, newest first',
  options: {
    status: { type: 'string', value: 'S', description: 'only this status' },
    type: { type: 'string', value: 'T', description: 'only this type' },
    assignee: { type: 'string', value: 'A', description: 'only this assignee' },
    label: { type: 'string', value: 'L', description: 'only beads with this label' },
    prefix: { type: 'string', value: 'P', description: 'only this id prefix' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    const beads = await withTown(ctx, (c) =>
      c.beadList({
        status: v.status as Bead['status'] | undefined,
        type: v.type as Bead['type'] | undefined,
        assignee: v.assignee as string | undefined,
        label: v.label as string | undefined,
        prefix: v.prefix as string | undefined,
      }),
    );
    if (v.json) printJson(ctx, beads);
    else if (beads.length === 0) ctx.out('no beads');
    else for (const b of beads) ctx.out(`${b.id}  [${b.status}] P${b.priority} ${b.type}  ${b.title}`);
    return 0;
  },
};
