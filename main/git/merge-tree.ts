// Predicts (and performs, in the object database only) the merge of two commits with
// `git merge-tree --write-tree` (git >= 2.38). No worktree and no index are touched, so a conflict
// can never leave anything half-merged.

import { runGit } from './run-git.ts';

export type MergeTreeResult =
  | { kind: 'clean'; tree: string }
  | { kind: 'conflict'; files: string[] }
  | { kind: 'error'; message: string };

export async function mergeTree(repoDir: string, ours: string, theirs: string): Promise<MergeTreeResult> {
  const r = await runGit(repoDir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs]);
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  const tree = lines[0] ?? '';
  const looksLikeTree = /^[0-9a-f]{40,64}$/.test(tree);
  if (r.code === 0 && looksLikeTree) return { kind: 'clean', tree };
  // Exit 1 with a tree id on the first line is a conflict; exit 1 without one is an error
  // (unknown object, unrelated histories...), which git also reports with status 1.
  if (r.code === 1 && looksLikeTree) return { kind: 'conflict', files: [...new Set(lines.slice(1))] };
  return { kind: 'error', message: r.stderr.trim() || `git merge-tree exited ${r.code}` };
}
