// Creates a detached worktree of a (bare or normal) repository at a commit.

import { runGit } from './run-git.ts';

export type WorktreeAddResult = { ok: true } | { ok: false; message: string };

export async function addDetachedWorktree(repoDir: string, workDir: string, sha: string): Promise<WorktreeAddResult> {
  // A worktree directory deleted by hand is still registered; prune it or `add` refuses the path.
  await runGit(repoDir, ['worktree', 'prune']);
  const r = await runGit(repoDir, ['worktree', 'add', '--detach', '--force', workDir, sha]);
  return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
}
