// Time from `gt done` to landed for one merge request with a trivial gate (`true`), through the
// real town (Dolt ledger, BeadFeed poke, the rig's Refinery, phases written to the ledger), against
// the refinery alone (bench/refinery-latency.ts: submit → landed over a JSON store) measured in
// the same run. A polecat writes its file and stays on its hook; the bench then calls `done` as
// that polecat (the request `gt done` sends) and waits for the `mergeQueue` landed event, then for
// the work bead to close (a bead is done when its code has landed: closed by the rig's queue store).
//   npx tsx bench/town-done-to-landed.ts            (ROUNDS=8 by default)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../preload/types.ts';
import type { DoneResult, SlingResult } from '../preload/requests/work-types.ts';
import type { MergeQueueEvent } from '../preload/requests/merge-queue-types.ts';
import { measureRefineryLatency } from './refinery-latency.ts';
import { benchTown, percentile } from './town-bench-util.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 8);

const baseline = await measureRefineryLatency(ROUNDS);
const b = await benchTown({ maxPolecats: 1 });
const landed = new Map<string, (at: number) => void>();
b.town.onEvent((name, payload) => {
  if (name !== 'mergeQueue') return;
  const e = payload as MergeQueueEvent;
  if (e.type === 'landed') for (const id of e.ids) landed.get(id)?.(performance.now());
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const town: number[] = [];
const closed: number[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const file = `done-${i}.txt`;
    // The script writes its file, then hangs: `done` is ours to call, so its start can be timed.
    const description = ['```gt-script', `write ${file} round ${i}\\n`, 'hang', '```'].join('\n');
    const bead = await b.call<Bead>('beadCreate', { title: `round ${i}`, prefix: 'bn', description });
    // The previous round's polecat is idle once its lingering session is gone; sling may need a retry.
    let s: SlingResult | null = null;
    while (!s || s.outcome !== 'hooked') {
      s = await b.call<SlingResult>('sling', { bead: bead.id, target: 'bench' }).catch(() => null);
      if (!s || s.outcome !== 'hooked') {
        if (s?.outcome === 'queued') throw new Error(`sling queued: ${s.reason}`);
        await sleep(200);
      }
    }
    while (!existsSync(join(s.workdir!, file))) await sleep(50);
    await sleep(300); // let the script finish its write before `done` commits the leftovers

    const t0 = performance.now();
    const done = (await b.town.call('done', { cwd: s.workdir! }, { actor: s.agent!, transport: 'in-process', consumer: 'bench' })) as DoneResult;
    if (!done.mergeRequest) throw new Error(`round ${i}: done made no merge request`);
    const at = await new Promise<number>((resolve) => landed.set(done.mergeRequest!, resolve));
    town.push(at - t0);
    landed.delete(done.mergeRequest);
    while ((await b.call<Bead>('beadShow', { id: bead.id })).status !== 'closed') await sleep(10);
    closed.push(performance.now() - t0);
    // The hanging session is stopped by the Witness (nothing on its hook any more).
    await b.call('terminalClose', { id: s.terminal! }).catch(() => undefined);
  }
  const p50 = percentile(town, 50);
  const base50 = percentile(baseline.viaRefinery, 50);
  console.log(`gt done → landed, trivial gate, through the town: p50 ${p50.toFixed(0)} ms, p95 ${percentile(town, 95).toFixed(0)} ms (n=${town.length})`);
  console.log(`gt done → work bead closed (landed): p50 ${percentile(closed, 50).toFixed(0)} ms, p95 ${percentile(closed, 95).toFixed(0)} ms`);
  console.log(`refinery alone (submit → landed, JSON store), same run: p50 ${base50.toFixed(0)} ms (n=${baseline.viaRefinery.length})`);
  console.log(`ratio town/refinery alone: p50 ${(p50 / base50).toFixed(2)}`);
  console.log(`  town rounds: ${town.map((x) => x.toFixed(0)).join(' ')}`);
} finally {
  await b.close();
}
