// Local branch names of a repository, optionally only those under a prefix (e.g. `polecat/nux/`).

import { runGit } from './run-git.ts';

export async function listBranches(repoDir: string, prefix = ''): Promise<string[]> {
  const r = await runGit(repoDir, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}`]);
  return r.ok ? r.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
}
