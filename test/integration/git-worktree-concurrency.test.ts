// Many worktrees of one bare repository created, and removed, at once (a town starting 30 polecats
// together): git does not lock its worktree bookkeeping, so an `add` reading the registered worktrees
// while another `add` writes its entry failed ("failed to read worktrees/<name>/commondir"), and a
// `prune` could drop an entry another `add` had not finished. main/git/worktree-lock.ts runs them one
// at a time per repository; every one must succeed, and each worktree must be a working checkout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addBranchWorktree, addDetachedWorktree } from '../../main/git/worktree-add.ts';
import { removeWorktree } from '../../main/git/worktree-remove.ts';

const IDENTITY = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const COUNT = 24;

test(`${COUNT} worktrees of one bare repository added at once, then removed at once: every one succeeds`, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'gt-worktrees-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const src = join(base, 'src');
  mkdirSync(src);
  const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: { ...process.env, ...IDENTITY }, encoding: 'utf8' });
  git(src, 'init', '-q', '-b', 'main');
  for (let i = 0; i < 40; i++) writeFileSync(join(src, `file-${i}.txt`), `content ${i}\n`.repeat(200));
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'init');
  const bare = join(base, 'bare.git');
  execFileSync('git', ['clone', '-q', '--bare', src, bare]);
  const sha = git(bare, 'rev-parse', 'main').trim();

  // Polecats' worktrees (a new branch each) and a few detached ones (the Refinery's), all at once.
  const dirs = Array.from({ length: COUNT }, (_, i) => join(base, 'polecats', `p${i}`));
  const results = await Promise.all(dirs.map((dir, i) => (i % 6 === 5
    ? addDetachedWorktree(bare, dir, sha)
    : addBranchWorktree(bare, dir, `polecat/p${i}`, sha))));
  const failed = results.map((r, i) => (r.ok ? null : `${dirs[i]}: ${r.message}`)).filter(Boolean);
  assert.deepEqual(failed, [], 'every worktree is created');
  for (const dir of dirs) assert.equal(readFileSync(join(dir, 'file-7.txt'), 'utf8'), 'content 7\n'.repeat(200), `${dir} is checked out`);
  const listed = git(bare, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;
  assert.equal(listed, COUNT + 1, 'git lists every worktree (and the bare repository itself)');

  // Removed at once, while new ones are added: nothing is left registered but the new ones.
  const again = Array.from({ length: 6 }, (_, i) => join(base, 'again', `q${i}`));
  const [, added] = await Promise.all([
    Promise.all(dirs.map((dir) => removeWorktree(bare, dir))),
    Promise.all(again.map((dir, i) => addBranchWorktree(bare, dir, `polecat/q${i}`, sha))),
  ]);
  assert.deepEqual(added.filter((r) => !r.ok), [], 'worktrees added while others are removed are created');
  for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} is removed`);
  const left = git(bare, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice('worktree '.length));
  assert.deepEqual(left.slice(1).sort(), [...again].sort(), 'only the new worktrees stay registered');
});
