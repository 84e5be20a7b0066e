// Whether a string is a valid branch name (git's own rules, plus: no leading dash, not too long).

import { runGit } from './run-git.ts';

export async function isValidBranchName(repoDir: string, branch: string): Promise<boolean> {
  if (typeof branch !== 'string' || branch.length === 0 || branch.length > 255 || branch.startsWith('-')) return false;
  return (await runGit(repoDir, ['check-ref-format', '--branch', branch])).ok;
}
