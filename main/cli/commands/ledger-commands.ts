// gt export / gt import: the ledger as beads JSONL.
import { readFileSync, writeFileSync } from 'node:fs';
import { TownError } from '../../../preload/errors.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type Command } from '../command.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write every bead as beads JSONL (to stdout, or --out FILE)',
  options: { out: { type: 'string', short: 'o', value: 'FILE', description: 'write to this file' } },
  place: (v) => (v.out === undefined ? 'anywhere' : 'caller'),
  async run(ctx, v) {
    const { jsonl, count } = await withTown(ctx, (c) => c.ledgerExport({}));
    if (typeof v.out === 'string') {
      writeFileSync(v.out, jsonl);
      ctx.err(`exported ${count} beads to ${v.out}`);
    } else {
      ctx.write(jsonl);
    }
    return 0;
  },
};

export const importCommand: Command = {
  name: 'import',
  summary: 'upsert beads from a beads JSONL file (all or nothing; errors name the line)',
  args: 'FILE',
  options: JSON_OPTION,
  place: 'caller',
  async run(ctx, v, positionals) {
    const file = requireArg(positionals, 0, 'file');
    let jsonl: string;
    try {
      jsonl = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TownError('invalid', `cannot read ${file}: ${(err as Error).message}`);
    }
    const report = await withTown(ctx, (c) => c.ledgerImport({ jsonl }));
    if (v.json) printJson(ctx, report);
    else ctx.out(`imported ${file}: ${report.created} created, ${report.updated} updated, ${report.skipped} skipped`);
    return 0;
  },
};
