// Sling-to-working latency: from `sling` to the polecat's session showing output (agentStatus
// working), for polecats that need a new worktree and for idle polecats reusing theirs. The
// baseline is the new-worktree case measured in the same run; the ratio is what to compare.
// Each sling names its polecat (`bench/polecats/lat-<i>`): with an unnamed sling the rig reuses any
// idle polecat first, so after the first few beads finish the "new" round would be reusing too.
//   npx tsx bench/town-sling-latency.ts            (ROUNDS=8 by default)
import type { Bead } from '../preload/types.ts';
import type { AgentStatusEvent, SlingResult } from '../preload/requests/work-types.ts';
import { benchTown, percentile, scriptDescription } from './town-bench-util.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 8);
const b = await benchTown({ maxPolecats: ROUNDS });
const working = new Map<string, (at: number) => void>();
b.town.onEvent((name, payload) => {
  if (name !== 'agentStatus') return;
  const e = payload as AgentStatusEvent;
  if (e.state === 'working') working.get(e.agent)?.(performance.now());
});

async function round(label: string, polecats: string[]): Promise<number[]> {
  const beads: Bead[] = [];
  for (let i = 0; i < ROUNDS; i++) beads.push(await b.call<Bead>('beadCreate', { title: `${label} ${i}`, prefix: 'bn', description: scriptDescription(`${label}-${i}.txt`, 'x', 0.5) }));
  const times: number[] = [];
  // One at a time: the latency of one sling, not of a burst queueing behind the rig's lock.
  for (const [i, bead] of beads.entries()) {
    const t0 = performance.now();
    const r = await b.call<SlingResult>('sling', { bead: bead.id, target: polecats[i] });
    const at = await new Promise<number>((resolve) => working.set(r.agent!, resolve));
    working.delete(r.agent!);
    times.push(at - t0);
  }
  // Let every bead finish so its polecat is idle (with its worktree) for the next round.
  for (;;) {
    const open = await b.call<Bead[]>('beadList', { prefix: 'bn', status: 'hooked' });
    if (!open.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1500));
  return times;
}

try {
  const polecats = Array.from({ length: ROUNDS }, (_, i) => `bench/polecats/lat-${i}`);
  const fresh = await round('new', polecats);
  const reused = await round('reuse', polecats);
  const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms, p95 ${percentile(xs, 95).toFixed(0)} ms`;
  console.log(`sling → working, new worktree (baseline): ${fmt(fresh)}  (n=${fresh.length})`);
  console.log(`sling → working, idle polecat reusing its worktree: ${fmt(reused)}  (n=${reused.length})`);
  console.log(`ratio reuse/new: p50 ${(percentile(reused, 50) / percentile(fresh, 50)).toFixed(2)}, p95 ${(percentile(reused, 95) / percentile(fresh, 95)).toFixed(2)}`);
} finally {
  await b.close();
}
