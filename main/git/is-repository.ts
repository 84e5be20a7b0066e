// Whether a folder is (inside) a git repository, bare or not.

import { runGit } from './run-git.ts';

export async function isRepository(dir: string): Promise<boolean> {
  return (await runGit(dir, ['rev-parse', '--git-dir'])).ok;
}
