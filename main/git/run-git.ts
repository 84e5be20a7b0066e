// The one place git is executed. Every git operation in main/git/ goes through here so that the
// environment is the same everywhere: no pager, no prompts (a missing credential must fail, not
// hang a headless town), C locale so stderr can be matched, and no user config surprises in output.

import { execFile } from 'node:child_process';

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

/** Runs `git -C cwd ...args`. Never throws: failures come back as data for the caller to judge. */
export function runGit(cwd: string, args: string[], opts: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      {
        env: { ...process.env, ...BASE_ENV, ...opts.env },
        maxBuffer: 64 * 1024 * 1024,
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
