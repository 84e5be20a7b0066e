// Runs one `gt` call inside the town for a caller (the native client's `cliRun` request): the same
// commands as the Node CLI (gt.ts), with the caller's arguments, folder and town variables, its
// output captured in order, and every town request made as the caller.
//
// Invariants:
// - The caller gains nothing by this path: each request a command makes goes through Town.call with
//   the caller's own context (actor, credential), and a command whose effects are not only requests
//   (place 'caller': it reads the caller's stdin or files, starts a town, takes over a terminal)
//   is refused with `ran: false`, so the caller's own process runs it instead.
// - A call that names another town (--town, GT_TOWN, ~/gt as the caller sees them) is refused the
//   same way: the town answers only for itself.
// - What is printed and the exit code are those of the Node CLI for the same call (gt.ts's execute).
import { join, resolve } from 'node:path';
import type { CliOutput, CliRunResult } from '../../preload/requests/cli-runner.ts';
import { townPaths } from '../town/paths.ts';
import type { CliContext, TownConnection } from './command.ts';
import { execute, placeOf, RunInCaller, type CliHost } from './gt.ts';

export interface CliRunRequest {
  argv: string[];
  cwd: string;
  env: { GT_TOWN?: string; HOME?: string; GT_AGENT?: string };
  terminal: { stdin: boolean; stdout: boolean; stderr: boolean; columns: number };
  /** The caller's stdin, sent when the town asked for it (a `stdin` command, stdin not a terminal). */
  stdin?: string;
}

export interface CliRunnerDeps {
  /** The folder of the town that runs the call. */
  townRoot: string;
  /** A client of this town speaking as the caller. */
  connect(): TownConnection;
}

/** The town folder the caller's own `gt` would use: --town, else GT_TOWN, else ~/gt, against its cwd. */
export function callerTownDir(request: CliRunRequest, flag: string | undefined): string | null {
  const named = flag || request.env.GT_TOWN || (request.env.HOME ? join(request.env.HOME, 'gt') : '');
  return named ? resolve(request.cwd, named) : null;
}

export async function runForCaller(request: CliRunRequest, deps: CliRunnerDeps): Promise<CliRunResult> {
  const output: CliOutput[] = [];
  const write = (fd: 1 | 2, text: string): void => {
    if (!text) return;
    const last = output[output.length - 1];
    if (last && last[0] === fd) last[1] += text;
    else output.push([fd, text]);
  };
  const host: CliHost = {
    write,
    townDir: (flag) => callerTownDir(request, flag) ?? '',
    refuse(command, values, positionals, townDir) {
      if (placeOf(command, values) === 'caller') return new RunInCaller(`gt ${command.name} runs in the caller's process`);
      if (townDir !== deps.townRoot) return new RunInCaller(`the call names the town at ${townDir || '(none)'}, not this one`);
      if (command.stdin?.(values, positionals, request.env.GT_AGENT || null) && request.stdin === undefined && !request.terminal.stdin) return new RunInCaller(`gt ${command.name} reads stdin: send it along`, true);
      return null;
    },
    context: (townDir): CliContext => ({
      townDir,
      paths: townPaths(townDir),
      out: (t) => write(1, t + '\n'),
      err: (t) => write(2, t + '\n'),
      write: (t) => write(1, t),
      cwd: request.cwd,
      agent: request.env.GT_AGENT || null,
      stdin: async () => (request.terminal.stdin ? '' : request.stdin ?? ''),
      connect: async () => deps.connect(),
    }),
  };
  try {
    const exitCode = await execute(request.argv, host);
    return { ran: true, exitCode, output };
  } catch (err) {
    if (err instanceof RunInCaller) return err.needsStdin ? { ran: false, reason: err.message, stdin: true } : { ran: false, reason: err.message };
    throw err;
  }
}
