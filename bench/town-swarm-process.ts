// The swarm with the town as a user runs it: `gt up` from the CLI bundle (dist/cli/gt.js, built
// from this tree first), a process of its own with no TypeScript loader and none of the bench's
// records in its heap. bench/town-swarm.ts runs Town.start inside the bench's process to read the
// town's internals (the feed's polls, each bead's timeline, the ledger's statements), so its node
// figures include tsx, the bench and those records. This one drives the town only through the
// TownApi socket, as the overseer, and reads each process from /proc: the town (node), its git
// runner, the PTY host and Dolt. Same shape of work as the swarm: AGENTS script agents on one rig,
// beads that each sleep 3 s, a convoy tracking them; the baseline is the same town idle first.
//   npx tsx bench/town-swarm-process.ts        (AGENTS=30 SECONDS=60 IDLE_SECONDS=15 by default)
//   BEAD_SECONDS=30 …   beads that sleep longer: the town at a slower pace than the 3 s
//   TOWN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" …   node options for the town's process
//   (NODE_OPTIONS refuses --cpu-prof); the profile is written when the town stops at the end.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Bead } from '../preload/types.ts';
import { connectToTown } from '../main/cli/socket-client.ts';
import { readSecrets } from '../main/town/config.ts';
import { townPaths } from '../main/town/paths.ts';
import { buildCli } from '../scripts/build-cli.ts';
import { benchRigArgs, benchTownFolders, childCpuSeconds, cpuSeconds, machineBusySeconds, memoryMb, scriptDescription } from './town-bench-util.ts';
import { childMatching, liveDescendantsCpuSeconds } from './process-cpu.ts';

const AGENTS = Number(process.env.AGENTS ?? 30);
const SECONDS = Number(process.env.SECONDS ?? 60);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 15);
const BEAD_SECONDS = Number(process.env.BEAD_SECONDS ?? 3);
const root = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

await buildCli();
const { base, dir, repo } = benchTownFolders({ settings: { tickMs: 2000 } });
const nodeArgs = (process.env.TOWN_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const town = spawn(process.execPath, [...nodeArgs, join(root, 'bin', 'gt.mjs'), 'up', '--town', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
let townLog = '';
town.stderr.setEncoding('utf8').on('data', (t: string) => { townLog = (townLog + t).slice(-4000); });
const exited = new Promise<number | null>((resolve) => town.once('exit', (code) => resolve(code)));
// The town's Dolt and PTY host: killed with it if it does not stop in time, so none is left running.
let children: Array<number | null> = [];
try {
  await new Promise<void>((resolve, reject) => {
    let out = '';
    town.stdout.setEncoding('utf8').on('data', (t: string) => { out += t; if (out.includes('town up at')) resolve(); });
    void exited.then((code) => reject(new Error(`gt up exited (${code}) before the town was up:\n${townLog}`)));
  });
  const paths = townPaths(dir);
  const socket = await connectToTown(paths.socket, readSecrets(paths).apiToken, 'overseer', dir);
  const api = socket.client;
  try {
    await api.rigAdd(benchRigArgs(repo, AGENTS));
    const status = await api.townStatus({});
    const pid = { node: town.pid!, git: childMatching(town.pid!, /git-runner/), pty: status.ptyHost.pid, dolt: status.dolt.pid };
    children = [pid.pty, pid.dolt];
    const parts = () => ({ node: cpuSeconds(pid.node), git: cpuSeconds(pid.git), pty: cpuSeconds(pid.pty), dolt: cpuSeconds(pid.dolt) });
    type Parts = ReturnType<typeof parts>;
    const townCpu = (p: Parts) => p.node + p.git + p.pty + p.dolt;
    const rss = () => ({ node: memoryMb(pid.node).rss, git: memoryMb(pid.git).rss, pty: memoryMb(pid.pty).rss, dolt: memoryMb(pid.dolt).rss });
    const rssTotal = (r: ReturnType<typeof rss>) => r.node + r.git + r.pty + r.dolt;
    const rssText = (r: ReturnType<typeof rss>) => `node ${r.node.toFixed(0)}, git runner ${r.git.toFixed(0)}, pty host ${r.pty.toFixed(0)}, dolt ${r.dolt.toFixed(0)} MB`;
    const shares = (from: Parts, to: Parts, seconds: number) =>
      `node ${(((to.node - from.node) / seconds) * 100).toFixed(1)}, git runner ${(((to.git - from.git) / seconds) * 100).toFixed(1)}, pty host ${(((to.pty - from.pty) / seconds) * 100).toFixed(1)}, dolt ${(((to.dolt - from.dolt) / seconds) * 100).toFixed(1)}`;

    console.log(`machine load (1/5/15 min) at start: ${load()}; ${cpus().length} cores; the town: \`gt up\` (pid ${pid.node}) from dist/cli`);
    await sleep(3000);
    const i0 = { cpu: parts(), at: performance.now() };
    await sleep(IDLE_SECONDS * 1000);
    const i1 = { cpu: parts(), at: performance.now() };
    const idleS = (i1.at - i0.at) / 1000;
    const idleShare = (townCpu(i1.cpu) - townCpu(i0.cpu)) / idleS;
    const idleRss = rss();
    console.log(`idle ${idleS.toFixed(0)} s: town CPU ${(idleShare * 100).toFixed(1)}% of a core (${shares(i0.cpu, i1.cpu, idleS)}); RSS ${rssTotal(idleRss).toFixed(0)} MB (${rssText(idleRss)})`);

    const count = Number(process.env.BEADS ?? Math.ceil((AGENTS * SECONDS) / BEAD_SECONDS) + AGENTS);
    const inputs = Array.from({ length: count }, (_, i) => ({ title: `swarm ${i}`, prefix: 'bn', description: scriptDescription(`s${i}.txt`, `bead ${i}`, BEAD_SECONDS) }));
    const BATCH = 10_000;
    const beads: Bead[] = [];
    for (let at = 0; at < count; at += BATCH) beads.push(...(await api.beadCreateMany({ beads: inputs.slice(at, at + BATCH) })));
    const ids = beads.map((x) => x.id);
    let convoy = await api.convoyCreate({ name: 'swarm', beads: ids.slice(0, BATCH), rig: 'bench' });
    for (let at = BATCH; at < count; at += BATCH) convoy = await api.convoyAdd({ id: convoy.id, beads: ids.slice(at, at + BATCH) });

    // The agents' own CPU: the PTY host's children, finished (waited for) and running.
    const agentsCpu = () => childCpuSeconds(pid.pty) + liveDescendantsCpuSeconds(pid.pty!);
    // git run by the town: the git runner's children, reaped by it.
    const townGitCpu = () => childCpuSeconds(pid.git);
    const w0 = { cpu: parts(), at: performance.now(), agents: agentsCpu(), townGit: townGitCpu() };
    let peak = rss();
    let minuteFrom = { cpu: w0.cpu, machine: machineBusySeconds(), closed: 0 };
    let nextMinute = 60;
    while (performance.now() - w0.at < SECONDS * 1000) {
      await sleep(2000);
      const now = rss();
      if (rssTotal(now) > rssTotal(peak)) peak = now;
      if ((performance.now() - w0.at) / 1000 >= nextMinute) {
        const closed = (await api.convoyStatus({ id: convoy.id })).progress.closed;
        const cpu = parts();
        const machine = machineBusySeconds();
        console.log(`  minute ${nextMinute / 60}: ${closed - minuteFrom.closed} beads closed; town RSS ${rssTotal(now).toFixed(0)} MB (${rssText(now)}); CPU % of a core: ${shares(minuteFrom.cpu, cpu, 60)}, machine ${(((machine - minuteFrom.machine) / 60) * 100).toFixed(0)} of ${cpus().length * 100}; load ${load()}`);
        minuteFrom = { cpu, machine, closed };
        nextMinute += 60;
      }
    }
    const w1 = { cpu: parts(), at: performance.now(), agents: agentsCpu(), townGit: townGitCpu() };
    const elapsed = (w1.at - w0.at) / 1000;
    const closed = (await api.convoyStatus({ id: convoy.id })).progress.closed;
    const perMinute = closed / (elapsed / 60);
    const ideal = (AGENTS * 60) / BEAD_SECONDS;
    const busyShare = (townCpu(w1.cpu) - townCpu(w0.cpu)) / elapsed;
    console.log(`${AGENTS} script agents on one rig for ${elapsed.toFixed(0)} s (${cpus().length} cores); machine load now ${load()}`);
    console.log(`beads completed: ${closed} → ${perMinute.toFixed(1)} per minute (ideal at ${BEAD_SECONDS} s/bead: ${ideal.toFixed(0)}) = ${((perMinute / ideal) * 100).toFixed(0)}% of ideal`);
    console.log(`town CPU (node + git runner + pty host + dolt, agents excluded): idle ${(idleShare * 100).toFixed(1)}% of a core, busy ${(busyShare * 100).toFixed(1)}% (${shares(w0.cpu, w1.cpu, elapsed)}) → ratio ${(busyShare / Math.max(idleShare, 1e-3)).toFixed(1)}x; town CPU per bead ${((busyShare * elapsed) / Math.max(1, closed)).toFixed(3)} s`);
    console.log(`agents' own CPU: ${(((w1.agents - w0.agents) / elapsed) * 100).toFixed(0)}% of a core; git run by the town: ${(((w1.townGit - w0.townGit) / elapsed) * 100).toFixed(1)}% of a core`);
    console.log(`town memory (RSS): idle ${rssTotal(idleRss).toFixed(0)} MB, peak busy ${rssTotal(peak).toFixed(0)} MB → ratio ${(rssTotal(peak) / rssTotal(idleRss)).toFixed(2)}x (at the peak: ${rssText(peak)})`);
  } finally {
    socket.close();
  }
} finally {
  town.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') {
    console.log(`the town did not stop within 30 s: killed, with its Dolt and PTY host`);
    town.kill('SIGKILL');
    for (const child of children) if (child) try { process.kill(child, 'SIGKILL'); } catch { /* gone */ }
  }
  rmSync(base, { recursive: true, force: true });
}
