// gt rig …: the git repositories the town works on.
import { resolve } from 'node:path';
import { TownError } from '../../../preload/errors.ts';
import type { RigInfo } from '../../../preload/requests/work-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';
import { isGitUrl } from '../../town/rigs/rig-git.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function printRig(ctx: CliContext, r: RigInfo): void {
  ctx.out(`${r.name}  [${r.prefix}] ${r.branch}  ← ${r.source}`);
  ctx.out(`  polecats: at most ${r.maxPolecats} at once${r.runtime ? `, runtime ${r.runtime}` : ''}`);
  if (r.gate) ctx.out(`  gate: ${r.gate}`);
  ctx.out(`  folder: ${r.paths.root}`);
}

export const rigAddCommand: Command = {
  name: 'rig add',
  summary: 'add a git repository (local path or URL, which becomes its origin) as a rig',
  args: 'NAME SOURCE',
  options: {
    prefix: { type: 'string', value: 'P', description: 'bead id prefix of the rig (default: from its name)' },
    branch: { type: 'string', value: 'B', description: 'target branch (default: the source\'s default branch)' },
    gate: { type: 'string', value: 'CMD', description: 'command the merge queue runs before landing' },
    runtime: { type: 'string', value: 'NAME', description: 'default runtime of its polecats' },
    'max-polecats': { type: 'string', value: 'N', description: 'most polecats working at once (default 4)' },
    setup: { type: 'string', value: 'CMD', description: 'command run in each new worktree' },
    'copy-file': { type: 'string', multiple: true, value: 'PATH', description: 'file copied from the canonical clone into new worktrees (repeatable)' },
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'rig name');
    const raw = requireArg(positionals, 1, 'source (a folder or a git URL)');
    // The Town resolves relative paths against its own folder; ours is the caller's cwd.
    const source = isGitUrl(raw) ? raw : resolve(ctx.cwd, raw);
    let maxPolecats: number | undefined;
    if (v['max-polecats'] !== undefined) {
      maxPolecats = Number(v['max-polecats']);
      if (!Number.isInteger(maxPolecats) || maxPolecats < 1) throw new TownError('invalid', `--max-polecats must be a positive whole number, got ${String(v['max-polecats'])}`);
    }
    const rig = await withTown(ctx, (c) => c.rigAdd({
      name, source, prefix: str(v.prefix), branch: str(v.branch), gate: str(v.gate), runtime: str(v.runtime), maxPolecats,
      setupCommand: str(v.setup), copyFiles: v['copy-file'] as string[] | undefined,
    }));
    if (v.json) printJson(ctx, rig);
    else ctx.out(`rig ${rig.name} added (prefix ${rig.prefix}, branch ${rig.branch}) at ${rig.paths.root}`);
    return 0;
  },
};

export const rigListCommand: Command = {
  name: 'rig list',
  summary: 'the town\'s rigs',
  options: JSON_OPTION,
  async run(ctx, v) {
    const rigs = await withTown(ctx, (c) => c.rigList({}));
    if (v.json) printJson(ctx, rigs);
    else if (!rigs.length) ctx.out('no rigs (add one: gt rig add NAME SOURCE)');
    else for (const r of rigs) ctx.out(`${r.name}  [${r.prefix}] ${r.branch}  ← ${r.source}`);
    return 0;
  },
};

export const rigShowCommand: Command = {
  name: 'rig show',
  summary: 'one rig\'s settings and folders',
  args: 'NAME',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'rig name');
    const rig = await withTown(ctx, (c) => c.rigShow({ name }));
    if (v.json) printJson(ctx, rig);
    else printRig(ctx, rig);
    return 0;
  },
};

export const rigRemoveCommand: Command = {
  name: 'rig remove',
  summary: 'remove a rig: its bead is closed and its folders (worktrees, clones) deleted',
  args: 'NAME',
  options: { force: { type: 'boolean', description: 'even while polecats are at work (their sessions are stopped)' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'rig name');
    const r = await withTown(ctx, (c) => c.rigRemove({ name, force: v.force === true }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`rig ${r.removed} removed`);
    return 0;
  },
};

export const RIG_COMMANDS: Command[] = [rigAddCommand, rigListCommand, rigShowCommand, rigRemoveCommand];
