// worktree-info.ts on real git: worktreeInfo names a linked worktree's git dir and its repository;
// linkedGitDir reads the same git dir from the worktree's .git file without running git, and says
// null once the worktree is gone, replaced by a plain folder, or its git dir removed; branchAndDirty
// reads a worktree's branch and whether it holds changes in one git run; linkedWorktreeBranch reads
// the branch from a linked worktree's HEAD file, as git names it, and says undefined when it cannot.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkedGitDir, linkedWorktreeBranch, repositoryCommonDir, worktreeInfo } from '../../main/git/worktree-info.ts';
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

test('linkedWorktreeBranch: the branch git names, null when detached, undefined when the files cannot tell', async (t) => {
  const { base, repo } = repository(t, 'gt-wthead-');
  const work = join(base, 'work');
  git(repo, 'worktree', 'add', '-q', '-b', 'polecat/nux/gt-12', work);
  const asGit = () => git(work, 'symbolic-ref', '--quiet', '--short', 'HEAD').trim();
  assert.equal(await linkedWorktreeBranch(work), 'polecat/nux/gt-12');
  assert.equal(await linkedWorktreeBranch(work), asGit());
  git(work, 'checkout', '-q', '-b', 'polecat/nux/gt-13');
  assert.equal(await linkedWorktreeBranch(work), 'polecat/nux/gt-13', 'a switch is seen at once');
  git(work, 'checkout', '-q', '--detach');
  assert.equal(await linkedWorktreeBranch(work), null, 'detached');

  // A HEAD that is neither a branch nor a commit id (a symbolic ref elsewhere): git is asked instead.
  const gitDir = (await linkedGitDir(work))!;
  writeFileSync(join(gitDir, 'HEAD'), 'ref: refs/remotes/origin/main\n');
  assert.equal(await linkedWorktreeBranch(work), undefined);

  assert.equal(await linkedWorktreeBranch(repo), undefined, 'a main worktree (a .git folder) is not read');
  assert.equal(await linkedWorktreeBranch(join(base, 'nowhere')), undefined);
  rmSync(gitDir, { recursive: true, force: true });
  assert.equal(await linkedWorktreeBranch(work), undefined, 'its git dir gone');
});
