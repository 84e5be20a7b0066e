// Sets one config value in a repository's own config.

import { runGit } from './run-git.ts';

export async function setConfig(repoDir: string, key: string, value: string): Promise<boolean> {
  return (await runGit(repoDir, ['config', key, value])).ok;
}
