// One repository's worktree bookkeeping (`worktree add`, `remove`, `prune`) is changed by one git at a
// time. Git does not lock it: an `add` reads every registered worktree while another `add` is half way
// through writing its entry ("failed to read worktrees/<name>/commondir"), and a `prune` may drop an
// entry an `add` has not finished. A town starting 30 polecats at once lost a third of the starts to
// it (docs/performance.md, "Eleventh pass"). The lock holds within this process, keyed by the
// repository's absolute path; git run by other processes is outside it.
import { resolve } from 'node:path';
import { KeyedLock } from '../lib/keyed-lock.ts';

const locks = new KeyedLock();

/** Runs `fn` (git commands that change the worktrees of `repoDir`) after the ones before it for that repository. */
export function underWorktreeLock<T>(repoDir: string, fn: () => Promise<T>): Promise<T> {
  return locks.run(resolve(repoDir), fn);
}
