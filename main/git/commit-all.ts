// Commits everything in a worktree (`add -A`, then commit without hooks) as the given identity.
// Returns the new commit, or null when there was nothing to commit.

import { runGit } from './run-git.ts';
import { resolveCommit } from './resolve-commit.ts';

export type CommitAllResult = { ok: true; sha: string | null } | { ok: false; message: string };

export async function commitAll(workDir: string, message: string, env: Record<string, string>): Promise<CommitAllResult> {
  const add = await runGit(workDir, ['add', '-A']);
  if (!add.ok) return { ok: false, message: `git add failed: ${add.stderr.trim()}` };
  const c = await runGit(workDir, ['commit', '--quiet', '--no-verify', '-m', message], { env });
  if (!c.ok) {
    if (/nothing to commit/i.test(c.stdout + c.stderr)) return { ok: true, sha: null };
    return { ok: false, message: `git commit failed: ${c.stderr.trim() || c.stdout.trim()}` };
  }
  return { ok: true, sha: await resolveCommit(workDir, 'HEAD') };
}
