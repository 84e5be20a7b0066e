// Creates a worktree of a (bare or normal) repository: detached at a commit (the Refinery's), or
// on a branch (a polecat's), the branch created at a commit when it does not exist yet.

import { runGit } from './run-git.ts';
import { pruneWorktrees } from './worktree-prune.ts';

export type WorktreeAddResult = { ok: true } | { ok: false; message: string };

export async function addDetachedWorktree(repoDir: string, workDir: string, sha: string): Promise<WorktreeAddResult> {
  // A worktree directory deleted by hand is still registered; prune it or `add` refuses the path.
  await pruneWorktrees(repoDir);
  const r = await runGit(repoDir, ['worktree', 'add', '--detach', '--force', workDir, sha]);
  return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
}

export async function addBranchWorktree(repoDir: string, workDir: string, branch: string, createAt?: string): Promise<WorktreeAddResult> {
  await pruneWorktrees(repoDir);
  const args = createAt ? ['worktree', 'add', '--quiet', '-b', branch, workDir, createAt] : ['worktree', 'add', '--quiet', '--force', workDir, branch];
  const r = await runGit(repoDir, args);
  return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
}
