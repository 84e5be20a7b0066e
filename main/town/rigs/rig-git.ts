// The git side of adding a rig: a bare repository cloned from the source (which stays its
// `origin`, where landed work is pushed) and a canonical clone of it on the target branch.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { TownError } from '../../../preload/errors.ts';
import { runGit } from '../../git/run-git.ts';
import type { RigPaths } from './rig-paths.ts';

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
  const r = await runGit(path, ['rev-parse', '--git-dir']);
  if (!r.ok) throw new TownError('invalid', `source ${path} is not a git repository`);
  return path;
}

/** The branch HEAD of a bare repository points at (its default branch). */
async function defaultBranch(bare: string): Promise<string | null> {
  const r = await runGit(bare, ['symbolic-ref', '--short', 'HEAD']);
  return r.ok ? r.stdout.trim() || null : null;
}

/** Clones the source bare, checks it has commits and the branch, and makes the canonical clone. Returns the branch. */
export async function createRigRepos(source: string, paths: RigPaths, wantBranch: string | undefined): Promise<string> {
  mkdirSync(paths.root, { recursive: true });
  const clone = await runGit(paths.root, ['clone', '--bare', '--quiet', '--', source, paths.bare], { timeoutMs: 300_000 });
  if (!clone.ok) throw new TownError('invalid', `cannot clone ${source}: ${clone.stderr.trim().split('\n').pop()}`);
  const any = await runGit(paths.bare, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  const heads = await runGit(paths.bare, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
  if (!heads.stdout.trim() && !any.ok) throw new TownError('invalid', `source ${source} has no commits: commit something first`);
  const branch = wantBranch ?? (await defaultBranch(paths.bare)) ?? 'main';
  const has = await runGit(paths.bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  if (!has.ok) {
    const list = heads.stdout.trim().split('\n').filter(Boolean).join(', ');
    throw new TownError('invalid', `source ${source} has no branch ${branch}${list ? ` (branches: ${list})` : ''}`);
  }
  // Polecat branches are made in the bare repository; a fetch must never clobber them.
  await runGit(paths.bare, ['config', 'remote.origin.fetch', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
  const canon = await runGit(paths.root, ['clone', '--quiet', '--branch', branch, '--', paths.bare, paths.canonical]);
  if (!canon.ok) throw new TownError('internal', `cannot make the canonical clone: ${canon.stderr.trim()}`);
  mkdirSync(paths.polecats, { recursive: true });
  mkdirSync(paths.crew, { recursive: true });
  return branch;
}
