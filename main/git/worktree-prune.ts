// Forgets worktrees whose folders are gone (a folder deleted by hand stays registered otherwise,
// and `worktree add` refuses its path).

import { runGit } from './run-git.ts';
import { underWorktreeLock } from './worktree-lock.ts';

export function pruneWorktrees(repoDir: string): Promise<void> {
  return underWorktreeLock(repoDir, () => pruneWorktreesNow(repoDir));
}

/** The prune itself, for a caller that already holds the repository's worktree lock. */
export async function pruneWorktreesNow(repoDir: string): Promise<void> {
  await runGit(repoDir, ['worktree', 'prune']);
}
