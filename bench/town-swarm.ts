// 30 `script` agents working at once on one rig for a bounded run: the town's own CPU share and
// memory (this process + PTY host + dolt sql-server; the agents' processes are excluded), beads
// completed per minute, and where the town's work goes per completed bead: Dolt commits (by
// author and operation), SQL statements, feed polls and diff sizes, PTY host CPU per MB of
// output, node event-loop delay. The baseline is the same town idle for a few seconds in the same run.
//   npx tsx bench/town-swarm.ts          (AGENTS=30 SECONDS=60 by default; the issue asks 5 minutes: SECONDS=300)
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Bead } from '../preload/types.ts';
import type { ConvoyStatus } from '../preload/requests/work-types.ts';
import { benchTown, childCpuSeconds, cpuSeconds, rssMb, scriptDescription } from './town-bench-util.ts';
import { traceBeads } from './bead-timeline.ts';

const AGENTS = Number(process.env.AGENTS ?? 30);
const SECONDS = Number(process.env.SECONDS ?? 60);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 15);
const b = await benchTown({ maxPolecats: AGENTS, settings: { tickMs: 2000 } });
const timeline = traceBeads(b);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

const nodeCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const parts = () => ({ node: nodeCpu(), pty: cpuSeconds(b.town.pty.pid), dolt: cpuSeconds(b.town.dolt.pid) });
const townRss = (): number => process.memoryUsage().rss / 1048576 + rssMb(b.town.pty.pid) + rssMb(b.town.dolt.pid);
const rssLine = () => `node ${(process.memoryUsage().rss / 1048576).toFixed(0)}, pty host ${rssMb(b.town.pty.pid).toFixed(0)}, dolt ${rssMb(b.town.dolt.pid).toFixed(0)} MB`;

// Counters: the feed's polls (wrapped), the bead changes it delivered, the PTY bytes that reached
// the town, and the statements Dolt answered (its global Questions counter, which counts ours too).
const counters = { polls: 0, events: 0, changes: 0, ptyBytes: 0 };
const feed = b.town.feed as unknown as { poll(): Promise<void> };
const poll = feed.poll.bind(feed);
feed.poll = () => { counters.polls++; return poll(); };
b.town.feed.on('event', (e) => { counters.events++; counters.changes += e.changes.length; });
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
    + `${((i1.q - i0.q) / idleS).toFixed(1)} SQL statements/s, ${((i1.c.polls - i0.c.polls) / idleS).toFixed(1)} feed polls/s, ${idleCommits} commits; RSS ${idleRss.toFixed(0)} MB (${rssLine()})`);

  // Enough work to keep every agent busy for the whole run (each bead sleeps 3 s).
  const count = Math.ceil((AGENTS * SECONDS) / 3) + AGENTS;
  const inputs = Array.from({ length: count }, (_, i) => ({ title: `swarm ${i}`, prefix: 'bn', description: scriptDescription(`s${i}.txt`, `bead ${i}`, 3) }));
  const s0 = performance.now();
  const beads: Bead[] = await b.town.ledger.createMany(inputs, 'overseer');
  const s1 = performance.now();
  const convoy = await b.call<ConvoyStatus>('convoyCreate', { name: 'swarm', beads: beads.map((x) => x.id), rig: 'bench' });
  console.log(`setup: ${count} beads created in ${((s1 - s0) / 1000).toFixed(1)} s, convoy tracking them in ${((performance.now() - s1) / 1000).toFixed(1)} s`);

  const w0 = await snap();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // The agents' own CPU: their sessions are the PTY host's children (the shell waits for the agent
  // and its `gt` calls), so finished sessions show up in the host's cutime+cstime.
  const a0 = childCpuSeconds(b.town.pty.pid);
  let peakRss = 0;
  let peakSessions = 0;
  let peakParts = '';
  let nextMinute = 60;
  while (performance.now() - w0.at < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 2000));
    const rss = townRss();
    if (rss > peakRss) peakParts = rssLine();
    peakRss = Math.max(peakRss, rss);
    peakSessions = Math.max(peakSessions, b.town.work.sessions.list().length);
    const t = (performance.now() - w0.at) / 1000;
    if (t >= nextMinute) {
      console.log(`  minute ${nextMinute / 60}: town RSS ${rss.toFixed(0)} MB (${rssLine()}); load ${load()}`);
      nextMinute += 60;
    }
  }
  delay.disable();
  const w1 = await snap();
  const elapsed = (w1.at - w0.at) / 1000;
  const cpu = (k: keyof Snap['cpu']) => w1.cpu[k] - w0.cpu[k];
  const busyShare = (cpu('node') + cpu('pty') + cpu('dolt')) / elapsed;
  const agentCpu = childCpuSeconds(b.town.pty.pid) - a0;
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
  console.log(`agents' own CPU (finished sessions, with their gt calls and git): ${agentCpu.toFixed(0)} s = ${(agentCpu / Math.max(1, closed)).toFixed(2)} CPU-s per completed bead, ${((agentCpu / elapsed) * 100).toFixed(0)}% of a core; town CPU per bead ${((busyShare * elapsed) / Math.max(1, closed)).toFixed(2)} s`);
  console.log(`town memory (RSS): idle ${idleRss.toFixed(0)} MB, peak busy ${peakRss.toFixed(0)} MB → ratio ${(peakRss / idleRss).toFixed(2)}x (at the peak: ${peakParts})`);
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
