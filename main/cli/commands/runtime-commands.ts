// gt runtime list: the agent CLIs the town can run, as configured, and whether each is installed.
// Reads the town's settings directly: it needs no running town. The registry is loaded only when
// this command runs (it is not on the path of every `gt` call).
import { JSON_OPTION, printJson, type Command } from '../command.ts';

export const runtimeListCommand: Command = {
  name: 'runtime list',
  summary: 'the agent runtimes (built-in and custom) with their command and whether the CLI is installed',
  options: JSON_OPTION,
  // Whether a runtime is installed is a question about the caller's PATH.
  place: 'caller',
  async run(ctx, v) {
    const [{ runtimeListing }, { readWorkSettings }] = await Promise.all([import('../../agents/runtimes/runtime-registry.ts'), import('../../town/sessions/work-settings.ts')]);
    const runtimes = runtimeListing(readWorkSettings(ctx.townDir).runtimes);
    if (v.json) printJson(ctx, runtimes);
    else for (const r of runtimes) ctx.out(`${r.name.padEnd(10)} ${r.installed ? 'installed  ' : 'not found  '} ${r.label} (${r.command})`);
    return 0;
  },
};
