// The git side of adding a rig: a bare repository cloned from the source (which stays its
// `origin`, where landed work is pushed) and a canonical clone of it on the target branch.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { TownError } from '../../../preload/errors.ts';
import { cloneRepository } from '../../git/clone.ts';
import { currentBranch } from '../../git/current-branch.ts';
import { isRepository } from '../../git/is-repository.ts';
import { listBranches } from '../../git/list-branches.ts';
import { resolveBranch, resolveCommit } from '../../git/resolve-commit.ts';
import { setConfig } from '../../git/set-config.ts';
import type { RigPaths } from './rig-paths.ts';

/** The settings every rig's bare repository is made with; every worktree of the rig (polecats', the
 *  Refinery's) shares them. A rig made by an older town lacks the ones added since: `gt doctor`
 *  names them and `gt doctor --fix` sets them (doctor-checks.ts).
 *  - core.untrackedCache: git's untracked cache spares `git status` (gt done's, a polecat's
 *    preparation, the agents' own) reading the folders that did not change; it is in git's own
 *    advice for repositories of many files (feature.manyFiles). Measured: docs/work-loop.md, "Git". */
export const RIG_GIT_SETTINGS: Readonly<Record<string, string>> = { 'core.untrackedCache': 'true' };

/** A URL (scheme://… or scp-like user@host:path) rather than a folder on this machine. */
export function isGitUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[^/\s]+@[^/\s:]+:/.test(source);
}

/** Resolves a local source to an absolute path and checks it is a git repository. */
export async function resolveSource(source: string, cwd: string): Promise<string> {
  if (source.startsWith('-')) throw new TownError('invalid', `bad source ${JSON.stringify(source)}`);
  if (isGitUrl(source)) return source;
  const path = isAbsolute(source) ? source : resolve(cwd, source);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new TownError('invalid', `source ${source} is neither a folder nor a git URL`);
  if (!(await isRepository(path))) throw new TownError('invalid', `source ${path} is not a git repository`);
  return path;
}

/** Clones the source bare, checks it has commits and the branch, and makes the canonical clone. Returns the branch. */
export async function createRigRepos(source: string, paths: RigPaths, wantBranch: string | undefined): Promise<string> {
  mkdirSync(paths.root, { recursive: true });
  const clone = await cloneRepository(paths.root, source, paths.bare, { bare: true, timeoutMs: 300_000 });
  if (!clone.ok) throw new TownError('invalid', `cannot clone ${source}: ${clone.message.split('\n').pop()}`);
  const heads = await listBranches(paths.bare);
  if (!heads.length && !(await resolveCommit(paths.bare, 'HEAD'))) throw new TownError('invalid', `source ${source} has no commits: commit something first`);
  // The branch HEAD of the bare repository points at is the source's default branch.
  const branch = wantBranch ?? (await currentBranch(paths.bare)) ?? 'main';
  if (!(await resolveBranch(paths.bare, branch))) {
    const list = heads.join(', ');
    throw new TownError('invalid', `source ${source} has no branch ${branch}${list ? ` (branches: ${list})` : ''}`);
  }
  // Polecat branches are made in the bare repository; a fetch must never clobber them.
  await setConfig(paths.bare, 'remote.origin.fetch', `+refs/heads/${branch}:refs/remotes/origin/${branch}`);
  for (const [key, value] of Object.entries(RIG_GIT_SETTINGS)) await setConfig(paths.bare, key, value);
  const canon = await cloneRepository(paths.root, paths.bare, paths.canonical, { branch });
  if (!canon.ok) throw new TownError('internal', `cannot make the canonical clone: ${canon.message}`);
  mkdirSync(paths.polecats, { recursive: true });
  mkdirSync(paths.crew, { recursive: true });
  return branch;
}
