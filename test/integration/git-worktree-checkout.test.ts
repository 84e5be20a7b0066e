// worktree-checkout.ts on real git: checkoutClean puts a worktree at a commit (detached, tracked
// files as committed, untracked files gone) whatever a crash left half done in it — a conflicted
// merge, rebase or cherry-pick — in a linked worktree and in a main one; abortsFor (pure) runs only
// the aborts whose marker the git dir holds, every one when it cannot be read.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abortsFor, checkoutClean } from '../../main/git/worktree-checkout.ts';
import { linkedGitDir } from '../../main/git/worktree-info.ts';

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_EDITOR: 'true' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env });
/** git that is expected to stop on a conflict (exit non-zero). */
const gitConflict = (cwd: string, ...args: string[]) => assert.throws(() => execFileSync('git', ['-C', cwd, ...args], { env, stdio: 'pipe' }));

/** A repository whose branches `ours` and `theirs` change a.txt differently from main; returns main's commit. */
function repository(t: TestContext): { base: string; repo: string; main: string } {
  const base = mkdtempSync(join(tmpdir(), 'gt-checkout-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const repo = join(base, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'a.txt'), 'main\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'init');
  const main = git(repo, 'rev-parse', 'HEAD').trim();
  for (const branch of ['ours', 'theirs']) {
    git(repo, 'checkout', '-q', '-b', branch, 'main');
    writeFileSync(join(repo, 'a.txt'), `${branch}\n`);
    git(repo, 'commit', '-q', '-am', branch);
  }
  git(repo, 'checkout', '-q', 'main');
  return { base, repo, main };
}

/** Asserts the worktree is exactly `sha`: detached there, a.txt as committed, nothing untracked, nothing in progress. */
async function assertAt(work: string, gitDir: string, sha: string): Promise<void> {
  assert.equal(git(work, 'rev-parse', 'HEAD').trim(), sha);
  assert.equal(git(work, 'rev-parse', '--abbrev-ref', 'HEAD').trim(), 'HEAD', 'HEAD is detached');
  assert.equal(readFileSync(join(work, 'a.txt'), 'utf8'), 'main\n');
  assert.equal(git(work, 'status', '--porcelain').trim(), '', 'no change and no untracked file left');
  for (const marker of ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD', 'sequencer']) {
    assert.equal(existsSync(join(gitDir, marker)), false, `${marker} is gone`);
  }
}

test('abortsFor: only the operations whose marker is there, each once; unknown → every one', () => {
  assert.deepEqual(abortsFor(new Set(['HEAD', 'index', 'config'])), []);
  assert.deepEqual(abortsFor(new Set(['MERGE_HEAD'])), [['merge', '--abort']]);
  assert.deepEqual(abortsFor(new Set(['rebase-merge', 'rebase-apply'])), [['rebase', '--abort']]);
  assert.deepEqual(abortsFor(new Set(['CHERRY_PICK_HEAD', 'sequencer', 'MERGE_HEAD'])), [['merge', '--abort'], ['cherry-pick', '--abort']]);
  assert.deepEqual(abortsFor(null), [['merge', '--abort'], ['rebase', '--abort'], ['cherry-pick', '--abort']]);
});

test('a linked worktree left in a conflicted merge, rebase or cherry-pick is put back at the commit', async (t) => {
  const { base, repo, main } = repository(t);
  const work = join(base, 'work');
  git(repo, 'worktree', 'add', '-q', '--detach', work, 'ours');
  const gitDir = (await linkedGitDir(work))!;
  assert.ok(gitDir, 'a linked worktree');

  const cases: Array<[string, string, () => void]> = [
    ['merge', 'MERGE_HEAD', () => gitConflict(work, 'merge', 'theirs')],
    ['rebase', 'rebase-merge', () => gitConflict(work, 'rebase', 'theirs')],
    ['cherry-pick', 'CHERRY_PICK_HEAD', () => gitConflict(work, 'cherry-pick', 'theirs')],
  ];
  for (const [name, marker, interrupt] of cases) {
    git(work, 'checkout', '-q', '--force', '--detach', 'ours');
    interrupt();
    assert.ok(existsSync(join(gitDir, marker)), `the ${name} is half done (${marker})`);
    writeFileSync(join(work, 'stray.txt'), 'left by a crash\n');
    assert.deepEqual(await checkoutClean(work, main), { ok: true }, name);
    await assertAt(work, gitDir, main);
  }

  // Clean already: still put at the commit, untracked files removed.
  writeFileSync(join(work, 'stray.txt'), 'x\n');
  writeFileSync(join(work, 'a.txt'), 'edited\n');
  assert.deepEqual(await checkoutClean(work, main), { ok: true });
  await assertAt(work, gitDir, main);
});

test('a main worktree (a .git folder) in a conflicted merge is put back too; a bad commit is an error', async (t) => {
  const { repo, main } = repository(t);
  git(repo, 'checkout', '-q', 'ours');
  gitConflict(repo, 'merge', 'theirs');
  assert.ok(existsSync(join(repo, '.git', 'MERGE_HEAD')));
  assert.deepEqual(await checkoutClean(repo, main), { ok: true });
  await assertAt(repo, join(repo, '.git'), main);

  const bad = await checkoutClean(repo, '0123456789012345678901234567890123456789');
  assert.equal(bad.ok, false);
  assert.match((bad as { message: string }).message, /reference|commit|tree|unable|invalid/i);
});
