// Removes a worktree (uncommitted work in it included) and forgets it; its branch stays.

import { runGit } from './run-git.ts';
import { pruneWorktrees } from './worktree-prune.ts';

export async function removeWorktree(repoDir: string, workDir: string): Promise<void> {
  await runGit(repoDir, ['worktree', 'remove', '--force', workDir]);
  await pruneWorktrees(repoDir);
}
