// The script runtime's own commit of its work, as an agent commits in its worktree: everything
// (`git add -A`) in one commit, or nothing when there is no change. It is the agent's git, not the
// town's (this process loads no town code: it runs git itself, like an agent CLI would).
//
// Invariants:
// - It commits exactly when `git add -A` staged something (`git diff --cached --quiet` says so);
//   a folder that is no git worktree is left alone, as before.
// - Every file of the worktree is read twice (`add -A`, then `commit`'s own refresh), not three
//   times: the `git status --porcelain` that used to come first read them all once more, and its
//   cost grows with the rig's files (docs/work-loop.md, "Git").
import { execFileSync } from 'node:child_process';

/** Commits every change of the worktree with `message`; true when a commit was made, false when
 *  there was nothing to commit or `worktree` is not in a git worktree. Throws when git fails. */
export function commitChanges(worktree: string, message: string): boolean {
  const git = (args: string[]) => execFileSync('git', args, { cwd: worktree, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    if (git(['rev-parse', '--is-inside-work-tree']).trim() !== 'true') return false;
  } catch {
    return false; // not a git worktree: nothing to commit
  }
  git(['add', '-A']);
  try {
    git(['diff', '--cached', '--quiet', '--no-ext-diff']);
    return false; // exit 0: nothing staged
  } catch (e) {
    if ((e as { status?: number }).status !== 1) throw e; // 1: something staged; anything else is a failure
  }
  git(['commit', '-q', '-m', message]);
  return true;
}
