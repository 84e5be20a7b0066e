// Cooking a molecule against writing the same beads by hand: a 20-step chained formula cooked with
// `formulaCook` (2 commits: root, then every step with its dependencies) vs the same 21 beads and 19
// dependencies made one request at a time (40 commits), interleaved in one run; and `convoyStage`
// over 200 beads in 10 dependency layers. Prints medians and the ratio.
//   npx tsx bench/molecule-cook.ts          (RUNS=5 by default)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../preload/types.ts';
import type { MoleculeStatus, ConvoyPlan } from '../preload/requests/molecule-types.ts';
import { benchTown, percentile } from './town-bench-util.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const STEPS = 20;
const { town, rig, call, close } = await benchTown({ maxPolecats: 1 });
try {
  const steps = Array.from({ length: STEPS }, (_, i) => ['[[steps]]', `id = "s${i}"`, `title = "step ${i} of {{what}}"`, 'description = "do it"'].join('\n'));
  mkdirSync(join(town.paths.root, 'formulas'), { recursive: true });
  writeFileSync(join(town.paths.root, 'formulas', 'chain.toml'), ['formula = "chain"', 'mode = "parallel"', '[vars.what]', 'default = "x"', '', ...steps.map((s, i) => (i ? `${s}\nneeds = ["s${i - 1}"]` : s))].join('\n\n'));
  const cook: number[] = [];
  const byHand: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    const mol = await call<MoleculeStatus>('formulaCook', { name: 'chain', rig: rig.name, vars: { what: `run ${r}` } });
    cook.push(performance.now() - t0);
    if (mol.steps.length !== STEPS) throw new Error('cook made the wrong number of steps');
    t0 = performance.now();
    const root = await call<Bead>('beadCreate', { title: `by hand ${r}`, type: 'molecule', prefix: rig.prefix });
    let previous: string | null = null;
    for (let i = 0; i < STEPS; i++) {
      const b: Bead = await call<Bead>('beadCreate', { title: `step ${i}`, parent: root.id });
      if (previous) await call('beadDepAdd', { id: b.id, dependsOn: previous });
      previous = b.id;
    }
    byHand.push(performance.now() - t0);
  }
  // Convoy planning over 200 beads in 10 layers (each bead waits on one of the layer before).
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    const b = await call<Bead>('beadCreate', { title: `plan ${i}`, prefix: rig.prefix });
    if (i >= 20) await call('beadDepAdd', { id: b.id, dependsOn: ids[i - 20] });
    ids.push(b.id);
  }
  const stage: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const plan = await call<ConvoyPlan>('convoyStage', { beads: ids });
    stage.push(performance.now() - t0);
    if (plan.waves.length !== 10) throw new Error(`expected 10 waves, got ${plan.waves.length}`);
  }
  const med = (xs: number[]) => percentile(xs, 50);
  console.log(`cook ${STEPS}-step molecule (2 commits):         p50 ${med(cook).toFixed(0)} ms  (runs: ${cook.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`same beads + deps one request each (${STEPS * 2} commits): p50 ${med(byHand).toFixed(0)} ms  (runs: ${byHand.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`ratio by hand / cook: ${(med(byHand) / med(cook)).toFixed(1)}×`);
  console.log(`convoy stage, 200 beads in 10 waves: p50 ${med(stage).toFixed(0)} ms`);
} finally {
  await close();
}
