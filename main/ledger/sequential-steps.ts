// Steps of a sequential molecule are not ready work: one polecat walks them in order through the
// molecule's work bead (docs/molecules.md), so nobody else may pick one up. This is that one rule,
// read by `ready` (gt bead ready, the convoy feeder, the Mayor's overview) and by the sling,
// hook and convoy refusals (main/town/polecats/work-beads.ts).
//
// Invariants:
// - A bead is a sequential step iff it is a `parent-child` child of a bead of type `molecule`, not
//   closed, whose metadata.molecule.mode is "sequential" (what cooking writes: cook-plan.ts). The
//   parent is the truth, so molecules cooked before this rule existed obey it too.
// - Reads only.
import type { Query } from './bead-queries.ts';

/** SQL condition on the parent row `p` (joined through a parent-child dependency). */
export const SEQUENTIAL_PARENT = `(p.issue_type = 'molecule' AND p.status <> 'closed'
  AND JSON_UNQUOTE(JSON_EXTRACT(p.metadata, '$.molecule.mode')) = 'sequential')`;

/** Of these beads, the sequential steps: bead id → the id of the molecule that walks it. */
export async function sequentialMolecules(q: Query, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await q<{ id: string; molecule: string }>(
      `SELECT d.issue_id AS id, p.id AS molecule FROM dependencies d JOIN issues p ON p.id = d.depends_on_issue_id
       WHERE d.issue_id IN (?) AND d.type = 'parent-child' AND ${SEQUENTIAL_PARENT}`,
      [ids.slice(i, i + 1000)],
    );
    for (const r of rows) out.set(String(r.id), String(r.molecule));
  }
  return out;
}
