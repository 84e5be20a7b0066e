// Facts about an existing directory as a git worktree: its private git dir and the repository
// (common dir) it belongs to, or null when it is not a worktree at all.

import { readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runGit } from './run-git.ts';

export interface WorktreeInfo {
  gitDir: string;
  commonDir: string;
}

export async function worktreeInfo(workDir: string): Promise<WorktreeInfo | null> {
  const r = await runGit(workDir, ['rev-parse', '--absolute-git-dir', '--git-common-dir', '--show-toplevel']);
  if (!r.ok) return null;
  const [gitDir, common, top] = r.stdout.split('\n');
  if (!gitDir || !common || !top) return null;
  // A directory nested inside some other repository is not a worktree of its own.
  if ((await realpath(top)) !== (await realpath(workDir))) return null;
  return { gitDir, commonDir: await realpath(resolve(workDir, common)) };
}

/** The git dir (the common dir) of a bare or normal repository, resolved. */
export async function repositoryCommonDir(repoDir: string): Promise<string | null> {
  const r = await runGit(repoDir, ['rev-parse', '--git-common-dir']);
  if (!r.ok) return null;
  return realpath(resolve(repoDir, r.stdout.trim()));
}

/**
 * The git dir a linked worktree's `.git` file names, resolved, read without running git; null when
 * `workDir` has no such file or the dir it names is gone. A cheap "is this still the worktree I
 * checked" (compare with the resolved gitDir of an earlier worktreeInfo), not a check of its own.
 */
export async function linkedGitDir(workDir: string): Promise<string | null> {
  try {
    const named = /^gitdir: (.+)$/m.exec(await readFile(join(workDir, '.git'), 'utf8'))?.[1]?.trim();
    if (!named) return null;
    const dir = await realpath(resolve(workDir, named));
    await stat(join(dir, 'HEAD'));
    return dir;
  } catch {
    return null;
  }
}
