// The git operations of a polecat's sandbox: its worktree on `polecat/<name>/<bead>`, the safety-net
// commit of leftovers at `gt done`, and what its branch carries. All through main/git/run-git.ts.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import { runGit } from '../../git/run-git.ts';
import { resolveBranch } from '../../git/resolve-commit.ts';
import { worktreeInfo } from '../../git/worktree-info.ts';

export interface GitWho {
  name: string;
  email: string;
}

export const identityEnv = (who: GitWho): Record<string, string> => ({
  GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email,
});

export async function currentBranch(workdir: string): Promise<string | null> {
  const r = await runGit(workdir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return r.ok ? r.stdout.trim() : null;
}

export async function isDirty(workdir: string): Promise<boolean> {
  const r = await runGit(workdir, ['status', '--porcelain']);
  return r.ok && r.stdout.trim().length > 0;
}

export interface PreparedWorktree {
  workdir: string;
  branch: string;
  /** true when an existing worktree was switched (or kept), false when it was created. */
  reused: boolean;
}

/**
 * Puts the polecat's worktree on `branch`. A worktree already on that branch is kept as it is,
 * uncommitted changes included (a restarted session continues the work). A worktree on another
 * branch is switched; whatever it held uncommitted is stashed, never thrown away.
 */
export async function prepareWorktree(bare: string, workdir: string, branch: string, base: string): Promise<PreparedWorktree> {
  const baseSha = await resolveBranch(bare, base);
  if (!baseSha) throw new TownError('not_found', `the rig has no branch ${base}`);
  const branchExists = (await resolveBranch(bare, branch)) !== null;
  if (existsSync(workdir) && (await worktreeInfo(workdir))) {
    if ((await currentBranch(workdir)) === branch) return { workdir, branch, reused: true };
    if (await isDirty(workdir)) {
      const s = await runGit(workdir, ['stash', 'push', '--include-untracked', '-m', `gt: leftovers before switching to ${branch}`]);
      if (!s.ok) throw new TownError('internal', `cannot stash leftovers in ${workdir}: ${s.stderr.trim()}`);
    }
    const co = branchExists ? await runGit(workdir, ['checkout', '--quiet', branch]) : await runGit(workdir, ['checkout', '--quiet', '-b', branch, baseSha]);
    if (!co.ok) throw new TownError('internal', `cannot switch ${workdir} to ${branch}: ${co.stderr.trim()}`);
    return { workdir, branch, reused: true };
  }
  // A folder deleted by hand is still registered as a worktree; prune or `add` refuses the path.
  await runGit(bare, ['worktree', 'prune']);
  mkdirSync(dirname(workdir), { recursive: true });
  const add = branchExists
    ? await runGit(bare, ['worktree', 'add', '--quiet', '--force', workdir, branch])
    : await runGit(bare, ['worktree', 'add', '--quiet', '-b', branch, workdir, baseSha]);
  if (!add.ok) throw new TownError('internal', `cannot create the worktree ${workdir}: ${add.stderr.trim()}`);
  return { workdir, branch, reused: false };
}

/** Copies the rig's per-worktree files (e.g. `.env`) from the canonical clone into a new worktree. */
export function copyRigFiles(canonical: string, workdir: string, files: string[]): void {
  for (const f of files) {
    const from = join(canonical, f);
    if (!existsSync(from)) continue;
    const to = join(workdir, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
}

/** `gt done`'s safety net: commits whatever the agent left uncommitted. Returns the new commit, if any. */
export async function commitLeftovers(workdir: string, message: string, who: GitWho): Promise<string | null> {
  if (!(await isDirty(workdir))) return null;
  const add = await runGit(workdir, ['add', '-A']);
  if (!add.ok) throw new TownError('internal', `git add failed in ${workdir}: ${add.stderr.trim()}`);
  const c = await runGit(workdir, ['commit', '--quiet', '--no-verify', '-m', message], { env: identityEnv(who) });
  if (!c.ok) {
    if (/nothing to commit/i.test(c.stdout + c.stderr)) return null;
    throw new TownError('internal', `git commit failed in ${workdir}: ${c.stderr.trim() || c.stdout.trim()}`);
  }
  const head = await runGit(workdir, ['rev-parse', 'HEAD']);
  return head.stdout.trim();
}

/** How many commits `branch` has that `base` does not. */
export async function commitsAhead(repo: string, base: string, branch: string): Promise<number> {
  const r = await runGit(repo, ['rev-list', '--count', `refs/heads/${base}..refs/heads/${branch}`]);
  return r.ok ? Number(r.stdout.trim()) || 0 : 0;
}

/** Removes a polecat's worktree (its branch stays in the bare repo for the merge queue). */
export async function removeWorktree(bare: string, workdir: string): Promise<void> {
  await runGit(bare, ['worktree', 'remove', '--force', workdir]);
  await runGit(bare, ['worktree', 'prune']);
}
