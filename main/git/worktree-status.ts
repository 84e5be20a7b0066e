// Whether a worktree has anything uncommitted (tracked changes or untracked files not ignored), and on which branch it is.

import { runGit } from './run-git.ts';

export async function isDirty(workDir: string): Promise<boolean> {
  const r = await runGit(workDir, ['status', '--porcelain']);
  return r.ok && r.stdout.trim().length > 0;
}

/** A worktree's branch (null when detached) and whether it holds uncommitted changes, from one git
 *  run (`status --porcelain=v2 --branch`); null when git cannot read it. */
export async function branchAndDirty(workDir: string): Promise<{ branch: string | null; dirty: boolean } | null> {
  const r = await runGit(workDir, ['status', '--porcelain=v2', '--branch']);
  if (!r.ok) return null;
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  const head = lines.find((l) => l.startsWith('# branch.head '))?.slice('# branch.head '.length).trim();
  return { branch: head && head !== '(detached)' ? head : null, dirty: lines.some((l) => !l.startsWith('#')) };
}
