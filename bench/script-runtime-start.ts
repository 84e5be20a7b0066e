// Start-up of the `script` agent runtime: time from spawn to its first output line and to its exit,
// and its CPU, run from the prebuilt bundle (dist/cli/script-main.js, what the registry launches
// when it is fresh) and from the TypeScript sources through tsx (what every session paid before),
// with a bare `node -e` printing one line as the floor of any Node program. The variants run
// interleaved, round after round, so they share the machine's load; each run does a one-step
// script (writes a file) in a temp folder and its output is checked.
//   npx tsx bench/script-runtime-start.ts          (RUNS=20 by default; builds dist/cli first)
// Goal (issue 17): a polecat's overhead per bead ≤ 0.75 s, of which this is the first part.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScriptEntry, scriptEntryArgs, APP_ROOT } from '../main/agents/runtimes/script-entry.ts';
import { buildCli } from '../scripts/build-cli.ts';
import { childCpuSeconds, percentile } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 20);

interface Variant {
  label: string;
  args: string[];
  firstLine: number[];
  exit: number[];
  cpu: number[];
}

interface Timing {
  firstLine: number;
  exit: number;
  cpu: number;
}

/** One run: spawn → first complete stdout line, → exit; CPU of the child (from our children's total). */
function run(args: string[], cwd: string): Promise<Timing> {
  const cpu0 = childCpuSeconds(process.pid);
  const t0 = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, GT_SCRIPT_DESCRIPTION: '```gt-script\nwrite notes.txt hello\n```', GT_BEAD: 'bn-1', GT_SCRIPT_TITLE: 'bench' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let firstLine = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!firstLine && out.includes('\n')) firstLine = performance.now() - t0;
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('close', (code) => {
      const exit = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${args.join(' ')}: exit ${code}\n${out}${err}`));
      resolveRun({ firstLine, exit, cpu: childCpuSeconds(process.pid) - cpu0 });
    });
  });
}

const built = await buildCli();
console.log(`dist/cli rebuilt: the script runtime's bundle holds ${built.entries['script-main'].length} sources`);
const bundle = resolveScriptEntry(APP_ROOT, {});
if (bundle.needsLoader) throw new Error('the freshly built bundle is not chosen: see bin/cli-bundle.mjs');
const sources = { file: `${APP_ROOT}main/agents/script-runtime/script-main.ts`, needsLoader: true };
const variants: Variant[] = [
  { label: 'node -e (one line, the floor)', args: ['-e', 'console.log("x")'], firstLine: [], exit: [], cpu: [] },
  { label: 'script runtime, bundle', args: scriptEntryArgs(bundle), firstLine: [], exit: [], cpu: [] },
  { label: 'script runtime, sources through tsx', args: scriptEntryArgs(sources), firstLine: [], exit: [], cpu: [] },
];
const load = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
console.log(`before: ${load()}`);
const dir = mkdtempSync(join(tmpdir(), 'gt-script-start-'));
try {
  for (let round = 0; round < RUNS + 1; round++) {
    for (const v of variants) {
      const t = await run(v.args, dir);
      if (v !== variants[0] && readFileSync(join(dir, 'notes.txt'), 'utf8') !== 'hello') throw new Error(`${v.label}: the script's file is wrong`);
      if (round === 0) continue; // warm-up: the file cache
      v.firstLine.push(t.firstLine);
      v.exit.push(t.exit);
      v.cpu.push(t.cpu * 1000);
    }
    rmSync(join(dir, 'notes.txt'), { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const p = (xs: number[], q: number) => percentile(xs, q).toFixed(0);
console.log(`\n${RUNS} runs each, interleaved (after: ${load()}); p50 / p90 ms:`);
console.log(`  ${''.padEnd(38)} ${'first line'.padEnd(14)} ${'exit'.padEnd(14)} CPU (user+sys, 10 ms ticks)`);
for (const v of variants) console.log(`  ${v.label.padEnd(38)} ${`${p(v.firstLine, 50)} / ${p(v.firstLine, 90)}`.padEnd(14)} ${`${p(v.exit, 50)} / ${p(v.exit, 90)}`.padEnd(14)} ${p(v.cpu, 50)} / ${p(v.cpu, 90)}`);
const [floor, fast, slow] = variants;
const ratio = (a: number[], b: number[]) => (percentile(a, 50) / percentile(b, 50)).toFixed(2);
console.log('\nratios (p50):');
console.log(`  first line, bundle / tsx:     ${ratio(fast.firstLine, slow.firstLine)}`);
console.log(`  CPU, bundle / tsx:            ${ratio(fast.cpu, slow.cpu)}`);
console.log(`  first line, bundle / node -e: ${ratio(fast.firstLine, floor.firstLine)}`);
console.log(`  saved per session (p50):      ${(percentile(slow.firstLine, 50) - percentile(fast.firstLine, 50)).toFixed(0)} ms to the first line, ${(percentile(slow.cpu, 50) - percentile(fast.cpu, 50)).toFixed(0)} ms CPU`);
