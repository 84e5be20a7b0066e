// `gt` start-up on the agents' hot path: wall time of one `gt hook --json` against a running town,
// run the way an agent runs it (`gt` found on the agent's PATH, with the agent's own environment and
// token) and as the overseer (`--agent` naming the polecat, the owner's token), compared in the same
// run with a bare `node -e 0` (the floor: starting Node), with the CLI from its TypeScript sources
// through tsx (what every call cost before the bundle) and with the real beads `bd list --json` on a
// small embedded-mode beads database. The variants run interleaved, round after round, so they
// share the machine's load; each output is checked, not only timed.
//   npx tsx bench/cli-latency.ts          (RUNS=30 by default; bd from GT_BD or
//                                          ~/.cache/gastown-desktop/bd/1.0.5/bd, skipped when absent)
// Goals (issue 13): agent `gt hook --json` median ≤ 150 ms, and ≥ 3× faster than `bd list --json`.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Bead } from '../preload/types.ts';
import type { HookInfo, SlingResult } from '../preload/requests/work-types.ts';
import { buildAgentEnv } from '../main/agents/agent-env.ts';
import { readSecrets } from '../main/town/config.ts';
import { agentToken } from '../main/town/sessions/agent-token.ts';
import { buildCli } from '../scripts/build-cli.ts';
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

const stats = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });
const fmt = (xs: number[]) => `p50 ${stats(xs).p50.toFixed(0).padStart(4)} ms, p95 ${stats(xs).p95.toFixed(0).padStart(4)} ms`;

const built = await buildCli();
console.log(`CLI bundle: each call loads ${built.startup.sources.length} sources (${Math.round(built.startup.bytes / 1024)} KB), packages: ${built.startup.packages.join(', ') || 'none'}`);

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
  const variants: Variant[] = [
    { label: 'node -e 0 (floor)', file: process.execPath, args: ['-e', '0'], env: process.env, check: () => {}, times: [] },
    // As an agent runs it: `gt` by name from the PATH the town gives it (bin/gt, sh → bundle).
    { label: 'gt hook --json, agent', file: 'gt', args: ['hook', '--json'], env: agentEnv, cwd: slung.workdir!, check: hookIs, times: [] },
    { label: 'gt hook --json, overseer', file: GT_SH, args: ['hook', '--agent', agent, '--json'], env: overseerEnv, check: hookIs, times: [] },
    { label: 'gt --help (start-up only, no town)', file: 'gt', args: ['--help'], env: agentEnv, check: (out) => { if (!out.startsWith('gt: ')) throw new Error('no help'); }, times: [] },
    { label: 'gt hook --json, agent, from sources (tsx)', file: 'gt', args: ['hook', '--json'], env: { ...agentEnv, GT_CLI: 'source' }, cwd: slung.workdir!, check: hookIs, times: [] },
  ];
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

  console.log(`\n${RUNS} runs each, interleaved:`);
  for (const v of variants) console.log(`  ${v.label.padEnd(46)} ${fmt(v.times)}`);
  const [floor, asAgent, asOverseer, helpOnly, fromSource] = variants;
  const p50 = (v: Variant) => stats(v.times).p50;
  console.log(`  ${'hook answered in-process (the town\'s share)'.padEnd(46)} ${fmt(inProcess)}`);
  console.log('\nratios (p50):');
  console.log(`  gt agent / node -e 0:            ${(p50(asAgent) / p50(floor)).toFixed(2)}  (gt's own cost over starting Node: ${(p50(asAgent) - p50(floor)).toFixed(0)} ms)`);
  console.log(`  gt overseer / node -e 0:         ${(p50(asOverseer) / p50(floor)).toFixed(2)}`);
  console.log(`  gt --help / node -e 0:           ${(p50(helpOnly) / p50(floor)).toFixed(2)}  (loading the CLI: ${(p50(helpOnly) - p50(floor)).toFixed(0)} ms)`);
  console.log(`  sources (tsx) / bundle, agent:   ${(p50(fromSource) / p50(asAgent)).toFixed(2)}`);
  const bd = variants[5];
  if (bd) console.log(`  bd list / gt hook, agent:        ${(p50(bd) / p50(asAgent)).toFixed(2)}  (goal ≥ 3)`);
  else console.log(`  bd comparison skipped: ${(bdSetup as { skipped: string }).skipped}`);
  console.log(`\ngoal: gt hook --json (agent) median ≤ 150 ms: ${p50(asAgent).toFixed(0)} ms ${p50(asAgent) <= 150 ? 'met' : 'NOT met'}`);
  if (bd) console.log(`goal: ≥ 3× faster than bd list --json: ${(p50(bd) / p50(asAgent)).toFixed(2)}× ${p50(bd) / p50(asAgent) >= 3 ? 'met' : 'NOT met'}`);
} finally {
  if ('cleanup' in bdSetup) bdSetup.cleanup();
  await b.close();
}
