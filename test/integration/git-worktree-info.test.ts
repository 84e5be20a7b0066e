// worktree-info.ts on real git: worktreeInfo names a linked worktree's git dir and its repository;
// linkedGitDir reads the same git dir from the worktree's .git file without running git, and says
// null once the worktree is gone, replaced by a plain folder, or its git dir removed; branchAndDirty
// reads a worktree's branch and whether it holds changes in one git run.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkedGitDir, repositoryCommonDir, worktreeInfo } from '../../main/git/worktree-info.ts';
import { branchAndDirty } from '../../main/git/worktree-status.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], {
  encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
});

/** A repository with one commit on main, in a temp folder removed after the test. */
function repository(t: TestContext, prefix: string): { base: string; repo: string } {
  const base = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const repo = join(base, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'init');
  return { base, repo };
}

test('a linked worktree: worktreeInfo and linkedGitDir agree; a replaced folder or a removed git dir is null', async (t) => {
  const { base, repo } = repository(t, 'gt-wtinfo-');
  const work = join(base, 'work');
  git(repo, 'worktree', 'add', '-q', '--detach', work);

  const info = await worktreeInfo(work);
  assert.ok(info);
  assert.equal(info.commonDir, await repositoryCommonDir(repo));
  assert.equal(await linkedGitDir(work), realpathSync(info.gitDir), 'the .git file names the git dir git reports');
  assert.equal(await linkedGitDir(repo), null, 'a main worktree has a .git folder, not a file');
  assert.equal(await linkedGitDir(join(base, 'nowhere')), null);

  // The worktree's git dir removed (git worktree prune after a crash): the file names nothing.
  rmSync(info.gitDir, { recursive: true, force: true });
  assert.equal(await linkedGitDir(work), null);

  // A plain folder in its place: no .git file.
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  assert.equal(await linkedGitDir(work), null);
  assert.equal(await worktreeInfo(work), null);
});

test('branchAndDirty: the branch and uncommitted changes from one git run; detached is no branch', async (t) => {
  const { base, repo } = repository(t, 'gt-wtstate-');
  assert.deepEqual(await branchAndDirty(repo), { branch: 'main', dirty: false });
  writeFileSync(join(repo, 'new.txt'), 'untracked\n');
  assert.deepEqual(await branchAndDirty(repo), { branch: 'main', dirty: true }, 'an untracked file');
  rmSync(join(repo, 'new.txt'));
  writeFileSync(join(repo, 'a.txt'), 'changed\n');
  assert.deepEqual(await branchAndDirty(repo), { branch: 'main', dirty: true }, 'a tracked change');
  git(repo, 'checkout', '-q', '--', 'a.txt');
  git(repo, 'checkout', '-q', '-b', 'polecat/a/gt-1');
  assert.deepEqual(await branchAndDirty(repo), { branch: 'polecat/a/gt-1', dirty: false });
  git(repo, 'checkout', '-q', '--detach');
  assert.deepEqual(await branchAndDirty(repo), { branch: null, dirty: false });
  assert.equal(await branchAndDirty(join(base, 'nowhere')), null);
});
