// Creates a worktree of a (bare or normal) repository: detached at a commit (the Refinery's), or
// on a branch (a polecat's), the branch created at a commit when it does not exist yet. One worktree
// change per repository at a time (worktree-lock.ts).

import { runGit } from './run-git.ts';
import { underWorktreeLock } from './worktree-lock.ts';
import { pruneWorktreesNow } from './worktree-prune.ts';

export type WorktreeAddResult = { ok: true } | { ok: false; message: string };

export function addDetachedWorktree(repoDir: string, workDir: string, sha: string): Promise<WorktreeAddResult> {
  return addWorktree(repoDir, ['worktree', 'add', '--detach', '--force', workDir, sha]);
}

export function addBranchWorktree(repoDir: string, workDir: string, branch: string, createAt?: string): Promise<WorktreeAddResult> {
  return addWorktree(repoDir, createAt ? ['worktree', 'add', '--quiet', '-b', branch, workDir, createAt] : ['worktree', 'add', '--quiet', '--force', workDir, branch]);
}

function addWorktree(repoDir: string, args: string[]): Promise<WorktreeAddResult> {
  return underWorktreeLock(repoDir, async () => {
    // A worktree directory deleted by hand is still registered; prune it or `add` refuses the path.
    await pruneWorktreesNow(repoDir);
    const r = await runGit(repoDir, args);
    return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
  });
}
