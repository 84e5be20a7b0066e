// Resolves a ref (branch, tag, sha) to a commit id, or null when it does not exist: a missing
// branch is an expected state for a merge queue, not an exception.

import { runGit } from './run-git.ts';

export async function resolveCommit(repoDir: string, ref: string): Promise<string | null> {
  if (ref.startsWith('-')) return null; // never let a branch name become an option
  const r = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  const sha = r.stdout.trim();
  return r.ok && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/** Resolves a local branch by its full ref name so a same-named tag cannot shadow it. */
export function resolveBranch(repoDir: string, branch: string): Promise<string | null> {
  return resolveCommit(repoDir, `refs/heads/${branch}`);
}
