// polecat-git.ts on real git, with every git run of the town logged by a git shim put first on PATH:
// gt done's leftovers step commits what the agent left (untracked files too) and says whether the
// worktree is then clean; prepareWorktree stashes a dirty worktree's work before it switches; with
// knownClean (gt done going on to the next bead) it switches with no `git status` at all, and a
// wrong "clean" still loses nothing (the switch carries the change along or refuses). A rig made by
// createRigRepos keeps git's untracked cache (core.untrackedCache), and status still sees every
// untracked file come and go.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitLeftovers, prepareWorktree } from '../../main/town/polecats/polecat-git.ts';
import { createRigRepos } from '../../main/town/rigs/rig-git.ts';
import { rigPaths } from '../../main/town/rigs/rig-paths.ts';

const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
const git = (cwd: string, ...args: string[]) => execFileSync(realGit, ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, ...identity } });
const who = { name: 'rig/polecats/nux', email: 'nux@rig.gastown.local' };

// The shim: every git the town runs (runner or execFile: both look git up on the run's PATH) is
// logged, one line of arguments per run, then the real git runs.
const shimDir = mkdtempSync(join(tmpdir(), 'gt-pcgit-shim-'));
const log = join(shimDir, 'runs.log');
writeFileSync(join(shimDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
process.env.PATH = `${shimDir}:${process.env.PATH}`;
process.on('exit', () => rmSync(shimDir, { recursive: true, force: true }));

/** The git subcommands the town ran since the last call (after `-C dir`). */
function townRuns(): string[] {
  const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  rmSync(log, { force: true });
  return lines.map((l) => l.replace(/^-C \S+ /, '').split(' ')[0]);
}

/** A rig as the town makes it (createRigRepos) from a source with a.txt on main. */
async function rig(t: TestContext): Promise<{ bare: string; workdir: string }> {
  const base = mkdtempSync(join(tmpdir(), 'gt-pcgit-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const source = join(base, 'src');
  mkdirSync(source);
  git(source, 'init', '-q', '-b', 'main');
  writeFileSync(join(source, 'a.txt'), 'a\n');
  git(source, 'add', '-A');
  git(source, 'commit', '-q', '-m', 'init');
  const paths = rigPaths(join(base, 'town'), 'rig');
  assert.equal(await createRigRepos(source, paths, 'main'), 'main');
  return { bare: paths.bare, workdir: join(paths.polecats, 'nux') };
}

const status = (workdir: string) => git(workdir, 'status', '--porcelain');
const branchOf = (workdir: string) => git(workdir, 'symbolic-ref', '--short', 'HEAD').trim();

test('gt done then the next bead: leftovers committed, then the switch runs no git status', async (t) => {
  const { bare, workdir } = await rig(t);
  assert.deepEqual(await prepareWorktree(bare, workdir, 'polecat/nux/gt-1', 'main'), { workdir, branch: 'polecat/nux/gt-1', reused: false });

  // The agent left an untracked file and a change: both are committed, and the worktree is clean.
  writeFileSync(join(workdir, 'new.txt'), 'made by the agent\n');
  writeFileSync(join(workdir, 'a.txt'), 'changed\n');
  townRuns();
  const left = await commitLeftovers(workdir, 'gt-1: auto-save leftovers (gt done)', who);
  assert.ok(left.commit, 'a commit');
  assert.equal(left.clean, true);
  assert.equal(git(workdir, 'rev-parse', 'HEAD').trim(), left.commit);
  assert.deepEqual(git(workdir, 'show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort(), ['a.txt', 'new.txt']);
  assert.equal(status(workdir), '');
  assert.deepEqual(townRuns(), ['status', 'add', 'commit', 'rev-parse']);

  // Nothing left: no commit, clean, one status.
  assert.deepEqual(await commitLeftovers(workdir, 'again', who), { commit: null, clean: true });
  assert.deepEqual(townRuns(), ['status']);

  // The next bead, as gt done's moveOn does it: on its branch from main, with no status.
  assert.deepEqual(await prepareWorktree(bare, workdir, 'polecat/nux/gt-2', 'main', { knownClean: true }), { workdir, branch: 'polecat/nux/gt-2', reused: true });
  assert.deepEqual(townRuns(), ['checkout'], 'only the switch: the branch was read from the HEAD file');
  assert.equal(branchOf(workdir), 'polecat/nux/gt-2');
  assert.equal(git(workdir, 'rev-parse', 'HEAD').trim(), git(bare, 'rev-parse', 'main').trim(), 'from main');
  assert.equal(readFileSync(join(workdir, 'a.txt'), 'utf8'), 'a\n');
  assert.equal(existsSync(join(workdir, 'new.txt')), false, 'gt-1\'s file stays on its branch');
  assert.equal(git(bare, 'rev-parse', 'polecat/nux/gt-1').trim(), left.commit, 'gt-1\'s branch kept for the merge queue');

  // Known clean and already on the branch: kept as it is, no git at all.
  assert.deepEqual(await prepareWorktree(bare, workdir, 'polecat/nux/gt-2', 'main', { knownClean: true }), { workdir, branch: 'polecat/nux/gt-2', reused: true });
  assert.deepEqual(townRuns(), []);
});

test('without knownClean a dirty worktree is stashed before the switch; with a wrong knownClean nothing is lost', async (t) => {
  const { bare, workdir } = await rig(t);
  await prepareWorktree(bare, workdir, 'polecat/nux/gt-1', 'main');

  // The general path (a new session, a sling): status, the leftovers stashed, then the switch.
  writeFileSync(join(workdir, 'stray.txt'), 'left behind\n');
  townRuns();
  await prepareWorktree(bare, workdir, 'polecat/nux/gt-2', 'main');
  assert.deepEqual(townRuns(), ['status', 'stash', 'checkout']);
  assert.equal(branchOf(workdir), 'polecat/nux/gt-2');
  assert.equal(status(workdir), '', 'switched clean');
  assert.match(git(workdir, 'stash', 'list'), /gt: leftovers before switching to polecat\/nux\/gt-2/);
  assert.equal(git(workdir, 'show', 'stash@{0}^3:stray.txt'), 'left behind\n', 'the untracked file is kept in the stash');

  // A stale "clean" (something wrote after gt done looked): the untracked file comes along.
  writeFileSync(join(workdir, 'late.txt'), 'written late\n');
  await prepareWorktree(bare, workdir, 'polecat/nux/gt-3', 'main', { knownClean: true });
  assert.equal(branchOf(workdir), 'polecat/nux/gt-3');
  assert.equal(readFileSync(join(workdir, 'late.txt'), 'utf8'), 'written late\n', 'carried along, not lost');

  // A stale "clean" with a change the switch would overwrite: the switch refuses, the change stays.
  git(workdir, 'add', 'late.txt');
  git(workdir, 'commit', '-q', '-m', 'late');
  git(workdir, 'checkout', '-q', '-b', 'polecat/nux/gt-4', 'main');
  writeFileSync(join(workdir, 'late.txt'), 'untracked here, tracked on gt-3\n');
  await assert.rejects(prepareWorktree(bare, workdir, 'polecat/nux/gt-3', 'main', { knownClean: true }), /cannot switch/);
  assert.equal(branchOf(workdir), 'polecat/nux/gt-4');
  assert.equal(readFileSync(join(workdir, 'late.txt'), 'utf8'), 'untracked here, tracked on gt-3\n');
});

test('a rig keeps git\'s untracked cache; status still sees untracked files come and go', async (t) => {
  const { bare, workdir } = await rig(t);
  assert.equal(git(bare, 'config', '--get', 'core.untrackedCache').trim(), 'true');
  await prepareWorktree(bare, workdir, 'polecat/nux/gt-1', 'main');
  mkdirSync(join(workdir, 'src'));
  writeFileSync(join(workdir, 'src', 'one.txt'), '1\n');
  assert.equal(status(workdir), '?? src/\n');
  assert.match(git(workdir, 'status', '--porcelain', '-uall'), /\?\? src\/one\.txt/);
  rmSync(join(workdir, 'src'), { recursive: true });
  assert.equal(status(workdir), '');
  writeFileSync(join(workdir, 'two.txt'), '2\n');
  assert.equal(status(workdir), '?? two.txt\n');
  // The cache is in the worktree's index (git added it at the first status).
  const index = git(workdir, 'rev-parse', '--path-format=absolute', '--git-path', 'index').trim();
  assert.ok(readFileSync(index).includes('UNTR'), 'the index holds the untracked cache');
  assert.deepEqual(await commitLeftovers(workdir, 'leftovers', who).then((l) => [Boolean(l.commit), l.clean]), [true, true]);
  assert.equal(status(workdir), '');
});
