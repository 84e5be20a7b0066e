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
import { GitRunner } from '../main/git/git-runner.ts';
import { runGate } from '../main/refinery/gate-runner.ts';
import { holdBallast, measureRunnerCost, requireRunnerBinary } from './runner-cost.ts';

const RUNS = Number(process.env.RUNS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BALLAST_MB = Number(process.env.BALLAST_MB ?? 200);
const COMMAND = process.env.GATE ?? 'true';

const binary = requireRunnerBinary('bench/gate-runner');
const ballast = holdBallast(BALLAST_MB);

const cwd = mkdtempSync(join(tmpdir(), 'gt-bench-gaterunner-'));
const env = { GT_REFINERY_GATE: cwd, GT_GATE_COMMIT: '0'.repeat(40) };
const runner = new GitRunner(binary, process.env);
const off = new GitRunner(null, process.env); // what GT_GIT_RUNNER=0 makes: runGate spawns the gate itself
const gate = { command: COMMAND, timeoutMs: 60_000 };
const once = async (r: GitRunner) => {
  const res = await runGate(gate, { cwd, env, runner: r, onStart: () => undefined });
  if (res.outcome !== 'pass') throw new Error(`gate ${res.outcome}: ${res.output}`);
};

await once(runner); // the runner started, outside the measurement
await once(off);
await measureRunnerCost(runner, { name: 'node spawn (GT_GIT_RUNNER=0, baseline)', run: () => once(off) }, { name: 'git runner', run: () => once(runner) }, { rounds: ROUNDS, runs: RUNS, what: 'gate', about: `gate "${COMMAND}"` });
runner.close();
rmSync(cwd, { recursive: true, force: true });
ballast.length = 0;
