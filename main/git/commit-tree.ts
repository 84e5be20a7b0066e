// Writes a commit object for a tree with the given parents, without touching any worktree or ref.

import { gitOrThrow } from './run-git.ts';

export interface GitIdentity {
  name: string;
  email: string;
}

export async function commitTree(repoDir: string, tree: string, parents: string[], message: string, who: GitIdentity): Promise<string> {
  const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message];
  const env = { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
  return (await gitOrThrow(repoDir, args, { env })).trim();
}
