// Puts a worktree's uncommitted work, untracked files included, on the stash: kept, never dropped.
//
// The stash runs without git's untracked cache (on in every rig: rig-git.ts RIG_GIT_SETTINGS). With
// it, git 2.39's `stash push --include-untracked` in a just-made worktree now and then saves an
// untracked file but leaves it in the worktree too, so a switch carries it to the next branch: 2 of
// 150 fresh worktrees in a plain shell loop (worktree add, a file written, status, stash), none of 301
// with the cache off for the stash alone. Through the town's git runner the window is rarer still (a
// test of 150 fresh worktrees did not hit it); polecat-worktree-git.test.ts hit it once in CI.

import { runGit } from './run-git.ts';

export type StashResult = { ok: true } | { ok: false; message: string };

/** core.untrackedCache=false for one git run, through the environment (the arguments stay `stash …`). */
const WITHOUT_UNTRACKED_CACHE = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.untrackedCache', GIT_CONFIG_VALUE_0: 'false' };

export async function stashAll(workDir: string, message: string): Promise<StashResult> {
  const r = await runGit(workDir, ['stash', 'push', '--include-untracked', '-m', message], { env: WITHOUT_UNTRACKED_CACHE });
  return r.ok ? { ok: true } : { ok: false, message: r.stderr.trim() };
}
