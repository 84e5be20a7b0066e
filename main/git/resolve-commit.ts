// Resolves a ref (branch, tag, sha) to a commit id, or null when it does not exist: a missing
// branch is an expected state for a merge queue, not an exception.
//
// A local branch is read from the repository's files when it can be (the town asks for branch heads
// several times per bead: the Refinery, `gt done`, a polecat's worktree; each `git rev-parse` is a
// process, ~4.6 ms of CPU): the loose ref `refs/heads/<branch>`, else its line in `packed-refs`, as
// git itself looks them up. Git writes a loose ref by renaming a lock file over it, and packs refs by
// writing `packed-refs` before it deletes the loose ones, so a read sees an old or a new head, never
// half of one. Anything this does not handle is asked of git: a linked worktree or a `.git` file, a
// reftable repository, a symbolic ref, a name git would refuse.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runGit } from './run-git.ts';

export async function resolveCommit(repoDir: string, ref: string): Promise<string | null> {
  if (ref.startsWith('-')) return null; // never let a branch name become an option
  const r = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  const sha = r.stdout.trim();
  return r.ok && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/** Resolves a local branch by its full ref name so a same-named tag cannot shadow it. */
export async function resolveBranch(repoDir: string, branch: string): Promise<string | null> {
  const read = readBranchFromFiles(repoDir, branch);
  return read !== undefined ? read : resolveCommit(repoDir, `refs/heads/${branch}`);
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** repository folder → its git folder when its refs are plain files, else null (ask git). */
const gitDirs = new Map<string, string | null>();

/** The git folder of a bare repository or of a main worktree whose refs are files; null otherwise. */
function filesGitDir(repoDir: string): string | null {
  let dir = gitDirs.get(repoDir);
  if (dir !== undefined) return dir;
  const plain = (d: string) => existsSync(join(d, 'HEAD')) && existsSync(join(d, 'objects')) && isDirectory(join(d, 'refs')) && !existsSync(join(d, 'reftable'));
  dir = plain(repoDir) ? repoDir : isDirectory(join(repoDir, '.git')) && plain(join(repoDir, '.git')) ? join(repoDir, '.git') : null;
  gitDirs.set(repoDir, dir);
  return dir;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The branch's head from the ref files: its commit id, null when there is no such branch, or
 *  undefined when git must be asked. */
export function readBranchFromFiles(repoDir: string, branch: string): string | null | undefined {
  if (!branch || branch.startsWith('-') || branch.startsWith('/') || branch.endsWith('/') || /\.\.|\/\/|[\0\\\s~^:?*[]|@\{|\.lock(\/|$)/.test(branch)) return undefined;
  const gitDir = filesGitDir(repoDir);
  if (!gitDir) return undefined;
  const ref = `refs/heads/${branch}`;
  let loose: string | null = null;
  try {
    loose = readFileSync(join(gitDir, ref), 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a branch `a` exists where `a/b` was asked; EISDIR: `a` asked where `a/b` exists.
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') return undefined;
  }
  if (loose !== null) return SHA.test(loose) ? loose : undefined;
  let packed: string;
  try {
    packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  const suffix = ` ${ref}`;
  for (const line of packed.split('\n')) {
    if (line.endsWith(suffix) && line.length === line.indexOf(' ') + suffix.length) {
      const sha = line.slice(0, line.indexOf(' '));
      return SHA.test(sha) ? sha : undefined;
    }
  }
  return null;
}
