// What starting a process costs a large process, forked by it against asked of the git runner
// (native/git-runner.c): the set-up and the measurement shared by bench/git-runner.ts and
// bench/gate-runner.ts. The caller gives the two ways to start one run; both are alternated in
// rounds from a process holding BALLAST_MB of live memory (a busy town's node is ~150–250 MB: a fork
// copies its page tables), and the figures per run are printed with their ratios.
import { builtRunner, GitRunner } from '../main/git/git-runner.ts';
import { cpuSeconds } from './town-bench-util.ts';

/** The built runner's binary, or the bench stops saying how to build it. */
export function requireRunnerBinary(bench: string): string {
  const binary = builtRunner();
  if (!binary) {
    console.error(`${bench}: native/build/git-runner is not built (or older than its source): run \`npx tsx scripts/build-native.ts\``);
    process.exit(1);
  }
  return binary;
}

/** Live memory like a town's: buffers and many small objects (both are page-table entries to copy). */
export function holdBallast(megabytes: number): unknown[] {
  const ballast: unknown[] = [];
  for (let i = 0; i < megabytes / 2; i++) ballast.push(Buffer.alloc(1 << 20, i));
  for (let i = 0; i < megabytes * 2_500; i++) ballast.push({ i, text: `object ${i}` });
  return ballast;
}

export interface RunnerCostCase {
  /** How the case is named in the output (the baseline's name says how it forks). */
  name: string;
  run: () => Promise<void>;
}

/** Per run: this process's CPU-ms, the runner's CPU-ms, wall ms. */
interface PerRun { own: number; runner: number; wall: number }

/**
 * Runs `forked` (the baseline) and `viaRunner` `runs` times each per round, alternated for `rounds`
 * rounds, and prints the figures per run and the runner's ratios against the baseline. `what` names
 * one run in the output ("run", "gate").
 */
export async function measureRunnerCost(runner: GitRunner, forked: RunnerCostCase, viaRunner: RunnerCostCase, opts: { rounds: number; runs: number; what: string; about?: string }): Promise<void> {
  const ownCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const totals = [forked, viaRunner].map(() => ({ own: 0, runner: 0, wall: 0, n: 0 }));
  for (let round = 0; round < opts.rounds; round++) {
    for (const [i, c] of [forked, viaRunner].entries()) {
      const t = totals[i];
      const own0 = ownCpu(), runner0 = cpuSeconds(runner.pid), wall0 = performance.now();
      for (let n = 0; n < opts.runs; n++) await c.run();
      t.wall += performance.now() - wall0;
      t.own += ownCpu() - own0;
      t.runner += cpuSeconds(runner.pid) - runner0;
      t.n += opts.runs;
    }
  }
  const [a, b]: PerRun[] = totals.map((t) => ({ own: (t.own * 1000) / t.n, runner: (t.runner * 1000) / t.n, wall: t.wall / t.n }));
  const width = Math.max(forked.name.length, viaRunner.name.length) + 1;
  console.log(`this process: RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB;${opts.about ? ` ${opts.about};` : ''} ${opts.rounds} rounds × ${opts.runs} ${opts.what}s per case, alternated`);
  console.log(`${`${forked.name}:`.padEnd(width)} this process ${a.own.toFixed(2)} CPU-ms per ${opts.what}, wall ${a.wall.toFixed(2)} ms`);
  console.log(`${`${viaRunner.name}:`.padEnd(width)} this process ${b.own.toFixed(2)} CPU-ms per ${opts.what}, the runner ${b.runner.toFixed(2)} CPU-ms (10 ms ticks), wall ${b.wall.toFixed(2)} ms`);
  console.log(`ratio (runner / baseline): this process's CPU ${(b.own / a.own).toFixed(2)}x, with the runner's ${((b.own + b.runner) / a.own).toFixed(2)}x, wall ${(b.wall / a.wall).toFixed(2)}x`);
}
