// The native `gt` client's one request: "run this gt command for me". The town runs it with the same
// Command definitions as the Node CLI (main/cli/cli-runner.ts), speaking to itself as the caller, and
// answers with what the command printed and its exit code. See native/README.md for the client.
import { z } from 'zod';
import { allow, request, returns } from '../api-kit.ts';

/** A path or environment value as the caller's process sees it. */
const CallerText = z.string().max(4096);

/** One write of the command: stdout (1) or stderr (2), in the order they were made. */
export type CliOutput = [1 | 2, string];

export type CliRunResult =
  /** The town ran the command: print `output` in order, exit with `exitCode`. */
  | { ran: true; exitCode: number; output: CliOutput[] }
  /** The command must run in the caller's own process (it reads the caller's stdin or files, starts
   *  or names another town, takes over the terminal): the client runs the Node CLI instead.
   *  With `stdin`, the command reads stdin: the client asks again with it (`stdin` below). */
  | { ran: false; reason: string; stdin?: true };

export const cliRunnerRequests = {
  /**
   * Anyone may ask: the command's own requests are each checked against the caller's rights (the
   * town speaks to itself as the caller), and a command whose effects are not only requests runs
   * in the caller's process instead (`ran: false`).
   */
  cliRun: request(
    z.object({
      /** gt's arguments, as after `gt`. */
      argv: z.array(z.string().max(1_000_000)).max(10_000),
      /** The caller's working folder (absolute). */
      cwd: CallerText.refine((p) => p.startsWith('/'), 'cwd must be an absolute path'),
      /** The variables the town folder is found by (--town, else GT_TOWN, else ~/gt). */
      /** …and the agent session it runs inside (commands that act only inside one). */
      env: z.object({ GT_TOWN: CallerText.optional(), HOME: CallerText.optional(), GT_AGENT: CallerText.optional() }).strict(),
      /** The caller's terminal: whether stdin/stdout/stderr are terminals, and its width (0 when none). */
      terminal: z.object({ stdin: z.boolean(), stdout: z.boolean(), stderr: z.boolean(), columns: z.number().int().min(0).max(100_000) }).strict(),
      /** The caller's stdin (at most 4 MiB), when a first answer asked for it. */
      stdin: z.string().max(4 << 20).optional(),
    }).strict(),
    returns<CliRunResult>(),
    allow.anyone,
  ),
};
