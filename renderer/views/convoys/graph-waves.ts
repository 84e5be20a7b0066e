// The waves of staged convoys, as labels on the convoy graph's nodes: a staged convoy says
// "staged · N waves", each open bead it tracks "Wave K/N". Pure: beads and dependencies in, labels
// out; the waves come from the one shared computeWaves (preload/waves.ts), as `gt convoy stage` plans.
//
// Invariants:
// - Only staged convoys (preload/staged-convoys.ts) are labelled; launched convoys show no waves.
// - A closed tracked bead has no wave (it is not planned); a closed blocker does not order the waves.
// - A bead tracked by several staged convoys is labelled by the first of them by id.
// - A cycle among a staged convoy's beads labels the convoy "staged · cycle" and none of its beads.
import type { Bead, Dependency } from '../../../preload/types.ts';
import { isStagedConvoy } from '../../../preload/staged-convoys.ts';
import { computeWaves } from '../../../preload/waves.ts';

/** Node id → the wave label it shows (absent: none). */
export function stagedWaveLabels(beads: Record<string, Bead>, dependencies: Record<string, Dependency>): Map<string, string> {
  const labels = new Map<string, string>();
  const staged = Object.values(beads).filter(isStagedConvoy).map((b) => b.id).sort();
  if (!staged.length) return labels;
  const tracked = new Map<string, string[]>(staged.map((id) => [id, []]));
  const blockers = new Map<string, string[]>();
  for (const d of Object.values(dependencies)) {
    if (d.type === 'tracks') tracked.get(d.issueId)?.push(d.dependsOnId);
    else if (d.type === 'blocks' && beads[d.dependsOnId] && beads[d.dependsOnId].status !== 'closed') {
      const list = blockers.get(d.issueId);
      if (list) list.push(d.dependsOnId); else blockers.set(d.issueId, [d.dependsOnId]);
    }
  }
  for (const convoy of staged) {
    const open = tracked.get(convoy)!.filter((id) => beads[id] && beads[id].status !== 'closed').sort();
    const plan = computeWaves(open.map((id) => ({ id, title: beads[id].title, blockers: blockers.get(id) ?? [] })));
    if (!plan.ok) {
      labels.set(convoy, 'staged · cycle');
      continue;
    }
    labels.set(convoy, `staged · ${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}`);
    plan.waves.forEach((wave, i) => {
      for (const id of wave) if (!labels.has(id)) labels.set(id, `Wave ${i + 1}/${plan.waves.length}`);
    });
  }
  return labels;
}
