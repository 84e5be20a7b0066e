// Moves a ref with compare-and-swap: it only moves if it still points at `expectedOld`, so a
// target advanced by someone else meanwhile is detected instead of overwritten.

import { runGit } from './run-git.ts';

export type UpdateRefResult = { ok: true } | { ok: false; reason: 'moved' | 'error'; message: string };

export async function updateRef(repoDir: string, ref: string, newSha: string, expectedOld: string, reason: string): Promise<UpdateRefResult> {
  const r = await runGit(repoDir, ['update-ref', '-m', reason, ref, newSha, expectedOld]);
  if (r.ok) return { ok: true };
  const moved = /is at .* but expected|cannot lock ref/i.test(r.stderr);
  return { ok: false, reason: moved ? 'moved' : 'error', message: r.stderr.trim() };
}

/** Creates a ref that must not exist yet (compare-and-swap against "absent"). */
export async function createRef(repoDir: string, ref: string, sha: string, reason: string): Promise<UpdateRefResult> {
  const r = await runGit(repoDir, ['update-ref', '-m', reason, ref, sha, '']);
  if (r.ok) return { ok: true };
  return { ok: false, reason: /exists|cannot lock ref/i.test(r.stderr) ? 'moved' : 'error', message: r.stderr.trim() };
}
