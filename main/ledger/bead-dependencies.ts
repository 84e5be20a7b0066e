// Dependencies between beads: add one (`dep add`), add many in one commit, remove one (`dep rm`).
// Invariants: one edge per (bead, target) whatever the type; no self edges; no cycle of `blocks` or of
// `parent-child` edges; every change writes a dependency_added/removed event and recomputes is_blocked
// of the dependent inside the same write.
import { newRowId } from './row-ids.ts';
import type { DependencyType } from '../../preload/types.ts';
import { TownError } from '../../preload/errors.ts';
import { recomputeBlocked } from './blocked-state.ts';
import { mustGet, type LedgerContext } from './ledger-context.ts';
import { BeadIdSchema, DependencyTypeSchema, validate } from './ledger-schemas.ts';
import type { WriteTx } from './write-tx.ts';

/** `issueId` depends on `dependsOnId` (for `blocks`: dependsOnId blocks issueId), as `bd dep add A B`. Returns false if it already existed. */
export async function addDependency(ctx: LedgerContext, issueId: string, dependsOnId: string, type: DependencyType, actor: string): Promise<boolean> {
  validate(BeadIdSchema, issueId, 'dependency');
  validate(BeadIdSchema, dependsOnId, 'dependency target');
  const t = validate(DependencyTypeSchema, type, 'dependency type');
  return ctx.write(actor, 'dep add', async (tx) => {
    tx.subject = `${t} ${issueId} -> ${dependsOnId}`;
    const added = await insertDependency(tx, issueId, dependsOnId, t);
    if (added) await recomputeBlocked(tx, [issueId]);
    return added;
  });
}

/**
 * `issueId` depends on every bead of `dependsOnIds` with one type, in one transaction and one commit
 * (`dep add N`): a convoy tracking a thousand beads is one write, not a thousand. All or nothing: a
 * missing target, a conflicting existing type or a cycle refuses the whole batch. Returns how many
 * were added (existing ones of the same type are skipped).
 */
export async function addDependencies(ctx: LedgerContext, issueId: string, dependsOnIds: string[], type: DependencyType, actor: string): Promise<number> {
  validate(BeadIdSchema, issueId, 'dependency');
  if (!Array.isArray(dependsOnIds)) throw new TownError('invalid', 'addDependencies: dependsOnIds must be a list of bead ids');
  if (dependsOnIds.length > 10_000) throw new TownError('invalid', 'addDependencies: at most 10,000 dependencies per batch');
  const targets = [...new Set(dependsOnIds.map((id) => validate(BeadIdSchema, id, 'dependency target')))];
  const t = validate(DependencyTypeSchema, type, 'dependency type');
  if (!targets.length) return 0;
  if (targets.includes(issueId)) throw new TownError('invalid', `a bead cannot depend on itself (${issueId})`);
  return ctx.write(actor, 'dep add', async (tx) => {
    tx.subject = `${t} ${issueId} -> ${targets.length} beads`;
    await mustGet(tx, issueId);
    const found = new Set<string>();
    const existing = new Map<string, string>();
    for (let i = 0; i < targets.length; i += 1000) {
      const chunk = targets.slice(i, i + 1000);
      for (const r of await tx.query<{ id: string }>('SELECT id FROM issues WHERE id IN (?)', [chunk])) found.add(r.id);
      const deps = await tx.query<{ d: string; type: string }>('SELECT depends_on_issue_id AS d, type FROM dependencies WHERE issue_id = ? AND depends_on_issue_id IN (?)', [issueId, chunk]);
      for (const r of deps) existing.set(r.d, r.type);
    }
    const missing = targets.filter((id) => !found.has(id));
    if (missing.length) throw new TownError('not_found', `cannot add dependencies: no bead ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}`);
    const clash = targets.find((id) => existing.has(id) && existing.get(id) !== t);
    if (clash) throw new TownError('conflict', `${issueId} already has a ${existing.get(clash)} dependency on ${clash}; remove it first`);
    const fresh = targets.filter((id) => !existing.has(id));
    if (!fresh.length) return 0;
    // Only blocking edges can form a cycle that matters; insertDependency checks them one by one.
    if (t === 'blocks' || t === 'parent-child') {
      for (const id of fresh) await insertDependency(tx, issueId, id, t);
    } else {
      for (let i = 0; i < fresh.length; i += 500) {
        const rows = fresh.slice(i, i + 500).map((id) => [newRowId(), issueId, t, tx.now, tx.actor, '{}', '', id]);
        await tx.exec('INSERT INTO dependencies (id, issue_id, type, created_at, created_by, metadata, thread_id, depends_on_issue_id) VALUES ?', [rows], true);
        for (const row of rows) tx.describe((d) => d.dependencyAdded(row[0], issueId, row[7], t));
      }
      tx.touch('dependencies');
      await tx.events(fresh.map((id) => ({ issueId, type: 'dependency_added', newValue: JSON.stringify({ depends_on_id: id, type: t }) })));
    }
    await recomputeBlocked(tx, [issueId]);
    return fresh.length;
  });
}

/** Removes the dependency of issueId on dependsOnId (any type). Returns false if there was none. */
export async function removeDependency(ctx: LedgerContext, issueId: string, dependsOnId: string, actor: string): Promise<boolean> {
  validate(BeadIdSchema, issueId, 'dependency');
  validate(BeadIdSchema, dependsOnId, 'dependency target');
  return ctx.write(actor, 'dep rm', async (tx) => {
    tx.subject = `${issueId} -> ${dependsOnId}`;
    await mustGet(tx, issueId);
    const rows = await tx.query<{ id: string; type: string }>('SELECT id, type FROM dependencies WHERE issue_id = ? AND depends_on_issue_id = ?', [issueId, dependsOnId]);
    if (!rows.length) return false;
    await tx.exec('DELETE FROM dependencies WHERE id = ?', [rows[0].id]);
    tx.touch('dependencies');
    await tx.event({ issueId, type: 'dependency_removed', oldValue: JSON.stringify({ depends_on_id: dependsOnId, type: rows[0].type }) });
    await recomputeBlocked(tx, [issueId]);
    return true;
  });
}

export async function insertDependency(tx: WriteTx, issueId: string, dependsOnId: string, type: DependencyType): Promise<boolean> {
  if (issueId === dependsOnId) throw new TownError('invalid', `a bead cannot depend on itself (${issueId})`);
  // Both beads and an edge already between them, in one statement (three point reads).
  const [found] = await tx.query<{ issue: number; target: number; existing: string | null }>(
    `SELECT (SELECT COUNT(*) FROM issues WHERE id = ?) AS issue, (SELECT COUNT(*) FROM issues WHERE id = ?) AS target,
       (SELECT type FROM dependencies WHERE issue_id = ? AND depends_on_issue_id = ? LIMIT 1) AS existing`,
    [issueId, dependsOnId, issueId, dependsOnId],
  );
  if (!Number(found.issue)) throw new TownError('not_found', `no bead ${issueId}`);
  if (!Number(found.target)) throw new TownError('not_found', `cannot add dependency: no bead ${dependsOnId}`);
  if (found.existing !== null) {
    if (found.existing === type) return false;
    throw new TownError('conflict', `${issueId} already has a ${found.existing} dependency on ${dependsOnId}; remove it first`);
  }
  if (type === 'blocks' || type === 'parent-child') {
    // A new edge issueId → dependsOnId closes a cycle iff dependsOnId already reaches issueId.
    const path = await tx.query<{ id: string }>(
      `WITH RECURSIVE reach (id) AS (
         SELECT depends_on_issue_id FROM dependencies WHERE issue_id = ? AND type = ? AND depends_on_issue_id IS NOT NULL
         UNION
         SELECT d.depends_on_issue_id FROM dependencies d JOIN reach r ON d.issue_id = r.id WHERE d.type = ? AND d.depends_on_issue_id IS NOT NULL
       ) SELECT id FROM reach WHERE id = ? LIMIT 1`,
      [dependsOnId, type, type, issueId],
    );
    if (path.length) {
      throw new TownError('invalid', `refused: ${issueId} ${type} ${dependsOnId} would create a cycle (${dependsOnId} already depends on ${issueId})`);
    }
  }
  const rowId = newRowId();
  await tx.exec(
    "INSERT INTO dependencies (id, issue_id, type, created_at, created_by, metadata, thread_id, depends_on_issue_id) VALUES (?, ?, ?, ?, ?, '{}', '', ?)",
    [rowId, issueId, type, tx.now, tx.actor, dependsOnId],
    true,
  );
  tx.describe((d) => d.dependencyAdded(rowId, issueId, dependsOnId, type));
  tx.touch('dependencies');
  await tx.event({ issueId, type: 'dependency_added', newValue: JSON.stringify({ depends_on_id: dependsOnId, type }) });
  return true;
}
