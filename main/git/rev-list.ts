// Commits in a range, oldest first.

import { gitOrThrow, runGit } from './run-git.ts';

export async function listCommits(repoDir: string, range: string, opts: { firstParent?: boolean } = {}): Promise<string[]> {
  const args = ['rev-list', '--reverse', ...(opts.firstParent ? ['--first-parent'] : []), range, '--'];
  return (await gitOrThrow(repoDir, args)).split('\n').filter(Boolean);
}

/** The parents of one commit, first parent first. */
export async function commitParents(repoDir: string, sha: string): Promise<string[]> {
  const out = await gitOrThrow(repoDir, ['rev-list', '--parents', '-n', '1', sha, '--']);
  return out.trim().split(/\s+/).slice(1);
}

/** How many commits `branch` has that `base` does not (0 when either is missing). */
export async function countAhead(repoDir: string, base: string, branch: string): Promise<number> {
  const r = await runGit(repoDir, ['rev-list', '--count', `refs/heads/${base}..refs/heads/${branch}`, '--']);
  return r.ok ? Number(r.stdout.trim()) || 0 : 0;
}
