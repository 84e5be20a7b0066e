// `cliRun`: the town runs a `gt` command for the native client, as the caller (main/cli/cli-runner.ts).
import { resolve } from 'node:path';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { cliRunnerRequests } from '../../../preload/requests/cli-runner.ts';
import { sessionClient } from '../../api/session-client.ts';
import { runForCaller } from '../../cli/cli-runner.ts';
import type { Town } from '../town.ts';

export function cliHandlers(town: Town): Pick<TownHandlers, keyof typeof cliRunnerRequests> {
  return {
    cliRun: (args, ctx) => runForCaller(args, { townRoot: resolve(town.paths.root), connect: () => sessionClient(town, ctx) }),
  };
}
