// Switches a worktree to a branch; with `createAt`, creates the branch at that commit first.

import { runGit } from './run-git.ts';

export type SwitchResult = { ok: true } | { ok: false; message: string };

export async function switchBranch(workDir: string, branch: string, createAt?: string): Promise<SwitchResult> {
  const args = createAt ? ['checkout', '--quiet', '-b', branch, createAt] : ['checkout', '--quiet', branch];
  const r = await runGit(workDir, args);
  return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
}
