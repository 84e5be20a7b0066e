// The one place git is executed. Every git operation in main/git/ goes through here so that the
// environment is the same everywhere: no pager, no prompts (a missing credential must fail, not
// hang a headless town), C locale so stderr can be matched, and no user config surprises in output.
// Git is started by the git runner (git-runner.ts: a small process, so the town never forks itself)
// when it is built, else by execFile; both give the same GitResult for the same run.

import { execFile } from 'node:child_process';
import { builtRunner, GitRunner, gitSubcommand, type RunnerResult } from './git-runner.ts';

export interface GitResult {
  ok: boolean;
  /** git's exit code; null when git could not be started or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GitRunOptions {
  /** Extra environment, e.g. author/committer identity for commit-tree. */
  env?: Record<string, string>;
  /** Kill git after this long (network operations such as push/fetch). */
  timeoutMs?: number;
}

const BASE_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  LC_ALL: 'C',
  // A hung ssh askpass would block the queue forever.
  GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
};

const MAX_OUTPUT = 64 * 1024 * 1024;

let runner: GitRunner | undefined;
/** The process's one git runner (created on first use; off with GT_GIT_RUNNER=0 or when not built).
 *  The Refinery's gates run through it too (main/refinery/gate-runner.ts). */
export function sharedRunner(): GitRunner {
  runner ??= new GitRunner(process.env.GT_GIT_RUNNER === '0' ? null : builtRunner(), { ...process.env, ...BASE_ENV });
  return runner;
}

/** The git runner's pid while it runs, for the benches' CPU accounting. */
export function gitRunnerPid(): number | null {
  return runner?.pid ?? null;
}

/**
 * Runs `git -C cwd ...args`. Never throws: failures come back as data for the caller to judge.
 * The environment: the process's with BASE_ENV and `opts.env` over it. Through the runner, the
 * process's is the one the runner started with (the town sets its environment before its first git
 * run and never changes it after), so no run copies the whole of process.env.
 */
export function runGit(cwd: string, args: string[], opts: GitRunOptions = {}): Promise<GitResult> {
  const viaRunner = sharedRunner().runWithExtra(['git', '-C', cwd, ...args], opts.env, opts.timeoutMs ?? 0);
  return viaRunner ? viaRunner.then((r) => fromRunner(r, args, opts)) : runWithExecFile(cwd, args, { ...process.env, ...BASE_ENV, ...opts.env }, opts);
}

/** The runner's answer as execFile's callback would have given it. */
function fromRunner(r: RunnerResult, args: string[], opts: GitRunOptions): GitResult {
  const stdout = r.stdout.toString('utf8');
  const stderr = r.stderr.toString('utf8');
  const what = `git ${gitSubcommand(args)}`;
  const failure = r.spawnError ? `spawn git ${r.spawnError}`
    : r.overLimit ? `${what}: output over ${MAX_OUTPUT} bytes`
    : r.timedOut ? `${what} timed out after ${opts.timeoutMs} ms`
    : r.code === null ? `${what} killed by ${r.signal ?? 'a signal'}` : '';
  const ok = r.code === 0 && !r.overLimit;
  return { ok, code: r.overLimit ? null : r.code, stdout, stderr: failure && stderr ? `${stderr.trimEnd()}\n${failure}` : stderr || failure };
}

function runWithExecFile(cwd: string, args: string[], env: NodeJS.ProcessEnv, opts: GitRunOptions): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      {
        env,
        maxBuffer: MAX_OUTPUT,
        timeout: opts.timeoutMs ?? 0,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
        resolve({ ok: !e, code, stdout: String(stdout), stderr: String(stderr || (e && code === null ? e.message : '')) });
      },
    );
  });
}

/** For operations whose failure means the repository itself is broken: throws with git's stderr. */
export async function gitOrThrow(cwd: string, args: string[], opts: GitRunOptions = {}): Promise<string> {
  const r = await runGit(cwd, args, opts);
  if (!r.ok) throw new Error(`git ${args[0]} failed in ${cwd}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}
