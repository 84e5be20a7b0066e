// Puts a worktree exactly at a commit: detached HEAD, tracked files as committed, untracked files
// removed. Ignored files (dependency folders, build caches) are kept on purpose: gates would
// otherwise reinstall everything on every run. Whatever a previous run or a killed process left,
// the tree afterwards is the commit and nothing half-merged.

import { runGit } from './run-git.ts';

export type CheckoutResult = { ok: true } | { ok: false; message: string };

export async function checkoutClean(workDir: string, sha: string): Promise<CheckoutResult> {
  // A merge or rebase interrupted by a crash would make checkout refuse; abort them first.
  for (const op of [['merge', '--abort'], ['rebase', '--abort'], ['cherry-pick', '--abort']]) await runGit(workDir, op);
  const co = await runGit(workDir, ['checkout', '--force', '--detach', sha]);
  if (!co.ok) return { ok: false, message: co.stderr.trim() };
  const clean = await runGit(workDir, ['clean', '-ffd', '-q']);
  if (!clean.ok) return { ok: false, message: clean.stderr.trim() };
  return { ok: true };
}
