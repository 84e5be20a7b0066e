// Gate runs per landed request: 16 merge requests with 0, 1 and 2 gate-breakers, batch-then-bisect
// (batch 4) against the sequential baseline (batch size 1: one gate run per request, plus the
// flaky retry of each failure), both measured in this run on real git with a real gate.
//   npx tsx bench/refinery-gate-runs.ts

import { Refinery } from '../main/refinery/refinery.ts';
import { JsonFileStore } from '../main/refinery/json-file-store.ts';
import { GATE, badModule, goodModule, makeRig } from '../test/integration/refinery-fixture.ts';

const N = 16;
const CULPRITS: Record<number, number[]> = { 0: [], 1: [5], 2: [5, 12] };

async function measure(batchSize: number, culprits: number[]): Promise<{ runs: number; landed: number; rejected: number; ms: number }> {
  const fix = makeRig();
  try {
    const store = new JsonFileStore(fix.storeFile);
    const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, batchSize }, store);
    let runs = 0;
    refinery.on('event', (e) => e.type === 'gate' && runs++);
    for (let i = 0; i < N; i++) {
      fix.branch(`mr${i}`, culprits.includes(i) ? badModule(`m${i}`) : goodModule(`m${i}`));
      await refinery.submit(`mr${i}`);
    }
    const t0 = performance.now();
    let landed = 0;
    let rejected = 0;
    for (let pass = 0; pass < 100; pass++) {
      const r = await refinery.processOnce();
      landed += r.merged.length;
      rejected += r.rejected.length;
      if (r.kind !== 'batch') break;
    }
    return { runs, landed, rejected, ms: performance.now() - t0 };
  } finally {
    fix.cleanup();
  }
}

console.log(`refinery gate runs: ${N} requests, gate "${GATE}", batch 4 vs sequential (batch 1)`);
console.log('culprits | landed | batch runs | runs/landed | sequential runs | runs/landed | naive 1/request | ratio batch/sequential | time batch/sequential');
for (const k of [0, 1, 2]) {
  const seq = await measure(1, CULPRITS[k]);
  const bat = await measure(4, CULPRITS[k]);
  if (bat.landed !== N - k || seq.landed !== N - k || bat.rejected !== k) throw new Error(`unexpected outcome: ${JSON.stringify({ bat, seq })}`);
  const per = (x: { runs: number; landed: number }) => (x.runs / x.landed).toFixed(3);
  console.log(
    `${k}        | ${bat.landed}     | ${bat.runs}          | ${per(bat)}       | ${seq.runs}              | ${per(seq)}       | ${(N / (N - k)).toFixed(3)}           | ${(bat.runs / seq.runs).toFixed(3)}                  | ${(bat.ms / seq.ms).toFixed(3)} (${bat.ms.toFixed(0)} ms / ${seq.ms.toFixed(0)} ms)`,
  );
}
