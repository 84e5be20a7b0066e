// Removes a worktree (uncommitted work in it included) and forgets it; its branch stays. One
// worktree change per repository at a time (worktree-lock.ts).

import { runGit } from './run-git.ts';
import { underWorktreeLock } from './worktree-lock.ts';
import { pruneWorktreesNow } from './worktree-prune.ts';

export function removeWorktree(repoDir: string, workDir: string): Promise<void> {
  return underWorktreeLock(repoDir, async () => {
    await runGit(repoDir, ['worktree', 'remove', '--force', workDir]);
    await pruneWorktreesNow(repoDir);
  });
}
