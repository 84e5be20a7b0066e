// Deletes a local branch (whatever it holds: callers check it is merged first).

import { runGit } from './run-git.ts';

export async function deleteBranch(repoDir: string, branch: string): Promise<boolean> {
  if (branch.startsWith('-')) return false;
  return (await runGit(repoDir, ['branch', '-D', branch])).ok;
}
