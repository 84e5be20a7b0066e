// Puts a worktree's uncommitted work, untracked files included, on the stash: kept, never dropped.

import { runGit } from './run-git.ts';

export type StashResult = { ok: true } | { ok: false; message: string };

export async function stashAll(workDir: string, message: string): Promise<StashResult> {
  const r = await runGit(workDir, ['stash', 'push', '--include-untracked', '-m', message]);
  return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
}
