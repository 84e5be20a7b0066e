// Freezing and thawing agents' process trees: SIGSTOP / SIGCONT to every process of the tree (the
// PTY host's definition of a tree: descendants plus everything in the terminal's session). Unix
// only; on Windows there is no equivalent we can apply safely, and callers say so.
import { collectTree } from '../../pty-host/process-tree.ts';

export const canFreeze = (): boolean => process.platform !== 'win32';

function signalTree(root: number, signal: 'SIGSTOP' | 'SIGCONT'): number[] {
  const done = new Set<number>();
  // Until a pass finds nothing new: a process forked while a pass ran (also by a child the pass
  // before had not reached yet) is caught by the next. Capped: a fork bomb cannot hold us here.
  for (let pass = 0; pass < 10; pass++) {
    let fresh = 0;
    for (const pid of collectTree(root)) {
      if (done.has(pid)) continue;
      try {
        process.kill(pid, signal);
        done.add(pid);
        fresh++;
      } catch {
        // It exited meanwhile.
      }
    }
    if (pass > 0 && fresh === 0) break;
  }
  return [...done];
}

/** Stops every process of each tree; returns the pids stopped. */
export function freezeTrees(roots: number[]): number[] {
  if (!canFreeze()) return [];
  return roots.flatMap((r) => signalTree(r, 'SIGSTOP'));
}

/** Continues every process of each tree (and any pid given, e.g. one re-parented meanwhile). */
export function thawTrees(roots: number[], extra: number[] = []): number[] {
  if (!canFreeze()) return [];
  const done = new Set(roots.flatMap((r) => signalTree(r, 'SIGCONT')));
  for (const pid of extra) {
    if (done.has(pid)) continue;
    try {
      process.kill(pid, 'SIGCONT');
      done.add(pid);
    } catch {
      // Gone.
    }
  }
  return [...done];
}
