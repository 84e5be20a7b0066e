// Fetches one branch of a remote into a local ref and returns the fetched commit, or null when
// the remote has no such branch (an expected state: "branch gone").

import { runGit } from './run-git.ts';
import { resolveCommit } from './resolve-commit.ts';

export type FetchResult = { ok: true; sha: string } | { ok: false; reason: 'missing' | 'error'; message: string };

export async function fetchRef(repoDir: string, remote: string, branch: string, intoRef: string, timeoutMs = 120_000): Promise<FetchResult> {
  if (branch.startsWith('-') || remote.startsWith('-')) return { ok: false, reason: 'error', message: 'invalid name' };
  const r = await runGit(repoDir, ['fetch', '--no-tags', '--force', remote, `refs/heads/${branch}:${intoRef}`], { timeoutMs });
  if (!r.ok) {
    const missing = /couldn't find remote ref|no such ref/i.test(r.stderr);
    return { ok: false, reason: missing ? 'missing' : 'error', message: r.stderr.trim() };
  }
  const sha = await resolveCommit(repoDir, intoRef);
  return sha ? { ok: true, sha } : { ok: false, reason: 'error', message: `fetched ${branch} but ${intoRef} does not resolve` };
}
