// Pushes a commit to a branch of a remote. A non-fast-forward rejection is an expected outcome
// (the remote moved) and comes back as data.

import { runGit } from './run-git.ts';

export type PushResult = { ok: true } | { ok: false; reason: 'rejected' | 'error'; message: string };

export async function pushRef(repoDir: string, remote: string, sha: string, branch: string, timeoutMs = 120_000): Promise<PushResult> {
  const r = await runGit(repoDir, ['push', '--porcelain', remote, `${sha}:refs/heads/${branch}`], { timeoutMs });
  if (r.ok) return { ok: true };
  const rejected = /\[rejected\]|non-fast-forward|fetch first/i.test(r.stdout + r.stderr);
  return { ok: false, reason: rejected ? 'rejected' : 'error', message: (r.stderr || r.stdout).trim() };
}
