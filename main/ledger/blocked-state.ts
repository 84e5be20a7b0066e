// Keeps issues.is_blocked right (beads §7.1, the `blocks` + `parent-child` rules): a bead that is not
// closed/pinned is blocked when a `blocks` target is not closed/pinned, or its parent is blocked.
// Materialised so `ready` stays one indexed query at 100k beads.
import type { WriteTx } from './write-tx.ts';

const WANT_BLOCKED = `(i.status NOT IN ('closed','pinned') AND (
  EXISTS (SELECT 1 FROM dependencies d JOIN issues t ON t.id = d.depends_on_issue_id
          WHERE d.issue_id = i.id AND d.type = 'blocks' AND t.status NOT IN ('closed','pinned'))
  OR EXISTS (SELECT 1 FROM dependencies d JOIN issues p ON p.id = d.depends_on_issue_id
          WHERE d.issue_id = i.id AND d.type = 'parent-child' AND p.is_blocked = 1)))`;

/**
 * Recomputes the seeds, the beads a seed blocks directly, and (level by level) the parent-child
 * descendants of every bead whose flag changed. Only rows whose value changes are written.
 * `settled`: the seeds were just closed or pinned by the caller's own UPDATE, which also set their
 * is_blocked to 0 (a closed or pinned bead is never blocked): they are not computed again (that
 * query, with its two correlated subqueries, was the dearest statement of a close); what they block
 * and their children (whom a parent that was blocked may free) are.
 */
export async function recomputeBlocked(tx: WriteTx, seeds: string[], settled = false): Promise<void> {
  if (!seeds.length) return;
  const dependents = await tx.query<{ id: string }>(
    settled
      ? "SELECT DISTINCT issue_id AS id FROM dependencies WHERE type IN ('blocks','parent-child') AND depends_on_issue_id IN (?)"
      : "SELECT DISTINCT issue_id AS id FROM dependencies WHERE type = 'blocks' AND depends_on_issue_id IN (?)",
    [seeds],
  );
  let level = [...new Set([...(settled ? [] : seeds), ...dependents.map((r) => r.id)])];
  // Parent-child cycles are refused on insert; the depth cap only guards against foreign data.
  for (let depth = 0; level.length && depth < 1000; depth++) {
    const rows = await tx.query<{ id: string; is_blocked: number; want: number }>(
      `SELECT i.id, i.is_blocked, ${WANT_BLOCKED} AS want FROM issues i WHERE i.id IN (?)`,
      [level],
    );
    const toOne = rows.filter((r) => Number(r.want) === 1 && Number(r.is_blocked) !== 1).map((r) => r.id);
    const toZero = rows.filter((r) => Number(r.want) !== 1 && Number(r.is_blocked) !== 0).map((r) => r.id);
    const changed = [...toOne, ...toZero];
    // The feed reports a changed is_blocked of a bead this write did not make: not described here.
    const described = changed.every((id) => tx.described?.isCreated(id) ?? false);
    if (toOne.length) tx.updateIssues('UPDATE issues SET is_blocked = 1 WHERE id IN (?)', [toOne], described);
    if (toZero.length) tx.updateIssues('UPDATE issues SET is_blocked = 0 WHERE id IN (?)', [toZero], described);
    if (!changed.length) break;
    tx.touch('issues');
    const children = await tx.query<{ id: string }>(
      "SELECT DISTINCT issue_id AS id FROM dependencies WHERE type = 'parent-child' AND depends_on_issue_id IN (?)",
      [changed],
    );
    level = children.map((r) => r.id);
  }
}

/** Full recompute in memory (imports, repairs): two reads, then only the changed rows are written. */
export async function recomputeAllBlocked(tx: WriteTx): Promise<number> {
  const issues = await tx.query<{ id: string; status: string; is_blocked: number }>('SELECT id, status, is_blocked FROM issues');
  const edges = await tx.query<{ issue_id: string; target: string; type: string }>(
    "SELECT issue_id, depends_on_issue_id AS target, type FROM dependencies WHERE type IN ('blocks','parent-child') AND depends_on_issue_id IS NOT NULL",
  );
  const status = new Map(issues.map((r) => [r.id, r.status]));
  const blockers = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  for (const e of edges) {
    const m = e.type === 'blocks' ? blockers : parents;
    if (!m.has(e.issue_id)) m.set(e.issue_id, []);
    m.get(e.issue_id)!.push(e.target);
  }
  const done = (id: string) => ['closed', 'pinned'].includes(status.get(id) ?? 'closed');
  const memo = new Map<string, boolean>();
  const visiting = new Set<string>();
  const blocked = (id: string): boolean => {
    if (memo.has(id)) return memo.get(id)!;
    if (done(id) || visiting.has(id)) return false;
    visiting.add(id);
    const v = (blockers.get(id) ?? []).some((t) => status.has(t) && !done(t)) || (parents.get(id) ?? []).some((p) => blocked(p));
    visiting.delete(id);
    memo.set(id, v);
    return v;
  };
  const toOne: string[] = [];
  const toZero: string[] = [];
  for (const r of issues) {
    const want = blocked(r.id);
    if (want && Number(r.is_blocked) !== 1) toOne.push(r.id);
    if (!want && Number(r.is_blocked) !== 0) toZero.push(r.id);
  }
  for (let i = 0; i < toOne.length; i += 1000) tx.updateIssues('UPDATE issues SET is_blocked = 1 WHERE id IN (?)', [toOne.slice(i, i + 1000)]);
  for (let i = 0; i < toZero.length; i += 1000) tx.updateIssues('UPDATE issues SET is_blocked = 0 WHERE id IN (?)', [toZero.slice(i, i + 1000)]);
  if (toOne.length || toZero.length) tx.touch('issues');
  return toOne.length + toZero.length;
}
