// Facts about an existing directory as a git worktree: its private git dir and the repository
// (common dir) it belongs to, or null when it is not a worktree at all; and, read from its files
// without running git, a linked worktree's git dir and the branch its HEAD names.

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

/**
 * The branch a linked worktree's HEAD names, read from its HEAD file without running git (as git
 * reads it): the branch's name, null when HEAD is detached (a commit id), or undefined when this
 * cannot tell (not a linked worktree, its git dir gone, a symbolic ref outside refs/heads/): ask git.
 */
export async function linkedWorktreeBranch(workDir: string): Promise<string | null | undefined> {
  const gitDir = await linkedGitDir(workDir);
  if (!gitDir) return undefined;
  let head: string;
  try {
    head = await readFile(join(gitDir, 'HEAD'), 'utf8');
  } catch {
    return undefined;
  }
  const branch = /^ref: refs\/heads\/(\S+)\n?$/.exec(head)?.[1];
  if (branch) return branch;
  return /^[0-9a-f]{40}(?:[0-9a-f]{24})?\n?$/.test(head) ? null : undefined;
}
