// Whether `ancestor` is reachable from `descendant` (a commit counts as its own ancestor).
// The Refinery's restart safety rests on this: a request whose head is already in the target
// has landed, whatever the store says.

import { runGit } from './run-git.ts';

export async function isAncestor(repoDir: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await runGit(repoDir, ['merge-base', '--is-ancestor', ancestor, descendant]);
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw new Error(`git merge-base --is-ancestor failed: ${r.stderr.trim()}`);
}
