// Puts a worktree exactly at a commit: detached HEAD, tracked files as committed, untracked files
// removed. Ignored files (dependency folders, build caches) are kept on purpose: gates would
// otherwise reinstall everything on every run. Whatever a previous run or a killed process left,
// the tree afterwards is the commit and nothing half-merged.
//
// Invariants:
// - A merge, rebase or cherry-pick a crash left half done is aborted before the checkout (checkout
//   would refuse). Git keeps a marker in the worktree's git dir while one runs (MERGE_HEAD,
//   rebase-merge/, rebase-apply/, CHERRY_PICK_HEAD, sequencer/): only the aborts whose marker is
//   there run, so a clean worktree costs two git processes, not five (the Refinery checks out once
//   per gate run).
// - When the git dir cannot be read, every abort runs, as when nothing was known.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from './run-git.ts';
import { linkedGitDir } from './worktree-info.ts';

export type CheckoutResult = { ok: true } | { ok: false; message: string };

/** What a half-done operation leaves in the git dir, and the command that abandons it. */
const IN_PROGRESS: ReadonlyArray<{ marker: string; abort: readonly string[] }> = [
  { marker: 'MERGE_HEAD', abort: ['merge', '--abort'] },
  { marker: 'rebase-merge', abort: ['rebase', '--abort'] },
  { marker: 'rebase-apply', abort: ['rebase', '--abort'] },
  { marker: 'CHERRY_PICK_HEAD', abort: ['cherry-pick', '--abort'] },
  { marker: 'sequencer', abort: ['cherry-pick', '--abort'] },
];

/** The aborts to run, in order and once each, given the names in the git dir (null: unknown → all). Pure. */
export function abortsFor(entries: ReadonlySet<string> | null): string[][] {
  const wanted = IN_PROGRESS.filter((x) => entries === null || entries.has(x.marker)).map((x) => x.abort.join(' '));
  return [...new Set(wanted)].map((command) => command.split(' '));
}

/** The names in the worktree's own git dir (a linked worktree's, or a main worktree's `.git`), or null. */
async function gitDirEntries(workDir: string): Promise<Set<string> | null> {
  try {
    const linked = await linkedGitDir(workDir);
    const dir = linked ?? join(workDir, '.git');
    if (!linked && !(await stat(dir)).isDirectory()) return null;
    return new Set(await readdir(dir));
  } catch {
    return null;
  }
}

export async function checkoutClean(workDir: string, sha: string): Promise<CheckoutResult> {
  for (const op of abortsFor(await gitDirEntries(workDir))) await runGit(workDir, op);
  const co = await runGit(workDir, ['checkout', '--force', '--detach', sha]);
  if (!co.ok) return { ok: false, message: co.stderr.trim() };
  const clean = await runGit(workDir, ['clean', '-ffd', '-q']);
  if (!clean.ok) return { ok: false, message: clean.stderr.trim() };
  return { ok: true };
}
