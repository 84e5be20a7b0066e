// gt convoy …: bundles of beads fed to polecats in dependency order.
import { readFileSync } from 'node:fs';
import { TownError } from '../../../preload/errors.ts';
import type { ConvoyStatus } from '../../../preload/requests/work-types.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function printConvoy(ctx: CliContext, c: ConvoyStatus, detail: boolean): void {
  ctx.out(`${c.id}  [${c.staged ? 'staged' : c.status}] ${c.title}  ${c.progress.closed}/${c.progress.total} closed${c.rig ? `  rig ${c.rig}` : ''}`);
  if (detail) for (const t of c.tracked) ctx.out(`  ${t.status === 'closed' ? '✓' : t.blocked ? '·' : '○'} ${t.id} [${t.status}${t.blocked ? ', blocked' : ''}] ${t.title}${t.assignee ? `  ← ${t.assignee}` : ''}`);
}

export const convoyCreateCommand: Command = {
  name: 'convoy create',
  summary: 'a convoy tracking beads (given, or one per CSV row); its ready beads go to free polecats',
  args: 'NAME [BEAD...]',
  options: {
    rig: { type: 'string', value: 'RIG', description: 'the rig its beads are slung to (default: by each bead\'s prefix)' },
    runtime: { type: 'string', value: 'NAME', description: 'runtime of its polecats' },
    csv: { type: 'string', value: 'FILE', description: 'create one bead per row of this CSV file (header row names the columns)' },
    'title-template': { type: 'string', value: 'T', description: 'bead title from a CSV row, e.g. "Fix {{file}}"' },
    'description-template': { type: 'string', value: 'T', description: 'bead description from a CSV row' },
    ...JSON_OPTION,
  },
  // A CSV file is read from the caller's own folder, with the caller's rights.
  place: (v) => (v.csv === undefined ? 'anywhere' : 'caller'),
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'convoy name');
    const beads = positionals.slice(1);
    let convoy: ConvoyStatus;
    if (typeof v.csv === 'string') {
      if (beads.length) throw new TownError('invalid', 'give beads or --csv, not both');
      if (typeof v['title-template'] !== 'string') throw new TownError('invalid', '--csv needs --title-template');
      let csv: string;
      try {
        csv = readFileSync(v.csv, 'utf8');
      } catch (e) {
        throw new TownError('invalid', `cannot read ${v.csv}: ${(e as Error).message}`);
      }
      convoy = await withTown(ctx, (c) => c.convoyCreateCsv({
        name, csv, titleTemplate: v['title-template'] as string, descriptionTemplate: str(v['description-template']), rig: str(v.rig), runtime: str(v.runtime),
      }));
    } else {
      if (!beads.length) throw new TownError('invalid', 'a convoy needs beads: gt convoy create NAME BEAD... (or --csv FILE)');
      convoy = await withTown(ctx, (c) => c.convoyCreate({ name, beads, rig: str(v.rig), runtime: str(v.runtime) }));
    }
    if (v.json) printJson(ctx, convoy);
    else ctx.out(`convoy ${convoy.id} created: ${convoy.title} (${convoy.progress.total} beads)`);
    return 0;
  },
};

export const convoyListCommand: Command = {
  name: 'convoy list',
  summary: 'open convoys and their progress',
  options: { all: { type: 'boolean', description: 'closed ones too' }, ...JSON_OPTION },
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.convoyList({ all: v.all === true }));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no convoys');
    else for (const c of list) printConvoy(ctx, c, false);
    return 0;
  },
};

export const convoyStatusCommand: Command = {
  name: 'convoy status',
  summary: 'one convoy: each tracked bead, its state and polecat (and a staged convoy\'s waves)',
  args: 'ID',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'convoy id');
    const { c, plan } = await withTown(ctx, async (cl) => {
      const c = await cl.convoyStatus({ id });
      // A staged convoy's waves, planned from the live dependencies of its open beads (as launch will).
      const open = c.tracked.filter((t) => t.status !== 'closed').map((t) => t.id);
      const plan = c.staged && open.length ? await cl.convoyStage({ beads: open }).catch((e: Error) => ({ text: `waves: ${e.message}` })) : null;
      return { c, plan };
    });
    if (v.json) printJson(ctx, c);
    else {
      printConvoy(ctx, c, true);
      if (plan) ctx.out(`${plan.text}\nstart it with gt convoy launch ${c.id}`);
    }
    return 0;
  },
};

export const convoyAddCommand: Command = {
  name: 'convoy add',
  summary: 'track more beads (reopens a landed convoy)',
  args: 'ID BEAD...',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'convoy id');
    requireArg(positionals, 1, 'bead id');
    const c = await withTown(ctx, (cl) => cl.convoyAdd({ id, beads: positionals.slice(1) }));
    if (v.json) printJson(ctx, c);
    else printConvoy(ctx, c, false);
    return 0;
  },
};

export const convoyCloseCommand: Command = {
  name: 'convoy close',
  summary: 'close a convoy by hand (its beads are left as they are)',
  args: 'ID',
  options: { reason: { type: 'string', short: 'r', value: 'TEXT', description: 'why' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'convoy id');
    const c = await withTown(ctx, (cl) => cl.convoyClose({ id, reason: str(v.reason) }));
    if (v.json) printJson(ctx, c);
    else ctx.out(`convoy ${c.id} closed`);
    return 0;
  },
};

export const CONVOY_COMMANDS: Command[] = [convoyCreateCommand, convoyListCommand, convoyStatusCommand, convoyAddCommand, convoyCloseCommand];
