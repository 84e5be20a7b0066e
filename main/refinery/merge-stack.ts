// Builds a batch's merge stack in the object database: for each request in order,
// `git merge-tree` onto the previous tip, then a merge commit (first parent = the tip, second =
// the request's head, so the request keeps its own commits). Nothing is checked out, nothing is
// half-merged, and a conflict is known before anything is written.
//
// A request that conflicts with the stack is checked against the target alone: if the target
// merges cleanly, the conflict is with an earlier request of this batch (which may yet be
// rejected), so it is deferred to the next batch instead of being blamed.

import { commitTree, type GitIdentity } from '../git/commit-tree.ts';
import { mergeTree } from '../git/merge-tree.ts';
import type { StackBuild } from './batch-resolver.ts';

export interface StackItem {
  id: string;
  title: string;
  branch: string;
  head: string;
}

export async function buildMergeStack(repoDir: string, target: string, onto: string, items: StackItem[], who: GitIdentity): Promise<StackBuild<StackItem>> {
  const b: StackBuild<StackItem> = { items: [], tips: [], deferred: [], conflicts: [], broken: [] };
  let tip = onto;
  for (const item of items) {
    const m = await mergeTree(repoDir, tip, item.head);
    if (m.kind === 'error') {
      b.broken.push({ item, message: m.message });
      continue;
    }
    if (m.kind === 'conflict') {
      if (tip === target) {
        b.conflicts.push({ item, files: m.files });
        continue;
      }
      const alone = await mergeTree(repoDir, target, item.head);
      if (alone.kind === 'conflict') b.conflicts.push({ item, files: alone.files });
      else if (alone.kind === 'error') b.broken.push({ item, message: alone.message });
      else b.deferred.push(item);
      continue;
    }
    const message = `Merge ${item.branch} (${item.id})\n\n${item.title}\n\nMerge-Request: ${item.id}\n`;
    tip = await commitTree(repoDir, m.tree, [tip, item.head], message, who);
    b.items.push(item);
    b.tips.push(tip);
  }
  return b;
}
