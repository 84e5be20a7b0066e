// gt wisp …: ephemeral beads (no Dolt commit until squashed; swept after the time-to-live).
import type { Bead } from '../../../preload/types.ts';
import { TownError } from '../../../preload/errors.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

function printWisp(ctx: CliContext, w: Bead): void {
  ctx.out(`${w.id}  [wisp ${w.status}] P${w.priority} ${w.type}  ${w.title}  (changed ${w.updatedAt})`);
}

export const wispCreateCommand: Command = {
  name: 'wisp create',
  summary: 'create a wisp: an ephemeral bead, no Dolt commit',
  options: {
    title: { type: 'string', short: 't', value: 'TEXT', description: 'title (required)' },
    description: { type: 'string', short: 'd', value: 'TEXT', description: 'description' },
    type: { type: 'string', value: 'TYPE', description: 'task, chore, … (default task)' },
    priority: { type: 'string', short: 'p', value: '0-4', description: 'priority, 0 highest (default 2)' },
    prefix: { type: 'string', value: 'P', description: 'id prefix (default: the town, hq)' },
    label: { type: 'string', short: 'l', multiple: true, value: 'L', description: 'a label (repeatable)' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    if (typeof v.title !== 'string') throw new TownError('invalid', '--title is required');
    let priority: number | undefined;
    if (v.priority !== undefined) {
      priority = Number(v.priority);
      if (!Number.isInteger(priority)) throw new TownError('invalid', `--priority must be 0-4, got ${String(v.priority)}`);
    }
    const wisp = await withTown(ctx, (c) => c.wispCreate({
      title: v.title as string, description: v.description as string | undefined, type: v.type as Bead['type'] | undefined,
      priority, prefix: v.prefix as string | undefined, labels: v.label as string[] | undefined,
    }));
    if (v.json) printJson(ctx, wisp);
    else ctx.out(wisp.id);
    return 0;
  },
};

export const wispListCommand: Command = {
  name: 'wisp list',
  summary: 'list wisps (oldest change first)',
  options: { prefix: { type: 'string', value: 'P', description: 'only this prefix' }, ...JSON_OPTION },
  async run(ctx, v) {
    const wisps = await withTown(ctx, (c) => c.wispList({ prefix: v.prefix as string | undefined }));
    if (v.json) printJson(ctx, wisps);
    else if (!wisps.length) ctx.out('no wisps');
    else for (const w of wisps) printWisp(ctx, w);
    return 0;
  },
};

export const wispShowCommand: Command = {
  name: 'wisp show',
  summary: 'show a wisp with its comments',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'wisp id');
    const wisp = await withTown(ctx, (c) => c.wispShow({ id }));
    if (v.json) printJson(ctx, wisp);
    else {
      printWisp(ctx, wisp);
      if (wisp.description) ctx.out(`\n${wisp.description}`);
      for (const c of wisp.comments ?? []) ctx.out(`  ${c.createdAt} ${c.author}: ${c.text}`);
    }
    return 0;
  },
};

export const wispCommentCommand: Command = {
  name: 'wisp comment',
  summary: 'add a comment to a wisp (no commit)',
  args: 'ID TEXT',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'wisp id');
    const comment = await withTown(ctx, (c) => c.wispComment({ id, text: positionals.slice(1).join(' ') }));
    if (v.json) printJson(ctx, comment);
    else ctx.out(`commented on ${id}`);
    return 0;
  },
};

export const wispBurnCommand: Command = {
  name: 'wisp burn',
  summary: 'delete a wisp (nothing stays in history)',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'wisp id');
    const res = await withTown(ctx, (c) => c.wispBurn({ id }));
    if (v.json) printJson(ctx, res);
    else if (!res.burned) throw new TownError('not_found', `no wisp ${id}`);
    else ctx.out(`burned ${id}`);
    return 0;
  },
};

export const wispSquashCommand: Command = {
  name: 'wisp squash',
  summary: 'turn a wisp into a real bead with the same id (one Dolt commit)',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'wisp id');
    const bead = await withTown(ctx, (c) => c.wispSquash({ id }));
    if (v.json) printJson(ctx, bead);
    else ctx.out(`squashed ${id} into a bead`);
    return 0;
  },
};

export const wispSweepCommand: Command = {
  name: 'wisp sweep',
  summary: 'remove wisps unchanged for longer than the time-to-live (default 24 h)',
  options: { 'older-than': { type: 'string', value: 'HOURS', description: 'remove wisps unchanged for this many hours' }, ...JSON_OPTION },
  async run(ctx, v) {
    let olderThanHours: number | undefined;
    if (v['older-than'] !== undefined) {
      olderThanHours = Number(v['older-than']);
      if (!Number.isFinite(olderThanHours) || olderThanHours < 0) throw new TownError('invalid', `--older-than must be a number of hours, got ${String(v['older-than'])}`);
    }
    const res = await withTown(ctx, (c) => c.wispSweep({ olderThanHours }));
    if (v.json) printJson(ctx, res);
    else ctx.out(`removed ${res.removed.length} wisp(s)${res.removed.length ? `: ${res.removed.join(', ')}` : ''}`);
    return 0;
  },
};

export const WISP_COMMANDS: Command[] = [
  wispCreateCommand, wispListCommand, wispShowCommand, wispCommentCommand, wispBurnCommand, wispSquashCommand, wispSweepCommand,
];
