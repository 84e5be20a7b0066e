// The git runner (native/git-runner.c, built here with the machine's C compiler) against real git:
// it answers as execFile does (output, exit codes, stderr, environment, large output), many runs at
// once each get their own answer, a timeout kills git without waiting for what git started, a
// runner killed mid-run fails that run with a reason and the next run still works, and closing the
// runner lets a run in flight finish. runGit uses the runner when it is built.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNative, GIT_RUNNER } from '../../scripts/build-native.ts';
import { builtRunner, GitRunner, type RunnerResult } from '../../main/git/git-runner.ts';
import { gitRunnerPid, runGit } from '../../main/git/run-git.ts';

const IDENTITY = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

/** A runner built into a temp folder, and a repository with a few commits. */
function setUp(t: TestContext): { base: string; repo: string; binary: string } {
  const base = mkdtempSync(join(tmpdir(), 'gt-gitrunner-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const built = buildNative({ source: GIT_RUNNER.source, out: join(base, 'git-runner'), force: true });
  assert.ok(built.ok, `this test needs a C compiler to build the git runner: ${built.ok ? '' : built.reason}`);
  const repo = join(base, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { env: { ...process.env, ...IDENTITY } });
  git('init', '-q', '-b', 'main');
  for (let i = 0; i < 3; i++) {
    writeFileSync(join(repo, `f${i}.txt`), `${'line of text\n'.repeat(20_000)}${i}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', `commit ${i}`);
  }
  return { base, repo, binary: built.path };
}

function viaExecFile(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(argv[0], argv.slice(1), { env, maxBuffer: 64 << 20, encoding: 'utf8' }, (e, stdout, stderr) => {
    const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : null) : 0;
    resolve({ code, stdout, stderr });
  }));
}

const text = (r: RunnerResult | null) => ({ code: r?.code ?? null, stdout: r?.stdout.toString() ?? '', stderr: r?.stderr.toString() ?? '' });

test('the runner answers as execFile does: output, failures, missing folders, large output, environment', async (t) => {
  const { repo, binary } = setUp(t);
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  const runner = new GitRunner(binary, env);
  t.after(() => runner.close());
  const cases = [
    ['git', '-C', repo, 'log', '--format=%H %s'],
    ['git', '-C', repo, 'rev-parse', '--verify', 'refs/heads/nothing'],
    ['git', '-C', join(repo, 'missing'), 'status'],
    ['git', '-C', repo, 'log', '-p'], // ~0.8 MB: many reads of the pipe
    ['git', '-C', repo, 'no-such-command'],
  ];
  for (const argv of cases) {
    const expected = await viaExecFile(argv, env);
    assert.deepEqual(text(await runner.run(argv, env, 0)), expected, argv.join(' '));
  }
  assert.ok((await viaExecFile(cases[3], env)).stdout.length > 500_000, 'the large case is large');
  const withIdentity = { ...env, GIT_AUTHOR_NAME: 'Someone Else' };
  const { LC_ALL: _dropped, ...withoutLocale } = env;
  for (const e of [withIdentity, withoutLocale]) {
    const argv = ['git', '-C', repo, 'var', 'GIT_AUTHOR_IDENT'];
    const expected = await viaExecFile(argv, e);
    assert.deepEqual(text(await runner.run(argv, e, 0)), expected, 'a changed or removed variable reaches git');
  }
  // runWithExtra: the runner's own environment plus the run's extra variables (runGit's path).
  const ident = ['git', '-C', repo, 'var', 'GIT_AUTHOR_IDENT'];
  assert.deepEqual(text(await runner.runWithExtra(ident, { GIT_AUTHOR_NAME: 'Someone Else' }, 0)), await viaExecFile(ident, withIdentity), 'an extra variable reaches git');
  assert.deepEqual(text(await runner.runWithExtra(ident, undefined, 0)), await viaExecFile(ident, env), 'no extra: the runner\'s own environment');
  const notThere = await runner.run(['no-such-program-gt'], env, 0);
  assert.deepEqual([notThere?.code, notThere?.spawnError], [null, 'ENOENT']);
  // The program is looked up on the run's own PATH, as execFile does: a git shim put first later.
  const shims = join(repo, '..', 'shims');
  mkdirSync(shims);
  writeFileSync(join(shims, 'git'), '#!/bin/sh\necho "shim $*"\n', { mode: 0o755 });
  const shimmed = { ...env, PATH: `${shims}:${env.PATH}` };
  assert.equal((await runner.run(['git', 'version'], shimmed, 0))?.stdout.toString(), 'shim version\n');
});

test('many runs at once each get their own answer', async (t) => {
  const { repo, binary } = setUp(t);
  const runner = new GitRunner(binary, process.env);
  t.after(() => runner.close());
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => runner.run(['git', '-C', repo, 'log', '-1', `--format=${i} %s`, `HEAD~${i % 3}`], process.env, 0)));
  results.forEach((r, i) => assert.equal(r?.stdout.toString(), `${i} commit ${2 - (i % 3)}\n`));
});

test('a timeout kills git and answers without waiting for what git started', async (t) => {
  const { base, repo, binary } = setUp(t);
  const runner = new GitRunner(binary, process.env);
  t.after(() => runner.close());
  // The alias's shell starts a sleep that keeps git's output pipes open for 30 s after git (and the
  // shell, which git kills with itself) are gone, and notes its pid.
  const pidFile = join(base, 'sleep.pid');
  const r = await runner.run(['git', '-C', repo, '-c', `alias.slow=!sleep 30 & echo $! > ${pidFile}; wait`, 'slow'], process.env, 2000);
  assert.deepEqual([r?.code, r?.signal, r?.timedOut], [null, 'SIGTERM', true]);
  const sleeper = Number(readFileSync(pidFile, 'utf8'));
  assert.doesNotThrow(() => process.kill(sleeper, 0), 'answered while what git started still holds its pipes');
  process.kill(sleeper, 'SIGKILL');
});

test('a runner killed mid-run fails that run with the reason; the next run works', async (t) => {
  const { repo, binary } = setUp(t);
  const runner = new GitRunner(binary, process.env);
  t.after(() => runner.close());
  assert.equal((await runner.run(['git', '-C', repo, 'rev-parse', 'HEAD'], process.env, 0))?.code, 0);
  const pid = runner.pid;
  assert.ok(pid);
  const inFlight = runner.run(['git', '-C', repo, '-c', 'alias.slow=!sleep 5', 'slow'], process.env, 0);
  process.kill(pid, 'SIGKILL');
  const failed = await inFlight;
  assert.equal(failed?.code, null);
  assert.match(failed?.stderr.toString() ?? '', /the git runner killed by SIGKILL while git slow ran; its outcome is unknown/);
  // Restarting waits for the policy's delay: meanwhile run() says "not available" and the caller
  // runs git itself (runGit does); then a new runner answers.
  assert.equal(runner.run(['git', '-C', repo, 'rev-parse', 'HEAD'], process.env, 0), null);
  let again: RunnerResult | null = null;
  for (let i = 0; i < 100 && !again; i++) {
    again = await (runner.run(['git', '-C', repo, 'rev-parse', 'HEAD'], process.env, 0) ?? new Promise<null>((r) => setTimeout(() => r(null), 100)));
  }
  assert.equal(again?.code, 0, 'a new runner answers after the restart delay');
  assert.notEqual(runner.pid, pid);
});

test('closing the runner lets a run in flight finish and takes no more; a stale or missing binary is not used', async (t) => {
  const { base, repo, binary } = setUp(t);
  const runner = new GitRunner(binary, process.env);
  const inFlight = runner.run(['git', '-C', repo, '-c', 'alias.pause=!sleep 0.3; echo finished', 'pause'], process.env, 0);
  runner.close();
  assert.equal(runner.run(['git', '-C', repo, 'rev-parse', 'HEAD'], process.env, 0), null, 'a closed runner takes no more runs: the caller runs git');
  assert.equal((await inFlight)?.stdout.toString(), 'finished\n');

  const source = join(base, 'git-runner.c');
  writeFileSync(source, '/* newer than the binary */\n');
  utimesSync(source, new Date(), new Date(Date.now() + 60_000));
  assert.equal(builtRunner(binary, source), null, 'older than its source');
  assert.equal(builtRunner(join(base, 'absent'), source), null, 'not built');
  assert.equal(builtRunner(binary, join(base, 'no-source.c')), binary, 'a packaged app without sources');
});

test('runGit goes through the runner when it is built', async (t) => {
  assert.ok(builtRunner(), 'native/build/git-runner is not built or older than its source: npm test builds it (npx tsx scripts/build-native.ts)');
  const { repo } = setUp(t);
  const r = await runGit(repo, ['log', '-1', '--format=%s']);
  assert.deepEqual([r.ok, r.stdout], [true, 'commit 2\n']);
  assert.ok(gitRunnerPid(), 'the runner is running');
  const timedOut = await runGit(repo, ['-c', 'alias.slow=!sleep 30', 'slow'], { timeoutMs: 200 });
  assert.deepEqual([timedOut.ok, timedOut.code], [false, null]);
  assert.match(timedOut.stderr, /git slow timed out after 200 ms/);
});
