// gt bead …: the ledger from the command line.
import type { Bead } from '../../../preload/types.ts';
import { TownError } from '../../../preload/errors.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

function printBead(ctx: CliContext, bead: Bead): void {
  ctx.out(`${bead.id}  [${bead.status}] P${bead.priority} ${bead.type}  ${bead.title}`);
  if (bead.assignee) ctx.out(`  assignee: ${bead.assignee}`);
  if (bead.labels.length) ctx.out(`  labels: ${bead.labels.join(', ')}`);
  if (bead.description) ctx.out(`\n${bead.description}`);
}

function printList(ctx: CliContext, beads: Bead[], json: unknown): void {
  if (json) printJson(ctx, beads);
  else if (beads.length === 0) ctx.out('no beads');
  else for (const b of beads) ctx.out(`${b.id}  [${b.status}] P${b.priority} ${b.type}  ${b.title}`);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function limitOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TownError('invalid', `--limit must be a positive whole number, got ${String(value)}`);
  return n;
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
    rig: { type: 'string', value: 'RIG', description: 'create it in this rig (its prefix)' },
    parent: { type: 'string', value: 'ID', description: 'create a child <parent>.<n> of this bead' },
    metadata: { type: 'string', value: 'JSON', description: 'metadata, a JSON object' },
    label: { type: 'string', short: 'l', multiple: true, value: 'L', description: 'a label (repeatable)' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    if (typeof v.title !== 'string') throw new TownError('invalid', '--title is required');
    if (typeof v.rig === 'string' && typeof v.prefix === 'string') throw new TownError('invalid', 'give --rig or --prefix, not both');
    const bead = await withTown(ctx, async (c) =>
      c.beadCreate({
        title: v.title as string,
        description: v.description as string | undefined,
        type: v.type as Bead['type'] | undefined,
        priority: priorityOf(v.priority),
        prefix: typeof v.rig === 'string' ? (await c.rigShow({ name: v.rig })).prefix : (v.prefix as string | undefined),
        labels: v.label as string[] | undefined,
        parent: str(v.parent),
        metadata: str(v.metadata),
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
  options: { 'as-of': { type: 'string', value: 'REF', description: 'the bead as of a Dolt commit, HEAD~N or an ISO time' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id');
    const bead = await withTown(ctx, (c) => c.beadShow({ id, asOf: str(v['as-of']) }));
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
    printList(ctx, beads, v.json);
    return 0;
  },
};

export const beadUpdateCommand: Command = {
  name: 'bead update',
  summary: 'change fields of a bead',
  args: 'ID',
  options: {
    title: { type: 'string', short: 't', value: 'TEXT', description: 'new title' },
    description: { type: 'string', short: 'd', value: 'TEXT', description: 'new description' },
    type: { type: 'string', value: 'TYPE', description: 'new type' },
    status: { type: 'string', short: 's', value: 'S', description: 'open, in_progress, hooked, blocked, deferred, closed, pinned' },
    priority: { type: 'string', short: 'p', value: '0-4', description: 'new priority' },
    assignee: { type: 'string', short: 'a', value: 'WHO', description: 'new assignee ("" to unassign)' },
    metadata: { type: 'string', value: 'JSON', description: 'replace the metadata with this JSON object' },
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id');
    const assignee = v.assignee === undefined ? undefined : v.assignee === '' ? null : String(v.assignee);
    const bead = await withTown(ctx, (c) =>
      c.beadUpdate({
        id,
        title: str(v.title),
        description: str(v.description),
        type: str(v.type) as Bead['type'] | undefined,
        status: str(v.status) as Bead['status'] | undefined,
        priority: priorityOf(v.priority),
        assignee,
        metadata: str(v.metadata),
      }),
    );
    if (v.json) printJson(ctx, bead);
    else ctx.out(`updated ${bead.id}`);
    return 0;
  },
};

export const beadCloseCommand: Command = {
  name: 'bead close',
  summary: 'close a bead',
  args: 'ID',
  options: { reason: { type: 'string', short: 'r', value: 'TEXT', description: 'why it is closed' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id');
    const bead = await withTown(ctx, (c) => c.beadClose({ id, reason: str(v.reason) }));
    if (v.json) printJson(ctx, bead);
    else ctx.out(`closed ${bead.id}`);
    return 0;
  },
};

export const beadReopenCommand: Command = {
  name: 'bead reopen',
  summary: 'reopen a closed bead',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id');
    const bead = await withTown(ctx, (c) => c.beadReopen({ id }));
    if (v.json) printJson(ctx, bead);
    else ctx.out(`reopened ${bead.id}`);
    return 0;
  },
};

const READY_OPTIONS = {
  prefix: { type: 'string', value: 'P', description: 'only this id prefix' },
  assignee: { type: 'string', value: 'A', description: 'only this assignee' },
  limit: { type: 'string', value: 'N', description: 'at most N beads' },
  ...JSON_OPTION,
} as const;

export const beadReadyCommand: Command = {
  name: 'bead ready',
  summary: 'open beads with nothing blocking them, by priority then age',
  options: READY_OPTIONS,
  async run(ctx, v) {
    const beads = await withTown(ctx, (c) => c.beadReady({ prefix: str(v.prefix), assignee: str(v.assignee), limit: limitOf(v.limit) }));
    printList(ctx, beads, v.json);
    return 0;
  },
};

export const beadBlockedCommand: Command = {
  name: 'bead blocked',
  summary: 'beads waiting on an open blocker, with what blocks them',
  options: READY_OPTIONS,
  async run(ctx, v) {
    const beads = await withTown(ctx, (c) => c.beadBlocked({ prefix: str(v.prefix), assignee: str(v.assignee), limit: limitOf(v.limit) }));
    if (v.json) printJson(ctx, beads);
    else if (beads.length === 0) ctx.out('no blocked beads');
    else for (const b of beads) ctx.out(`${b.id}  ${b.title}  ← blocked by ${b.blockedBy.join(', ')}`);
    return 0;
  },
};

export const beadSearchCommand: Command = {
  name: 'bead search',
  summary: 'beads whose title or description contains the text',
  args: 'TEXT',
  options: { limit: { type: 'string', value: 'N', description: 'at most N beads' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const query = positionals.join(' ');
    const beads = await withTown(ctx, (c) => c.beadSearch({ query, limit: limitOf(v.limit) }));
    printList(ctx, beads, v.json);
    return 0;
  },
};

export const beadDepAddCommand: Command = {
  name: 'bead dep add',
  summary: 'A depends on B (B blocks A, for the default type "blocks")',
  args: 'A B',
  options: { type: { type: 'string', value: 'T', description: 'blocks (default), parent-child, related, discovered-from, tracks' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id A');
    const dependsOn = requireArg(positionals, 1, 'bead id B');
    const r = await withTown(ctx, (c) => c.beadDepAdd({ id, dependsOn, type: str(v.type) as 'blocks' | undefined }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.added ? `${id} now depends on ${dependsOn}` : `${id} already depends on ${dependsOn}`);
    return 0;
  },
};

export const beadDepRemoveCommand: Command = {
  name: 'bead dep rm',
  summary: 'remove the dependency of A on B',
  args: 'A B',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id A');
    const dependsOn = requireArg(positionals, 1, 'bead id B');
    const r = await withTown(ctx, (c) => c.beadDepRemove({ id, dependsOn }));
    if (v.json) printJson(ctx, r);
    else ctx.out(r.removed ? `${id} no longer depends on ${dependsOn}` : `${id} did not depend on ${dependsOn}`);
    return 0;
  },
};

function labelCommand(op: 'add' | 'rm'): Command {
  return {
    name: `bead label ${op}`,
    summary: op === 'add' ? 'add a label to a bead' : 'remove a label from a bead',
    args: 'ID LABEL',
    options: JSON_OPTION,
    async run(ctx, v, positionals) {
      const id = requireArg(positionals, 0, 'bead id');
      const label = requireArg(positionals, 1, 'label');
      const bead = await withTown(ctx, (c) => (op === 'add' ? c.beadLabelAdd({ id, label }) : c.beadLabelRemove({ id, label })));
      if (v.json) printJson(ctx, bead);
      else ctx.out(`${bead.id} labels: ${bead.labels.join(', ') || '(none)'}`);
      return 0;
    },
  };
}

export const beadCommentCommand: Command = {
  name: 'bead comment',
  summary: 'add a comment to a bead',
  args: 'ID TEXT',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id');
    const text = positionals.slice(1).join(' ');
    const comment = await withTown(ctx, (c) => c.beadComment({ id, text }));
    if (v.json) printJson(ctx, comment);
    else ctx.out(`commented on ${id}`);
    return 0;
  },
};

export const beadHistoryCommand: Command = {
  name: 'bead history',
  summary: 'every change to a bead: commit, author, time, fields before → after',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'bead id');
    const entries = await withTown(ctx, (c) => c.beadHistory({ id }));
    if (v.json) printJson(ctx, entries);
    else
      for (const e of entries) {
        ctx.out(`${e.commit.slice(0, 10)}  ${e.time}  ${e.author}  ${e.kind}: ${e.message}`);
        for (const c of e.changes) ctx.out(`    ${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
      }
    return 0;
  },
};

export const BEAD_COMMANDS: Command[] = [
  beadCreateCommand, beadShowCommand, beadListCommand, beadUpdateCommand, beadCloseCommand, beadReopenCommand,
  beadReadyCommand, beadBlockedCommand, beadSearchCommand, beadDepAddCommand, beadDepRemoveCommand,
  labelCommand('add'), labelCommand('rm'), beadCommentCommand, beadHistoryCommand,
];
