// The merge queue's two git runs per pass (main/git/branch-heads.ts) against real git: every branch's
// head, and the branches already merged into a commit, for all branches or only the ones named (the
// open requests' branches: a rig keeps every merged polecat branch, and listing all of them on every
// pass grew with the rig's history). A named branch that does not exist is simply absent, and a
// branch whose name is a prefix of another's is not confused with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { branchesMergedInto, branchHeads } from '../../main/git/branch-heads.ts';

const IDENTITY = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

test('branch heads and branches merged into a commit: all of them, or only the ones named', async (t) => {
  const repo = mkdtempSync(join(tmpdir(), 'gt-heads-'));
  t.after(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { env: { ...process.env, ...IDENTITY }, encoding: 'utf8' }).trim();
  const commit = (file: string) => {
    writeFileSync(join(repo, file), `${file}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', file);
    return git('rev-parse', 'HEAD');
  };
  git('init', '-q', '-b', 'main');
  commit('base');
  // polecat/a and polecat/a/fix… cannot both exist in git; a name that is another's prefix can.
  git('checkout', '-q', '-b', 'polecat/a');
  const a = commit('a');
  git('checkout', '-q', '-b', 'polecat/ab');
  const ab = commit('ab');
  git('checkout', '-q', 'main');
  git('merge', '-q', '--ff-only', 'polecat/a');
  git('checkout', '-q', '-b', 'polecat/c');
  const c = commit('c');
  git('checkout', '-q', 'main');
  const main = git('rev-parse', 'main');

  const all = await branchHeads(repo);
  assert.deepEqual(Object.fromEntries(all), { main, 'polecat/a': a, 'polecat/ab': ab, 'polecat/c': c });
  const named = await branchHeads(repo, ['polecat/a', 'polecat/c', 'polecat/gone']);
  assert.deepEqual(Object.fromEntries(named), { 'polecat/a': a, 'polecat/c': c }, 'only the named ones; a missing one is absent');

  const merged = await branchesMergedInto(repo, main);
  assert.deepEqual(Object.fromEntries(merged), { main, 'polecat/a': a });
  assert.deepEqual(Object.fromEntries(await branchesMergedInto(repo, main, ['polecat/a', 'polecat/ab', 'polecat/c'])), { 'polecat/a': a });
  assert.deepEqual(Object.fromEntries(await branchesMergedInto(repo, ab, ['polecat/ab'])), { 'polecat/ab': ab }, 'polecat/ab is not taken for polecat/a');
  assert.deepEqual(Object.fromEntries(await branchHeads(repo, [])), {}, 'no branch named: none read');
  await assert.rejects(branchesMergedInto(repo, '--all'), /not a commit/);
});
