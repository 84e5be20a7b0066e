// gt bd-env: the environment that points the real `bd` (beads v1.0.5, server mode) at the running
// town's ledger. `eval "$(gt bd-env)"` then `bd list`, `bd ready`, `bd create`… work on the town.
import { JSON_OPTION, printJson, withTown, type Command } from '../command.ts';

/** `export NAME='value'` lines for a POSIX shell. */
export function shellExports(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`).join('\n');
}

export const bdEnvCommand: Command = {
  name: 'bd-env',
  summary: 'print the environment for the real bd on this town\'s ledger (eval "$(gt bd-env)")',
  options: {
    actor: { type: 'string', value: 'NAME', description: 'bd\'s actor and commit author (default: bd\'s own, from git)' },
    ...JSON_OPTION,
  },
  async run(ctx, v) {
    const res = await withTown(ctx, (c) => c.ledgerBdEnv({ actor: typeof v.actor === 'string' ? v.actor : undefined }));
    if (v.json) printJson(ctx, res);
    else ctx.out(shellExports(res.env));
    return 0;
  },
};
