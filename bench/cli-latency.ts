// `gt` start-up on the agents' hot path: wall time of one `gt hook --json` against a running town,
// run the way an agent runs it (`gt` found on the agent's PATH, with the agent's own environment and
// token: bin/gt, which execs the native client, native/README.md) and as the overseer (`--agent`
// naming the polecat, the owner's token), compared in the same run with a bare `node -e 0` (the
// floor of any Node CLI), with the Node CLI (GT_NATIVE=0: the bundle; and from its TypeScript
// sources through tsx) and with the real beads `bd list --json` on a small embedded-mode beads
// database. The variants run interleaved, round after round, so they share the machine's load; each
// output is checked, not only timed; the machine's load average is printed before and after.
//   npx tsx bench/cli-latency.ts          (RUNS=30 by default; bd from GT_BD or
//                                          ~/.cache/gastown-desktop/bd/1.0.5/bd, skipped when absent)
// Goals (issue 13): agent `gt hook --json` median ≤ 150 ms, and ≥ 3× faster than `bd list --json`.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Bead } from '../preload/types.ts';
import type { HookInfo, SlingResult } from '../preload/requests/work-types.ts';
import { buildAgentEnv } from '../main/agents/agent-env.ts';
import { readSecrets } from '../main/town/config.ts';
import { agentToken } from '../main/town/sessions/agent-token.ts';
import { buildCli } from '../scripts/build-cli.ts';
import { buildNative, describeNativeBuild } from '../scripts/build-native.ts';
import { benchTown, percentile, scriptDescription } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 30);
const BD_BEADS = 30;
const root = resolve(import.meta.dirname, '..');
const GT_SH = join(root, 'bin', 'gt');

interface Variant {
  label: string;
  file: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Throws unless the output is what the command should print. */
  check(stdout: string): void;
  times: number[];
}

function run(v: Variant): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolveRun, reject) => {
    execFile(v.file, v.args, { env: v.env as NodeJS.ProcessEnv, cwd: v.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const ms = performance.now() - t0;
      if (err) return reject(new Error(`${v.label}: ${err.message}\n${stderr}`));
      try {
        v.check(stdout);
      } catch (e) {
        return reject(new Error(`${v.label}: unexpected output: ${(e as Error).message}\n${stdout.slice(0, 500)}`));
      }
      resolveRun(ms);
    });
  });
}

/** A temp embedded-mode beads database with BD_BEADS beads, made offline; null with the reason when bd is not usable. */
function setUpBd(): { bd: string; dir: string; env: Record<string, string | undefined>; cleanup(): void } | { skipped: string } {
  const bd = process.env.GT_BD || join(homedir(), '.cache', 'gastown-desktop', 'bd', '1.0.5', 'bd');
  if (!existsSync(bd)) return { skipped: `no bd at ${bd} (set GT_BD, or build beads v1.0.5 there)` };
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-bd-'));
  const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BEADS_')));
  Object.assign(env, {
    HOME: dir, BEADS_DOLT_AUTO_START: '0', BEADS_NO_DAEMON: '1',
    GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b',
  });
  try {
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env: env as NodeJS.ProcessEnv });
    execFileSync(bd, ['init', '--quiet', '--prefix', 'bn'], { cwd: dir, env: env as NodeJS.ProcessEnv, stdio: 'pipe' });
    for (let i = 0; i < BD_BEADS; i++) execFileSync(bd, ['create', `bench bead ${i}`, '--json'], { cwd: dir, env: env as NodeJS.ProcessEnv, stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { message: string; stderr?: Buffer };
    return { skipped: `bd could not set up a database offline: ${e.message.split('\n')[0]} ${e.stderr?.toString().trim().slice(0, 300) ?? ''}` };
  }
  return { bd, dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The client's own word on the path it took (GT_NATIVE_TRACE=1): 'gt-native: town' when the town answered. */
function spawnTrace(v: Variant): Promise<string> {
  // Not spawnSync: the town answering it runs in this process.
  return new Promise((resolveTrace) => {
    execFile(v.file, v.args, { env: { ...v.env, GT_NATIVE_TRACE: '1' } as NodeJS.ProcessEnv, cwd: v.cwd }, (err, _stdout, stderr) => {
      resolveTrace(stderr.split('\n').find((l) => l.startsWith('gt-native: ')) ?? `no trace (${err?.message ?? 'exit 0'}): ${stderr.slice(0, 300)}`);
    });
  });
}

const stats = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });
const fmt = (xs: number[]) => `p50 ${stats(xs).p50.toFixed(0).padStart(4)} ms, p95 ${stats(xs).p95.toFixed(0).padStart(4)} ms`;

const built = await buildCli();
console.log(`CLI bundle: each call loads ${built.startup.sources.length} sources (${Math.round(built.startup.bytes / 1024)} KB), packages: ${built.startup.packages.join(', ') || 'none'}`);
const native = buildNative();
console.log(describeNativeBuild(native));
const load = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
console.log(`before: ${load()}`);

const b = await benchTown({ maxPolecats: 1 });
const bdSetup = setUpBd();
try {
  // A polecat at work with a bead on its hook: its script sleeps, so the hook stays put.
  const bead = await b.call<Bead>('beadCreate', { title: 'hooked for the bench', prefix: 'bn', description: scriptDescription('x.txt', 'x', 3600) });
  const slung = await b.call<SlingResult>('sling', { bead: bead.id });
  const agent = slung.agent!;
  const owner = readSecrets(b.town.paths).apiToken;
  const agentEnv = buildAgentEnv({
    socket: b.town.paths.socket, socketToken: agentToken(owner, agent), town: b.town.paths.root, agent, rig: b.rig.name, bead: bead.id, runtime: 'script',
  });
  const overseerEnv = { ...process.env, GT_TOWN: b.town.paths.root, GT_AGENT: undefined, GT_SOCKET_TOKEN: undefined };
  const hookIs = (out: string) => {
    const h = JSON.parse(out) as HookInfo;
    if (h.agent !== agent || h.bead?.id !== bead.id) throw new Error(`hook of ${h.agent} holds ${h.bead?.id}`);
  };
  const nodeCli = { GT_NATIVE: '0' };
  const variants: Variant[] = [
    { label: 'node -e 0 (floor of a Node CLI)', file: process.execPath, args: ['-e', '0'], env: process.env, check: () => {}, times: [] },
    // As an agent runs it: `gt` by name from the PATH the town gives it (bin/gt, sh → native client).
    { label: 'gt hook --json, agent (native)', file: 'gt', args: ['hook', '--json'], env: agentEnv, cwd: slung.workdir!, check: hookIs, times: [] },
    { label: 'gt hook --json, overseer (native)', file: GT_SH, args: ['hook', '--agent', agent, '--json'], env: overseerEnv, check: hookIs, times: [] },
    { label: 'gt hook --json, agent, Node CLI (bundle)', file: 'gt', args: ['hook', '--json'], env: { ...agentEnv, ...nodeCli }, cwd: slung.workdir!, check: hookIs, times: [] },
    { label: 'gt --help, Node CLI (start-up only)', file: 'gt', args: ['--help'], env: { ...agentEnv, ...nodeCli }, check: (out) => { if (!out.startsWith('gt: ')) throw new Error('no help'); }, times: [] },
    { label: 'gt hook --json, agent, Node CLI from sources', file: 'gt', args: ['hook', '--json'], env: { ...agentEnv, ...nodeCli, GT_CLI: 'source' }, cwd: slung.workdir!, check: hookIs, times: [] },
  ];
  // The native rows must be the native client answered by the town, not its fallback to Node.
  for (const v of variants.slice(1, 3)) {
    const trace = await spawnTrace(v);
    if (trace !== 'gt-native: town') throw new Error(`${v.label}: not the native path (${native.ok ? trace : native.reason})`);
  }
  if ('bd' in bdSetup) {
    variants.push({
      label: `bd list --json (${BD_BEADS} beads, embedded)`, file: bdSetup.bd, args: ['list', '--json'], env: bdSetup.env, cwd: bdSetup.dir,
      check: (out) => {
        const list = JSON.parse(out) as unknown[];
        if (!Array.isArray(list) || list.length !== BD_BEADS) throw new Error(`expected ${BD_BEADS} beads, got ${Array.isArray(list) ? list.length : typeof list}`);
      },
      times: [],
    });
  }
  // One warm-up each (page cache), then RUNS rounds in rotating order.
  for (const v of variants) await run(v);
  // The town's own share: the same hook request made in-process (no process start, no socket).
  const inProcess: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(r + i) % variants.length];
      v.times.push(await run(v));
    }
    const t0 = performance.now();
    await b.town.call('hook', { agent }, { actor: agent, transport: 'in-process', consumer: 'bench' });
    inProcess.push(performance.now() - t0);
  }

  console.log(`\n${RUNS} runs each, interleaved (after: ${load()}):`);
  for (const v of variants) console.log(`  ${v.label.padEnd(46)} ${fmt(v.times)}`);
  const [floor, asAgent, asOverseer, nodeAgent, helpOnly, fromSource] = variants;
  const p50 = (v: Variant) => stats(v.times).p50;
  console.log(`  ${'hook answered in-process (the town\'s share)'.padEnd(46)} ${fmt(inProcess)}`);
  console.log('\nratios (p50):');
  console.log(`  native agent / node -e 0:        ${(p50(asAgent) / p50(floor)).toFixed(2)}`);
  console.log(`  native overseer / node -e 0:     ${(p50(asOverseer) / p50(floor)).toFixed(2)}`);
  console.log(`  Node CLI / native, agent:        ${(p50(nodeAgent) / p50(asAgent)).toFixed(2)}`);
  console.log(`  Node CLI agent / node -e 0:      ${(p50(nodeAgent) / p50(floor)).toFixed(2)}  (the Node CLI's own cost over starting Node: ${(p50(nodeAgent) - p50(floor)).toFixed(0)} ms)`);
  console.log(`  Node --help / node -e 0:         ${(p50(helpOnly) / p50(floor)).toFixed(2)}  (loading the CLI: ${(p50(helpOnly) - p50(floor)).toFixed(0)} ms)`);
  console.log(`  sources (tsx) / bundle, agent:   ${(p50(fromSource) / p50(nodeAgent)).toFixed(2)}`);
  const bd = variants[6];
  if (bd) console.log(`  bd list / native gt hook, agent: ${(p50(bd) / p50(asAgent)).toFixed(2)}  (goal ≥ 3)`);
  else console.log(`  bd comparison skipped: ${(bdSetup as { skipped: string }).skipped}`);
  console.log(`\ngoal: gt hook --json (agent) median ≤ 150 ms: ${p50(asAgent).toFixed(0)} ms ${p50(asAgent) <= 150 ? 'met' : 'NOT met'}`);
  if (bd) console.log(`goal: ≥ 3× faster than bd list --json: ${(p50(bd) / p50(asAgent)).toFixed(2)}× ${p50(bd) / p50(asAgent) >= 3 ? 'met' : 'NOT met'}`);
} finally {
  if ('cleanup' in bdSetup) bdSetup.cleanup();
  await b.close();
}
