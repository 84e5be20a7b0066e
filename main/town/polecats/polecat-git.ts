// The git side of a polecat's sandbox: its worktree on `polecat/<name>/<bead>`, the safety-net
// commit of leftovers at `gt done`, and what its branch carries. Every git operation is one typed
// helper of main/git/ (no raw git arguments here).
//
// Invariants:
// - Uncommitted work in a worktree is never thrown away: a worktree switched to another branch has
//   it stashed first, and the switch itself is a plain `checkout` (never forced), which carries a
//   change along or refuses, so even a wrong "known clean" (below) loses nothing.
// - `git status` reads every file of the tree (docs/work-loop.md, "Git"): it is not run again for a
//   worktree the caller has just found clean (`knownClean`: `gt done` going on to the next bead,
//   right after its own leftovers check or commit, under the agent's lock).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import { commitAll } from '../../git/commit-all.ts';
import { resolveBranch } from '../../git/resolve-commit.ts';
import { countAhead } from '../../git/rev-list.ts';
import { stashAll } from '../../git/stash-push.ts';
import { switchBranch } from '../../git/switch-branch.ts';
import { addBranchWorktree } from '../../git/worktree-add.ts';
import { linkedGitDir, linkedWorktreeBranch, worktreeInfo } from '../../git/worktree-info.ts';
import { removeWorktree as removeGitWorktree } from '../../git/worktree-remove.ts';
import { branchAndDirty, isDirty } from '../../git/worktree-status.ts';

export interface GitWho {
  name: string;
  email: string;
}

export const identityEnv = (who: GitWho): Record<string, string> => ({
  GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email,
});

export interface PreparedWorktree {
  workdir: string;
  branch: string;
  /** true when an existing worktree was switched (or kept), false when it was created. */
  reused: boolean;
}

export interface PrepareOptions {
  /** The caller has just found the worktree clean (gt done: its leftovers check found nothing, or
   *  its commit took everything) and nothing of the agent's has run in it since: its branch is read
   *  from its HEAD file and no `git status` runs. */
  knownClean?: boolean;
}

/**
 * Puts the polecat's worktree on `branch`. A worktree already on that branch is kept as it is,
 * uncommitted changes included (a restarted session continues the work). A worktree on another
 * branch is switched; whatever it held uncommitted is stashed, never thrown away.
 */
export async function prepareWorktree(bare: string, workdir: string, branch: string, base: string, opts: PrepareOptions = {}): Promise<PreparedWorktree> {
  // A polecat's worktree is a linked one: its .git file says so without running git (worktreeInfo
  // for anything else there). The branches and the worktree's state are read side by side; a
  // worktree known clean whose HEAD file can be read needs no git for its state.
  const exists = existsSync(workdir);
  const headBranch = exists && opts.knownClean ? await linkedWorktreeBranch(workdir) : undefined;
  const known = headBranch !== undefined ? { branch: headBranch, dirty: false } : null;
  const present = known !== null || (exists && ((await linkedGitDir(workdir)) !== null || (await worktreeInfo(workdir)) !== null));
  const [baseSha, branchSha, state] = await Promise.all([
    resolveBranch(bare, base), resolveBranch(bare, branch), known ? Promise.resolve(known) : present ? branchAndDirty(workdir) : Promise.resolve(null),
  ]);
  if (!baseSha) throw new TownError('not_found', `the rig has no branch ${base}`);
  const branchExists = branchSha !== null;
  if (state) {
    if (state.branch === branch) return { workdir, branch, reused: true };
    if (state.dirty) {
      const s = await stashAll(workdir, `gt: leftovers before switching to ${branch}`);
      if (!s.ok) throw new TownError('internal', `cannot stash leftovers in ${workdir}: ${s.message}`);
    }
    const co = await switchBranch(workdir, branch, branchExists ? undefined : baseSha);
    if (!co.ok) throw new TownError('internal', `cannot switch ${workdir} to ${branch}: ${co.message}`);
    return { workdir, branch, reused: true };
  }
  mkdirSync(dirname(workdir), { recursive: true });
  const add = await addBranchWorktree(bare, workdir, branch, branchExists ? undefined : baseSha);
  if (!add.ok) throw new TownError('internal', `cannot create the worktree ${workdir}: ${add.message}`);
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

export interface Leftovers {
  /** The commit of the leftovers, or null when there was nothing to commit. */
  commit: string | null;
  /** The worktree was found clean, or its commit took everything (`add -A`): prepareWorktree's knownClean. */
  clean: boolean;
}

/** `gt done`'s safety net: commits whatever the agent left uncommitted. */
export async function commitLeftovers(workdir: string, message: string, who: GitWho): Promise<Leftovers> {
  if (!(await isDirty(workdir))) return { commit: null, clean: true };
  const c = await commitAll(workdir, message, identityEnv(who));
  if (!c.ok) throw new TownError('internal', `${c.message} (in ${workdir})`);
  // Dirty, yet nothing to commit (a submodule's own changes, say): not known clean.
  return { commit: c.sha, clean: c.sha !== null };
}

/** How many commits `branch` has that `base` does not. */
export function commitsAhead(repo: string, base: string, branch: string): Promise<number> {
  return countAhead(repo, base, branch);
}

/** Removes a polecat's worktree (its branch stays in the bare repo for the merge queue). */
export function removeWorktree(bare: string, workdir: string): Promise<void> {
  return removeGitWorktree(bare, workdir);
}
