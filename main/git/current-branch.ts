// The branch a worktree's (or a bare repository's) HEAD points at, or null when HEAD is detached
// or the folder is no repository.

import { runGit } from './run-git.ts';

export async function currentBranch(dir: string): Promise<string | null> {
  const r = await runGit(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return r.ok ? r.stdout.trim() || null : null;
}
