// Clones a repository into `dest` (run from `parentDir`): bare, or checked out on a branch.

import { runGit } from './run-git.ts';

export interface CloneOptions {
  bare?: boolean;
  branch?: string;
  timeoutMs?: number;
}

export type CloneResult = { ok: true } | { ok: false; message: string };

export async function cloneRepository(parentDir: string, source: string, dest: string, opts: CloneOptions = {}): Promise<CloneResult> {
  const args = ['clone', '--quiet', ...(opts.bare ? ['--bare'] : []), ...(opts.branch ? ['--branch', opts.branch] : []), '--', source, dest];
  const r = await runGit(parentDir, args, { timeoutMs: opts.timeoutMs });
  return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
}
