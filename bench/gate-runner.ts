// Benchmark: what a Refinery gate costs the town's process when it forks the gate's shell itself
// (node's spawn: GT_GIT_RUNNER=0, the baseline) against asking the git runner (native/git-runner.c)
// to start it, from a process holding BALLAST_MB of live memory (a busy town's node is ~150–250 MB:
// a fork copies its page tables). Same process, same gate (`true`, in its own process group, in a
// worktree-like folder, through runGate: main/refinery/gate-runner.ts), alternated in rounds.
// Prints per gate: this process's CPU (user + system), the runner's CPU, wall time; and the ratios.
//   npx tsx bench/gate-runner.ts            (RUNS=200 per case and round, 3 rounds, BALLAST_MB=200)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtRunner, GitRunner } from '../main/git/git-runner.ts';
import { runGate } from '../main/refinery/gate-runner.ts';
import { cpuSeconds } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BALLAST_MB = Number(process.env.BALLAST_MB ?? 200);
const COMMAND = process.env.GATE ?? 'true';

const binary = builtRunner();
if (!binary) {
  console.error('bench/gate-runner: native/build/git-runner is not built (or older than its source): run `npx tsx scripts/build-native.ts`');
  process.exit(1);
}

// Live memory like a town's: buffers and many small objects (both are page-table entries to copy).
const ballast: unknown[] = [];
for (let i = 0; i < BALLAST_MB / 2; i++) ballast.push(Buffer.alloc(1 << 20, i));
for (let i = 0; i < BALLAST_MB * 2_500; i++) ballast.push({ i, text: `object ${i}` });

const cwd = mkdtempSync(join(tmpdir(), 'gt-bench-gaterunner-'));
const env = { GT_REFINERY_GATE: cwd, GT_GATE_COMMIT: '0'.repeat(40) };
const runner = new GitRunner(binary, process.env);
const off = new GitRunner(null, process.env); // what GT_GIT_RUNNER=0 makes: runGate spawns the gate itself
const gate = { command: COMMAND, timeoutMs: 60_000 };
const once = async (r: GitRunner) => {
  const res = await runGate(gate, { cwd, env, runner: r, onStart: () => undefined });
  if (res.outcome !== 'pass') throw new Error(`gate ${res.outcome}: ${res.output}`);
};

const ownCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const totals = { spawn: { own: 0, runner: 0, wall: 0, n: 0 }, runner: { own: 0, runner: 0, wall: 0, n: 0 } };
await once(runner); // the runner started, outside the measurement
await once(off);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, r] of [['spawn', off], ['runner', runner]] as const) {
    const t = totals[name];
    const own0 = ownCpu(), runner0 = cpuSeconds(runner.pid), wall0 = performance.now();
    for (let i = 0; i < RUNS; i++) await once(r);
    t.wall += performance.now() - wall0;
    t.own += ownCpu() - own0;
    t.runner += cpuSeconds(runner.pid) - runner0;
    t.n += RUNS;
  }
}
runner.close();
rmSync(cwd, { recursive: true, force: true });

const perRun = (t: typeof totals.spawn) => ({ own: (t.own * 1000) / t.n, runner: (t.runner * 1000) / t.n, wall: t.wall / t.n });
const a = perRun(totals.spawn), b = perRun(totals.runner);
console.log(`this process: RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB; gate "${COMMAND}"; ${ROUNDS} rounds × ${RUNS} gates per case, alternated`);
console.log(`node spawn (GT_GIT_RUNNER=0, baseline): this process ${a.own.toFixed(2)} CPU-ms per gate, wall ${a.wall.toFixed(2)} ms`);
console.log(`git runner:                             this process ${b.own.toFixed(2)} CPU-ms per gate, the runner ${b.runner.toFixed(2)} CPU-ms (10 ms ticks), wall ${b.wall.toFixed(2)} ms`);
console.log(`ratio (runner / node spawn): this process's CPU ${(b.own / a.own).toFixed(2)}x, with the runner's ${((b.own + b.runner) / a.own).toFixed(2)}x, wall ${(b.wall / a.wall).toFixed(2)}x`);
