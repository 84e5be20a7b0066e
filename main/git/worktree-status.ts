// Whether a worktree has anything uncommitted (tracked changes or untracked files not ignored).

import { runGit } from './run-git.ts';

export async function isDirty(workDir: string): Promise<boolean> {
  const r = await runGit(workDir, ['status', '--porcelain']);
  return r.ok && r.stdout.trim().length > 0;
}
