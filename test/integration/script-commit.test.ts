// script-commit.ts on real git: the script runtime commits every change of its worktree (new,
// changed, deleted and untracked files, in a repository with no commit yet too) in one commit, and
// nothing when there is no change, when only ignored files changed, or outside a worktree; a git
// failure is thrown, not taken for "nothing to commit". Its git runs are add, diff --cached and
// commit after a cheap rev-parse: no `git status` reading the whole tree once more.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitChanges } from '../../main/agents/script-runtime/script-commit.ts';

const identity = { GIT_AUTHOR_NAME: 'ace', GIT_AUTHOR_EMAIL: 'ace@t', GIT_COMMITTER_NAME: 'ace', GIT_COMMITTER_EMAIL: 'ace@t' };
Object.assign(process.env, identity);
const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
const git = (cwd: string, ...args: string[]) => execFileSync(realGit, ['-C', cwd, ...args], { encoding: 'utf8' });

// Every git run of commitChanges logged by a shim first on PATH.
const shimDir = mkdtempSync(join(tmpdir(), 'gt-scommit-shim-'));
const log = join(shimDir, 'runs.log');
writeFileSync(join(shimDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
process.env.PATH = `${shimDir}:${process.env.PATH}`;
process.on('exit', () => rmSync(shimDir, { recursive: true, force: true }));
const runs = () => {
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  rmSync(log, { force: true });
  return lines;
};

function folder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gt-scommit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('every change in one commit, untracked files and deletions too; then nothing to commit', (t) => {
  const repo = folder(t);
  git(repo, 'init', '-q', '-b', 'main');
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'made.txt'), 'made\n');
  writeFileSync(join(repo, '.gitignore'), 'build/\n');
  assert.equal(commitChanges(repo, 'gt-1: first\n\nbody'), true, 'the first commit of a repository with none');
  assert.deepEqual(runs(), ['rev-parse', 'add', 'diff', 'commit']);
  assert.equal(git(repo, 'log', '-1', '--format=%B').trim(), 'gt-1: first\n\nbody');

  writeFileSync(join(repo, 'src', 'made.txt'), 'changed\n');
  writeFileSync(join(repo, 'new.txt'), 'new\n');
  rmSync(join(repo, '.gitignore'));
  writeFileSync(join(repo, '.gitignore'), 'build/\n'); // rewritten, same content: no change
  git(repo, 'rm', '-q', '--cached', 'src/made.txt'); // staged deletion, file kept: add -A takes it back
  assert.equal(commitChanges(repo, 'gt-2: second'), true);
  assert.equal(git(repo, 'show', '--name-status', '--format=', 'HEAD').trim(), 'A\tnew.txt\nM\tsrc/made.txt');
  assert.equal(git(repo, 'status', '--porcelain'), '', 'everything committed');
  runs();

  assert.equal(commitChanges(repo, 'gt-3: nothing'), false);
  assert.deepEqual(runs(), ['rev-parse', 'add', 'diff'], 'no commit run');
  mkdirSync(join(repo, 'build'));
  writeFileSync(join(repo, 'build', 'out.bin'), 'ignored\n');
  assert.equal(commitChanges(repo, 'gt-3: only ignored'), false);
  assert.equal(git(repo, 'log', '-1', '--format=%s').trim(), 'gt-2: second');

  rmSync(join(repo, 'new.txt'));
  assert.equal(commitChanges(repo, 'gt-4: a deletion'), true);
  assert.equal(git(repo, 'show', '--name-status', '--format=', 'HEAD').trim(), 'D\tnew.txt');
});

test('outside a worktree nothing is done; a failing git is thrown', (t) => {
  const dir = folder(t);
  assert.equal(commitChanges(dir, 'x'), false, 'a plain folder');
  git(dir, 'init', '-q', '--bare', 'bare.git');
  assert.equal(commitChanges(join(dir, 'bare.git'), 'x'), false, 'a bare repository');

  const repo = join(dir, 'repo');
  git(dir, 'init', '-q', '-b', 'main', 'repo');
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  writeFileSync(join(repo, '.git', 'index.lock'), ''); // another git holds the index
  assert.throws(() => commitChanges(repo, 'x'), /index\.lock/);
  rmSync(join(repo, '.git', 'index.lock'));
  assert.equal(commitChanges(repo, 'x'), true);
});
