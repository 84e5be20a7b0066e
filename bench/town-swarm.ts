// 30 `script` agents working at once on one rig for a bounded run: the town's own CPU share and
// memory (this process and its git runner + PTY host + dolt sql-server; the agents' processes are excluded), beads
// completed per minute, and where the town's work goes per completed bead: Dolt commits (by
// author and operation), SQL statements, feed polls and diff sizes, PTY host CPU per MB of
// output, node event-loop delay. The baseline is the same town idle for a few seconds in the same run.
// Memory: every minute each process's RSS (anonymous + file-backed pages) and the ledger's size on
// disk; at the end, the growth (least-squares slope over the last GROWTH_MINUTES minutes, default
// half the run) of each process's RSS beside the ledger's growth on disk in the same minutes.
//   npx tsx bench/town-swarm.ts          (AGENTS=30 SECONDS=60 by default; the issue asks 5 minutes: SECONDS=300)
//   AGENTS=30 SECONDS=1800 BEADS=3030 npx tsx bench/town-swarm.ts   (a long run: growth per minute)
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Bead } from '../preload/types.ts';
import type { ConvoyStatus } from '../preload/requests/work-types.ts';
import { readFileSync } from 'node:fs';
import { benchTown, childCpuSeconds, cpuSeconds, machineBusySeconds, memoryMb, rssMb, scriptDescription } from './town-bench-util.ts';
import { liveDescendantsCpuSeconds } from './process-cpu.ts';
import { traceBeads } from './bead-timeline.ts';
import { gitRunnerPid } from '../main/git/run-git.ts';

/** A process's proportional share of resident memory in MB (shared pages divided among the processes
 *  mapping them: node's own binary is mapped by this process, the PTY host and the agents alike). */
function pssMb(pid: number | null): number {
  if (!pid) return 0;
  try {
    return Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}
/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx ? points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx : 0;
}

const AGENTS = Number(process.env.AGENTS ?? 30);
const SECONDS = Number(process.env.SECONDS ?? 60);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 15);
const b = await benchTown({ maxPolecats: AGENTS, settings: { tickMs: 2000 } });
const timeline = traceBeads(b);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

const nodeCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
// The git runner (native/git-runner.c) is the town's: its CPU and memory count with node's.
const parts = () => ({ node: nodeCpu() + cpuSeconds(gitRunnerPid()), pty: cpuSeconds(b.town.pty.pid), dolt: cpuSeconds(b.town.dolt.pid) });
const townRss = (): number => process.memoryUsage().rss / 1048576 + rssMb(gitRunnerPid()) + rssMb(b.town.pty.pid) + rssMb(b.town.dolt.pid);
const rssLine = () => `node ${(process.memoryUsage().rss / 1048576).toFixed(0)}, pty host ${rssMb(b.town.pty.pid).toFixed(0)}, dolt ${rssMb(b.town.dolt.pid).toFixed(0)} MB`;
// Per process: RSS split into anonymous (heap) and file-backed (mapped binary/files) pages, plus node's V8 heap.
const memoryLine = () => {
  const n = memoryMb(process.pid);
  const p = memoryMb(b.town.pty.pid);
  const d = memoryMb(b.town.dolt.pid);
  const heap = process.memoryUsage().heapUsed / 1048576;
  return `node ${n.rss.toFixed(0)} (anon ${n.anon.toFixed(0)}, V8 heap ${heap.toFixed(0)}), pty host ${p.rss.toFixed(0)} (anon ${p.anon.toFixed(0)}), dolt ${d.rss.toFixed(0)} (anon ${d.anon.toFixed(0)}, file ${d.file.toFixed(0)}) MB`;
};
/** The ledger's size on disk (Dolt's data folder: table files, the chunk journal, the stats store). */
const ledgerMb = (): number => {
  try {
    return Number(execFileSync('du', ['-sk', b.town.paths.doltData], { encoding: 'utf8' }).split('\t')[0]) / 1024;
  } catch {
    return 0;
  }
};

// Counters: the feed's polls (wrapped), the bead changes it delivered, the PTY bytes that reached
// the town, and the statements Dolt answered (its global Questions counter, which counts ours too).
const counters = { polls: 0, events: 0, changes: 0, ptyBytes: 0, closed: 0 };
const feed = b.town.feed as unknown as { poll(): Promise<void> };
const poll = feed.poll.bind(feed);
feed.poll = () => { counters.polls++; return poll(); };
b.town.feed.on('event', (e) => {
  counters.events++;
  counters.changes += e.changes.length;
  // Work beads closed (merged), as the feed reports them: the minute lines show the pace over time.
  counters.closed += e.changes.filter((c) => c.kind === 'closed' && c.bead.type === 'task').length;
});
// Output the sessions produced (agents' sessions have no attached consumer, so no bytes cross:
// the host's throttled activity reports carry each session's output offset).
const offsets = new Map<string, number>();
b.town.pty.on('activity', (a) => { counters.ptyBytes += Math.max(0, a.offset - (offsets.get(a.id) ?? 0)); offsets.set(a.id, a.offset); });
b.town.pty.on('exit', (e) => offsets.delete(e.id));
const questions = async () => Number(((await b.town.ledger.pool.query("SHOW GLOBAL STATUS LIKE 'Questions'"))[0] as Array<{ Value: string }>)[0].Value);
const head = async () => (((await b.town.ledger.pool.query("SELECT HASHOF('HEAD') AS h"))[0] as Array<{ h: string }>)[0].h);
async function commitsSince(from: string): Promise<Map<string, number>> {
  const [rows] = await b.town.ledger.pool.query('SELECT committer, message FROM dolt_log(?, ?)', ['HEAD', `^${from}`]);
  const by = new Map<string, number>();
  for (const r of rows as Array<{ committer: string; message: string }>) {
    // Agents by role (polecat names vary), the op by the message's first word.
    const who = r.committer.replace(/\/polecats\/[^/]+$/, '/polecats/*');
    const key = `${who}: ${r.message.split(' ')[0]}`;
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  return by;
}
const total = (m: Map<string, number>) => [...m.values()].reduce((a, x) => a + x, 0);
type Snap = { cpu: ReturnType<typeof parts>; q: number; head: string; c: typeof counters; at: number };
const snap = async (): Promise<Snap> => ({ cpu: parts(), q: await questions(), head: await head(), c: { ...counters }, at: performance.now() });

try {
  console.log(`machine load (1/5/15 min) at start: ${load()}; ${cpus().length} cores`);
  // Idle baseline: the town with a rig and nothing to do (after the rig's first patrols settle).
  await new Promise((r) => setTimeout(r, 3000));
  const i0 = await snap();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const i1 = await snap();
  const idleS = (i1.at - i0.at) / 1000;
  const idleShare = (i1.cpu.node + i1.cpu.pty + i1.cpu.dolt - (i0.cpu.node + i0.cpu.pty + i0.cpu.dolt)) / idleS;
  const idleRss = townRss();
  const idleCommits = total(await commitsSince(i0.head));
  console.log(`idle ${idleS.toFixed(0)} s: town CPU ${(idleShare * 100).toFixed(1)}% of a core (node ${(((i1.cpu.node - i0.cpu.node) / idleS) * 100).toFixed(1)}, pty host ${(((i1.cpu.pty - i0.cpu.pty) / idleS) * 100).toFixed(1)}, dolt ${(((i1.cpu.dolt - i0.cpu.dolt) / idleS) * 100).toFixed(1)}); `
    + `${((i1.q - i0.q) / idleS).toFixed(1)} SQL statements/s, ${((i1.c.polls - i0.c.polls) / idleS).toFixed(1)} feed polls/s, ${idleCommits} commits; RSS ${idleRss.toFixed(0)} MB (${memoryLine()}); ledger on disk ${ledgerMb().toFixed(0)} MB`);

  // Enough work to keep every agent busy for the whole run (each bead sleeps 3 s).
  // BEADS caps it for long runs (the ledger's size up front is then the same as a 5-minute run's).
  const count = Number(process.env.BEADS ?? Math.ceil((AGENTS * SECONDS) / 3) + AGENTS);
  const inputs = Array.from({ length: count }, (_, i) => ({ title: `swarm ${i}`, prefix: 'bn', description: scriptDescription(`s${i}.txt`, `bead ${i}`, 3) }));
  // A batch, and a convoy request, take at most 10,000 beads (a 30-minute run at 30 agents needs 18,030).
  const BATCH = 10_000;
  const s0 = performance.now();
  const beads: Bead[] = [];
  for (let at = 0; at < count; at += BATCH) beads.push(...(await b.town.ledger.createMany(inputs.slice(at, at + BATCH), 'overseer')));
  const s1 = performance.now();
  const ids = beads.map((x) => x.id);
  let convoy = await b.call<ConvoyStatus>('convoyCreate', { name: 'swarm', beads: ids.slice(0, BATCH), rig: 'bench' });
  for (let at = BATCH; at < count; at += BATCH) convoy = await b.call<ConvoyStatus>('convoyAdd', { id: convoy.id, beads: ids.slice(at, at + BATCH) });
  console.log(`setup: ${count} beads created in ${((s1 - s0) / 1000).toFixed(1)} s, convoy tracking them in ${((performance.now() - s1) / 1000).toFixed(1)} s`);

  const w0 = await snap();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // The agents' own CPU: their sessions are the PTY host's children (the shell waits for the agent
  // and its `gt` calls), so finished sessions show up in the host's cutime+cstime; sessions still
  // running (a session that takes bead after bead) are read from their live process trees.
  const agentsCpu = () => childCpuSeconds(b.town.pty.pid) + liveDescendantsCpuSeconds(b.town.pty.pid);
  const a0 = agentsCpu();
  // git run by the town itself (the Refinery's merges and gates, worktrees, branch reads): the git
  // runner's children, reaped by it (with GT_GIT_RUNNER=0 they are node's, and not counted here).
  const townGitCpu = () => childCpuSeconds(gitRunnerPid());
  const g0 = townGitCpu();
  let peakRss = 0;
  let peakSessions = 0;
  let peakParts = '';
  let nextMinute = 60;
  let closedBefore = counters.closed;
  // The ledger's one writer: how busy it was, and how long writes waited for it (per minute, overall).
  // (An older town without these figures, in an A/B run, prints none.)
  const writes = (b.town.ledger as Partial<typeof b.town.ledger>).writeTimes ?? { count: 0, waitMs: 0, runMs: 0 };
  const writes0 = { ...writes };
  let writesBefore = { ...writes };
  // CPU in each minute, by part (shares of one core): the town's processes, its git, the agents, and
  // the whole machine (a saturated machine shows as busy near cores × 100%).
  const cpuNow = () => ({ ...parts(), git: townGitCpu(), agents: agentsCpu(), machine: machineBusySeconds() });
  let cpuBefore = cpuNow();
  const cpuLine = (from: ReturnType<typeof cpuNow>, seconds: number) => {
    const now = cpuNow();
    const share = (k: keyof typeof now) => (((now[k] - from[k]) / seconds) * 100).toFixed(0);
    return `CPU % of a core: dolt ${share('dolt')}, node ${share('node')}, pty host ${share('pty')}, town git ${share('git')}, agents ${share('agents')}, machine ${share('machine')} of ${cpus().length * 100}`;
  };
  const writerLine = (from: typeof writes0, seconds: number) => {
    const n = writes.count - from.count;
    if (!writes.count) return 'writer not measured';
    return `writer busy ${(((writes.runMs - from.runMs) / 1000 / seconds) * 100).toFixed(0)}%, ${n} writes, `
      + `mean wait ${((writes.waitMs - from.waitMs) / Math.max(1, n)).toFixed(0)} ms, run ${((writes.runMs - from.runMs) / Math.max(1, n)).toFixed(0)} ms`;
  };
  // One sample a minute: [minute, town RSS, node, pty host, dolt, ledger on disk] (MB).
  const minutes: Array<{ t: number; town: number; node: number; pty: number; dolt: number; disk: number }> = [];
  while (performance.now() - w0.at < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 2000));
    const rss = townRss();
    if (rss > peakRss) peakParts = rssLine();
    peakRss = Math.max(peakRss, rss);
    peakSessions = Math.max(peakSessions, b.town.work.sessions.list().length);
    const t = (performance.now() - w0.at) / 1000;
    if (t >= nextMinute) {
      const disk = ledgerMb();
      minutes.push({ t: nextMinute / 60, town: rss, node: memoryMb(process.pid).rss, pty: memoryMb(b.town.pty.pid).rss, dolt: memoryMb(b.town.dolt.pid).rss, disk });
      const pss = pssMb(process.pid) + pssMb(b.town.pty.pid) + pssMb(b.town.dolt.pid);
      console.log(`  minute ${nextMinute / 60}: town RSS ${rss.toFixed(0)} MB (${memoryLine()}), PSS ${pss.toFixed(0)} MB; ledger on disk ${disk.toFixed(0)} MB; ${b.town.work.sessions.list().length} sessions; ${counters.closed - closedBefore} beads closed in the minute; ${writerLine(writesBefore, 60)}; ${cpuLine(cpuBefore, 60)}; load ${load()}`);
      cpuBefore = cpuNow();
      closedBefore = counters.closed;
      writesBefore = { ...writes };
      nextMinute += 60;
    }
  }
  delay.disable();
  const w1 = await snap();
  const elapsed = (w1.at - w0.at) / 1000;
  const cpu = (k: keyof Snap['cpu']) => w1.cpu[k] - w0.cpu[k];
  const busyShare = (cpu('node') + cpu('pty') + cpu('dolt')) / elapsed;
  const agentCpu = agentsCpu() - a0;
  const status = await b.call<ConvoyStatus>('convoyStatus', { id: convoy.id });
  const closed = status.progress.closed;
  const perBead = (x: number) => (x / Math.max(1, closed)).toFixed(1);
  const perMinute = closed / (elapsed / 60);
  const ideal = (AGENTS * 60) / 3;
  const commits = await commitsSince(w0.head);
  const ptyMb = (w1.c.ptyBytes - w0.c.ptyBytes) / 1048576;

  console.log(`${AGENTS} script agents on one rig for ${elapsed.toFixed(0)} s (${cpus().length} cores); peak concurrent sessions ${peakSessions}; machine load now ${load()}`);
  console.log(`beads completed: ${closed} → ${perMinute.toFixed(1)} per minute (ideal at 3 s/bead: ${ideal.toFixed(0)}) = ${((perMinute / ideal) * 100).toFixed(0)}% of ideal`);
  console.log(`town CPU (node + pty host + dolt, agents excluded): idle ${(idleShare * 100).toFixed(1)}% of a core, busy ${(busyShare * 100).toFixed(1)}% `
    + `(node ${((cpu('node') / elapsed) * 100).toFixed(1)}, pty host ${((cpu('pty') / elapsed) * 100).toFixed(1)}, dolt ${((cpu('dolt') / elapsed) * 100).toFixed(1)}) → ratio ${(busyShare / Math.max(idleShare, 1e-3)).toFixed(1)}x`);
  console.log(`agents' own CPU (their sessions, finished and running, with their gt calls and git): ${agentCpu.toFixed(0)} s = ${(agentCpu / Math.max(1, closed)).toFixed(2)} CPU-s per completed bead, ${((agentCpu / elapsed) * 100).toFixed(0)}% of a core; town CPU per bead ${((busyShare * elapsed) / Math.max(1, closed)).toFixed(2)} s`);
  console.log(`ledger's one writer over the run: ${writerLine(writes0, elapsed)}`);
  const gitCpu = townGitCpu() - g0;
  console.log(`git run by the town (the git runner's children, counted in neither figure above): ${gitCpu.toFixed(1)} s = ${((gitCpu / elapsed) * 100).toFixed(1)}% of a core, ${(gitCpu / Math.max(1, closed)).toFixed(3)} CPU-s per completed bead`);
  console.log(`town memory (RSS): idle ${idleRss.toFixed(0)} MB, peak busy ${peakRss.toFixed(0)} MB → ratio ${(peakRss / idleRss).toFixed(2)}x (at the peak: ${peakParts})`);
  console.log(`town memory at the end: ${memoryLine()}`);
  if (minutes.length >= 3) {
    // Growth over the run's second half (or GROWTH_MINUTES): a steady town grows only with its ledger.
    const last = minutes.slice(-Math.max(3, Number(process.env.GROWTH_MINUTES ?? Math.ceil(minutes.length / 2))));
    const per = (k: 'town' | 'node' | 'pty' | 'dolt' | 'disk') => slope(last.map((m) => [m.t, m[k]])).toFixed(1);
    console.log(`memory growth over minutes ${last[0].t}-${last[last.length - 1].t} (least-squares slope): town ${per('town')} MB/min (node ${per('node')}, pty host ${per('pty')}, dolt ${per('dolt')}); ledger on disk ${per('disk')} MB/min (${last[0].disk.toFixed(0)} → ${last[last.length - 1].disk.toFixed(0)} MB)`);
  }
  console.log(`per completed bead: ${perBead(total(commits))} Dolt commits, ${perBead(w1.q - w0.q)} SQL statements, ${perBead(w1.c.polls - w0.c.polls)} feed polls (${((w1.c.polls - w0.c.polls) / elapsed).toFixed(1)}/s), `
    + `${perBead(w1.c.events - w0.c.events)} feed events carrying ${perBead(w1.c.changes - w0.c.changes)} bead changes`);
  console.log(`Dolt commits in the run by author: op (${total(commits)} in all):`);
  for (const [k, n] of [...commits].sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(6)}  ${(n / Math.max(1, closed)).toFixed(2)}/bead  ${k}`);
  console.log(`PTY host: ${(ptyMb * 1024).toFixed(0)} KB of session output, ${cpu('pty').toFixed(1)} CPU-s (${((cpu('pty') / elapsed) * 100).toFixed(1)}% of a core) → ${(cpu('pty') / Math.max(ptyMb, 1e-3)).toFixed(1)} CPU-s per MB`);
  for (const line of timeline.report()) console.log(line);
  console.log(`node event-loop delay: p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(0)} ms`);
} finally {
  await b.close();
}
