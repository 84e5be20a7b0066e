// Convoy planning: the waves of a set of beads — topological layers of their `blocks` dependencies
// (Kahn's algorithm: wave 1 = beads waiting on no bead of the set; wave N+1 = beads whose blockers
// inside the set are all in waves ≤ N). Pure and shared: the Town plans and stages convoys with it
// (main/town/molecules/), the convoy graph labels a staged convoy's waves with it (renderer/), and
// formulas name their cycles with findCycle.
//
// Invariants:
// - Every bead lands in exactly one wave, after all of its blockers inside the set.
// - Dependencies on beads outside the set do not order the waves (they are reported, not planned).
// - A cycle is an error naming its beads in order.
export interface WaveBead {
  id: string;
  title: string;
  /** Ids this bead waits on (its `blocks` dependencies), inside the set or not. */
  blockers: string[];
}

export type WavePlan =
  | { ok: true; waves: string[][]; outside: Array<{ id: string; waitsOn: string[] }> }
  | { ok: false; cycle: string[] };

export function computeWaves(beads: WaveBead[]): WavePlan {
  const ids = beads.map((b) => b.id);
  const inSet = new Set(ids);
  const needs = new Map(beads.map((b) => [b.id, [...new Set(b.blockers.filter((x) => inSet.has(x) && x !== b.id))]]));
  const outside = beads
    .map((b) => ({ id: b.id, waitsOn: b.blockers.filter((x) => !inSet.has(x)) }))
    .filter((o) => o.waitsOn.length);
  const waves: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < ids.length) {
    const wave = ids.filter((id) => !placed.has(id) && needs.get(id)!.every((n) => placed.has(n)));
    if (!wave.length) {
      return { ok: false, cycle: findCycle(ids.filter((id) => !placed.has(id)), (id) => needs.get(id) ?? []) };
    }
    for (const id of wave) placed.add(id);
    waves.push(wave);
  }
  return { ok: true, waves, outside };
}

/** The plan as text, one wave per block. */
export function renderWaves(plan: Extract<WavePlan, { ok: true }>, titles: Map<string, string>): string {
  const out: string[] = [];
  plan.waves.forEach((wave, i) => {
    out.push(`Wave ${i + 1} (${wave.length}):`);
    for (const id of wave) out.push(`  ${id}  ${titles.get(id) ?? ''}`);
  });
  for (const o of plan.outside) out.push(`note: ${o.id} also waits on ${o.waitsOn.join(', ')} (outside this plan)`);
  return out.join('\n');
}

/** One cycle among nodes that all wait on something (every one of them lies on or leads to a cycle). */
export function findCycle(stuck: string[], needs: (id: string) => string[]): string[] {
  const inStuck = new Set(stuck);
  const path: string[] = [];
  const onPath = new Map<string, number>();
  let at = stuck[0];
  for (;;) {
    if (onPath.has(at)) return path.slice(onPath.get(at));
    onPath.set(at, path.length);
    path.push(at);
    const next = needs(at).find((n) => inStuck.has(n));
    if (next === undefined) return path; // cannot happen for truly stuck nodes
    at = next;
  }
}
