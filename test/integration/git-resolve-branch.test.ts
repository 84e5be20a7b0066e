// resolveBranch reads a local branch's head from the repository's ref files (main/git/resolve-commit.ts)
// and must answer exactly what `git rev-parse` answers, against real git: loose refs and packed ones,
// a loose ref that overrides its packed line after an update, deleted branches, names that are a
// prefix of another's or nested, a tag of the same name, a bare repository and a main worktree;
// and where the files cannot say (a linked worktree, a name git refuses), git is asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBranchFromFiles, resolveBranch } from '../../main/git/resolve-commit.ts';

const IDENTITY = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

test("a branch's head from the ref files equals git's, loose or packed, in a bare repository and a worktree", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gt-resolve-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const work = join(root, 'work');
  const bare = join(root, 'bare.git');
  const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: { ...process.env, ...IDENTITY }, encoding: 'utf8' }).trim();
  const gitOr = (dir: string, ref: string): string | null => {
    try {
      return git(dir, 'rev-parse', '--verify', '--quiet', `refs/heads/${ref}^{commit}`);
    } catch {
      return null;
    }
  };
  let n = 0;
  const commit = () => {
    writeFileSync(join(work, `f${n}`), `${n++}\n`);
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', `c${n}`);
  };
  execFileSync('git', ['init', '-q', '-b', 'main', work]);
  commit();
  for (const b of ['polecat/a', 'polecat/ab', 'polecat/nested/deep/x', 'same']) {
    git(work, 'checkout', '-q', '-b', b);
    commit();
  }
  git(work, 'checkout', '-q', 'main');
  git(work, 'tag', 'same', 'main'); // a tag named like a branch must not shadow it
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  // A bare clone has every branch, in packed-refs.

  const names = ['main', 'polecat/a', 'polecat/ab', 'polecat/nested/deep/x', 'polecat', 'polecat/nested', 'polecat/a/b', 'same', 'missing'];
  const compare = async (dir: string, when: string) => {
    for (const b of names) {
      const fromFiles = readBranchFromFiles(dir, b);
      assert.notEqual(fromFiles, undefined, `${when}: ${b} is read from the files`);
      assert.equal(fromFiles, gitOr(dir, b), `${when}: ${b}`);
      assert.equal(await resolveBranch(dir, b), gitOr(dir, b), `${when}: resolveBranch ${b}`);
    }
  };
  await compare(work, 'worktree, loose refs');
  await compare(bare, 'bare clone (packed refs)');
  git(work, 'pack-refs', '--all');
  await compare(work, 'worktree, packed');
  // An update after packing writes a loose ref that overrides the packed line.
  git(work, 'checkout', '-q', 'polecat/ab');
  commit();
  git(work, 'checkout', '-q', 'main');
  assert.notEqual(gitOr(work, 'polecat/ab'), null);
  await compare(work, 'worktree, one loose over packed');
  git(work, 'branch', '-q', '-D', 'polecat/a', 'polecat/nested/deep/x');
  git(bare, 'branch', '-q', '-D', 'polecat/ab');
  await compare(work, 'worktree, after deletes');
  await compare(bare, 'bare, after a delete');
  assert.equal(readBranchFromFiles(work, 'polecat/a'), null, 'a deleted branch is gone from the packed refs too');

  // Where the files cannot say, git is asked, and answers the same.
  const linked = join(root, 'linked');
  git(work, 'worktree', 'add', '-q', '-b', 'side', linked);
  assert.equal(readBranchFromFiles(linked, 'side'), undefined, 'a linked worktree (.git file) is left to git');
  assert.equal(await resolveBranch(linked, 'side'), gitOr(work, 'side'));
  for (const bad of ['-x', '../x', 'a..b', 'x.lock', 'a b', '']) assert.equal(readBranchFromFiles(work, bad), undefined, `${JSON.stringify(bad)} is left to git`);
  assert.equal(await resolveBranch(work, '-x'), null);
});
