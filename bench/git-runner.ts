// Benchmark: what a git run costs the town's process when it forks git itself (execFile, the
// baseline) against asking the git runner (native/git-runner.c) to start it, from a process holding
// BALLAST_MB of live memory (a busy town's node is ~150–250 MB: a fork copies its page tables).
// Same process, same git command (`rev-parse --verify` of a branch, the town's most frequent run),
// alternated in rounds. Prints per run: this process's CPU (user + system), the runner's CPU, wall
// time; and the ratios.
//   npx tsx bench/git-runner.ts            (RUNS=300 per case and round, 3 rounds, BALLAST_MB=200)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtRunner, GitRunner } from '../main/git/git-runner.ts';
import { cpuSeconds } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BALLAST_MB = Number(process.env.BALLAST_MB ?? 200);

const binary = builtRunner();
if (!binary) {
  console.error('bench/git-runner: native/build/git-runner is not built (or older than its source): run `npx tsx scripts/build-native.ts`');
  process.exit(1);
}

// Live memory like a town's: buffers and many small objects (both are page-table entries to copy).
const ballast: unknown[] = [];
for (let i = 0; i < BALLAST_MB / 2; i++) ballast.push(Buffer.alloc(1 << 20, i));
for (let i = 0; i < BALLAST_MB * 2_500; i++) ballast.push({ i, text: `object ${i}` });

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

const ownCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const totals = { execFile: { own: 0, runner: 0, wall: 0, n: 0 }, runner: { own: 0, runner: 0, wall: 0, n: 0 } };
await viaRunner(); // the runner started, outside the measurement
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of [['execFile', viaExecFile], ['runner', viaRunner]] as const) {
    const t = totals[name];
    const own0 = ownCpu(), runner0 = cpuSeconds(runner.pid), wall0 = performance.now();
    for (let i = 0; i < RUNS; i++) await run();
    t.wall += performance.now() - wall0;
    t.own += ownCpu() - own0;
    t.runner += cpuSeconds(runner.pid) - runner0;
    t.n += RUNS;
  }
}
runner.close();
rmSync(repo, { recursive: true, force: true });

const perRun = (t: typeof totals.execFile) => ({ own: (t.own * 1000) / t.n, runner: (t.runner * 1000) / t.n, wall: t.wall / t.n });
const a = perRun(totals.execFile), b = perRun(totals.runner);
console.log(`this process: RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB; ${ROUNDS} rounds × ${RUNS} runs per case, alternated`);
console.log(`execFile (baseline): this process ${a.own.toFixed(2)} CPU-ms per run, wall ${a.wall.toFixed(2)} ms`);
console.log(`git runner:          this process ${b.own.toFixed(2)} CPU-ms per run, the runner ${b.runner.toFixed(2)} CPU-ms (10 ms ticks), wall ${b.wall.toFixed(2)} ms`);
console.log(`ratio (runner / execFile): this process's CPU ${(b.own / a.own).toFixed(2)}x, with the runner's ${((b.own + b.runner) / a.own).toFixed(2)}x, wall ${(b.wall / a.wall).toFixed(2)}x`);
