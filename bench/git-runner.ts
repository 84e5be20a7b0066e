// Benchmark: what a git run costs the town's process when it forks git itself (execFile, the
// baseline) against asking the git runner (native/git-runner.c) to start it, from a process holding
// BALLAST_MB of live memory (a busy town's node is ~150–250 MB: a fork copies its page tables).
// Same process, same git command (`rev-parse --verify` of a branch, the town's most frequent run),
// alternated in rounds. Prints per run: this process's CPU (user + system), the runner's CPU, wall
// time; and the ratios. Then, through the runner both times: a run handed the whole environment built
// from process.env (runGit before) against one handed only its extra variables (runWithExtra).
//   npx tsx bench/git-runner.ts            (RUNS=300 per case and round, 3 rounds, BALLAST_MB=200)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRunner } from '../main/git/git-runner.ts';
import { holdBallast, measureRunnerCost, requireRunnerBinary } from './runner-cost.ts';

const RUNS = Number(process.env.RUNS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BALLAST_MB = Number(process.env.BALLAST_MB ?? 200);

const binary = requireRunnerBinary('bench/git-runner');
const ballast = holdBallast(BALLAST_MB);

const repo = mkdtempSync(join(tmpdir(), 'gt-bench-gitrunner-'));
const git = (args: string[]) => new Promise<void>((resolve, reject) => execFile('git', ['-C', repo, ...args], (e) => (e ? reject(e) : resolve())));
await git(['init', '-q', '-b', 'main']);
await git(['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '--allow-empty', '-m', 'one']);
const args = ['git', '-C', repo, 'rev-parse', '--verify', '--quiet', 'refs/heads/main^{commit}'];
const env = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
const runner = new GitRunner(binary, env);

const viaExecFile = () => new Promise<void>((resolve, reject) => execFile(args[0], args.slice(1), { env, encoding: 'utf8' }, (e, out) => (e || !out ? reject(e ?? new Error('no output')) : resolve())));
const viaRunner = async () => {
  const r = await runner.run(args, env, 0);
  if (!r || r.code !== 0 || !r.stdout.length) throw new Error(`runner: ${r?.stderr.toString() ?? 'not available'}`);
};

await viaRunner(); // the runner started, outside the measurement
await measureRunnerCost(runner, { name: 'execFile (baseline)', run: viaExecFile }, { name: 'git runner', run: viaRunner }, { rounds: ROUNDS, runs: RUNS, what: 'run' });

// What runGit hands the runner per run: the whole environment built from process.env (before), or only
// the run's extra variables over the runner's own (runWithExtra, what runGit does now).
const wholeEnvironment = async () => {
  const r = await runner.run(args, { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' }, 0);
  if (!r || r.code !== 0) throw new Error('runner: whole environment');
};
const extraOnly = async () => {
  const r = await runner.runWithExtra(args, undefined, 0);
  if (!r || r.code !== 0) throw new Error('runner: extra only');
};
console.log('');
await measureRunnerCost(runner, { name: 'runner, whole environment per run (baseline)', run: wholeEnvironment }, { name: 'runner, extra variables only', run: extraOnly }, { rounds: ROUNDS, runs: RUNS, what: 'run', about: `${Object.keys(process.env).length} environment variables` });
runner.close();
rmSync(repo, { recursive: true, force: true });
ballast.length = 0;
