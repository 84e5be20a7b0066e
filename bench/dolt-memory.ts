// Dolt's memory settings against its CPU and speed (main/ledger/dolt-settings.ts), same run:
// for each memory limit, a fresh server takes the swarm bench's bulk load (BEADS beads in one
// createMany, then a convoy-sized update of all of them) and a stream of single commits
// (WRITES creates + updates, as agents do); printed: wall time, Dolt CPU-s, Dolt RSS peak and end.
//   npx tsx bench/dolt-memory.ts       (SETTINGS=none,256/50,192/50,128/50: limit MiB / GOGC; BEADS=3030 WRITES=300)
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { cpuSeconds } from './town-bench-util.ts';
import { scriptDescription } from './town-bench-util.ts';

// "none": Dolt's own defaults (no memory limit: its caches at 256+256+32 MiB) with GOGC 50.
const SETTINGS = (process.env.SETTINGS ?? 'none,256/50,192/50,128/50').split(',').map((s) => {
  const [limit, gogc] = s.split('/');
  return { limit: limit === 'none' ? 1_000_000 : Number(limit), gogc: Number(gogc ?? 50) };
});
const BEADS = Number(process.env.BEADS ?? 3030);
const WRITES = Number(process.env.WRITES ?? 300);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

console.log(`machine load at start: ${load()}`);
for (const { limit, gogc } of SETTINGS) {
  const town = await startTempDolt({ memory: { memoryLimitMiB: limit, gogc } });
  const pid = town.server.pid!;
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, rss(pid)); }, 250);
  try {
    const ledger = await Ledger.open(town.server.connection());
    const c0 = cpuSeconds(pid);
    const t0 = performance.now();
    const inputs = Array.from({ length: BEADS }, (_, i) => ({ title: `swarm ${i}`, prefix: 'bn', description: scriptDescription(`s${i}.txt`, `bead ${i}`, 3) }));
    const beads = await ledger.createMany(inputs, 'overseer');
    const t1 = performance.now();
    const c1 = cpuSeconds(pid);
    const bulkPeak = peak;
    for (let i = 0; i < WRITES; i++) {
      if (i % 2) await ledger.create({ title: `single ${i}`, prefix: 'bn' }, 'bench');
      else await ledger.update(beads[i % beads.length].id, { status: 'in_progress' }, 'bench');
    }
    const t2 = performance.now();
    const c2 = cpuSeconds(pid);
    await ledger.close();
    console.log(`limit ${limit >= 1_000_000 ? 'none (Dolt defaults)' : `${limit} MiB`}, GOGC ${gogc}: bulk ${BEADS} beads ${((t1 - t0) / 1000).toFixed(1)} s, dolt ${(c1 - c0).toFixed(1)} CPU-s, peak ${bulkPeak.toFixed(0)} MB; `
      + `${WRITES} single commits ${((t2 - t1) / 1000).toFixed(1)} s (${((t2 - t1) / WRITES).toFixed(0)} ms each), dolt ${(c2 - c1).toFixed(1)} CPU-s; RSS peak ${peak.toFixed(0)} MB, end ${rss(pid).toFixed(0)} MB; load ${load()}`);
  } finally {
    clearInterval(sampler);
    await town.dispose();
  }
}
