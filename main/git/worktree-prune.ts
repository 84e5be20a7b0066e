// Forgets worktrees whose folders are gone (a folder deleted by hand stays registered otherwise,
// and `worktree add` refuses its path).

import { runGit } from './run-git.ts';

export async function pruneWorktrees(repoDir: string): Promise<void> {
  await runGit(repoDir, ['worktree', 'prune']);
}
