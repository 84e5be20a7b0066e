// Wisps: ephemeral beads for patrol steps and scratch work, kept in bd v1.0.5's own wisp tables
// (`wisps`, `wisp_labels`, `wisp_comments`, `wisp_events`, `wisp_dependencies`), which Dolt ignores.
// Invariants:
// - Creating, commenting on, burning or expiring a wisp never makes a Dolt commit and never dirties
//   a committed table: nothing of it is in history (reference/beads-format.md §11).
// - A wisp id looks like a bead id (`<prefix>-<hash>`) and is unique across `issues` and `wisps`.
// - Squashing turns the wisp into a real bead with the same id, labels and comments, in one write and
//   one Dolt commit (`squash <id>`) authored by the squasher; the wisp is gone in the same transaction.
// - Expiry is by age since the last change (`updated_at`): a sweep removes wisps older than the TTL.
import type { Bead, Comment } from '../../preload/types.ts';
import { TownError } from '../../preload/errors.ts';
import { idCandidates } from './bead-ids.ts';
import { beadSelect, commentsColumn, ISSUE_SELECT, type IssueRow, labelledList, rowComments, rowToBead, rowToComment, sqlTime } from './bead-rows.ts';
import type { Query } from './bead-queries.ts';
import { recomputeBlocked } from './blocked-state.ts';
import type { WriteTx } from './write-tx.ts';

/** Wisps older than this (since their last change) are swept away by default: one day. */
export const DEFAULT_WISP_TTL_MS = 24 * 60 * 60 * 1000;

export interface WispCreateInput {
  title: string;
  description?: string;
  type?: string;
  priority?: number;
  prefix: string;
  assignee?: string | null;
  labels?: string[];
  metadata?: Record<string, unknown>;
}

/** The moment before which a wisp last changed counts as expired. Pure. */
export function wispCutoff(now: Date, ttlMs: number): Date {
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new TownError('invalid', 'wisp time-to-live must be a non-negative number of milliseconds');
  return new Date(now.getTime() - ttlMs);
}

/** Inserts a wisp inside `tx` (which touches no committed table); returns its id. */
export async function insertWisp(tx: WriteTx, input: WispCreateInput, count: number): Promise<string> {
  let id = '';
  for (const candidate of idCandidates(input.prefix, count, { title: input.title, description: input.description ?? '', creator: tx.actor })) {
    const taken = await tx.query('SELECT id FROM issues WHERE id = ? UNION ALL SELECT id FROM wisps WHERE id = ?', [candidate, candidate]);
    if (!taken.length) {
      id = candidate;
      break;
    }
  }
  if (!id) throw new TownError('conflict', `no free wisp id under prefix ${input.prefix}`);
  await tx.exec(
    `INSERT INTO wisps (id, title, description, status, priority, issue_type, assignee, created_by, created_at, updated_at, metadata, ephemeral)
     VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, 1)`,
    [id, input.title, input.description ?? '', input.priority ?? 2, input.type ?? 'task', input.assignee ?? null, tx.actor, tx.now, tx.now,
      JSON.stringify(input.metadata ?? {})],
  );
  for (const label of new Set(input.labels ?? [])) await tx.exec('INSERT INTO wisp_labels (issue_id, label) VALUES (?, ?)', [id, label]);
  await tx.exec("INSERT INTO wisp_events (issue_id, event_type, actor, created_at) VALUES (?, 'created', ?, ?)", [id, tx.actor, tx.now]);
  return id;
}

export async function countWisps(q: Query): Promise<number> {
  return Number((await q<{ n: number }>('SELECT COUNT(*) AS n FROM wisps'))[0].n);
}

/** Wisps with their labels (one statement), newest change last; `prefix` limits to one rig's. */
export async function listWisps(q: Query, opts: { prefix?: string; limit?: number } = {}): Promise<Bead[]> {
  const where = opts.prefix ? 'WHERE i.id LIKE ?' : '';
  const params: unknown[] = opts.prefix ? [`${opts.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`] : [];
  const order = 'ORDER BY i.updated_at, i.id';
  const rows = await q<IssueRow>(labelledList(`SELECT ${ISSUE_SELECT} FROM wisps i ${where} ${order} LIMIT ?`, order, 'wisp_labels'), [...params, opts.limit ?? 1000]);
  return rows.map((r) => rowToBead(r));
}

/** One wisp with its labels and comments, or null: one statement. */
export async function readWisp(q: Query, id: string): Promise<Bead | null> {
  const rows = await q<IssueRow>(`SELECT ${beadSelect('wisp_labels')}, ${commentsColumn('wisp_comments')} FROM wisps i WHERE i.id = ?`, [id]);
  if (!rows.length) return null;
  const wisp = rowToBead(rows[0]);
  wisp.comments = rowComments(rows[0]);
  wisp.dependencies = [];
  return wisp;
}

/** Adds a comment to a wisp inside `tx` (no commit). */
export async function commentWisp(tx: WriteTx, id: string, text: string): Promise<Comment> {
  if (!(await tx.query('SELECT id FROM wisps WHERE id = ?', [id])).length) throw new TownError('not_found', `no wisp ${id}`);
  await tx.exec('INSERT INTO wisp_comments (issue_id, author, text, created_at) VALUES (?, ?, ?, ?)', [id, tx.actor, text, tx.now]);
  await tx.exec('UPDATE wisps SET updated_at = ? WHERE id = ?', [tx.now, id]);
  const [row] = await tx.query('SELECT * FROM wisp_comments WHERE issue_id = ? ORDER BY created_at DESC, id DESC LIMIT 1', [id]);
  return rowToComment(row);
}

/**
 * Deletes wisps (their labels, comments, events and dependencies go with them by cascade) inside
 * `tx`. A committed `dependencies` row pointing at one of them is removed too, which touches a
 * committed table: the caller's write then commits it. Returns the ids that existed.
 */
export async function deleteWisps(tx: WriteTx, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const found = (await tx.query<{ id: string }>('SELECT id FROM wisps WHERE id IN (?)', [ids])).map((r) => r.id);
  if (!found.length) return [];
  const pointing = await tx.exec('DELETE FROM dependencies WHERE depends_on_wisp_id IN (?)', [found]);
  if (pointing.affectedRows > 0) tx.touch('dependencies');
  await tx.exec('DELETE FROM wisp_dependencies WHERE depends_on_wisp_id IN (?)', [found]);
  await tx.exec('DELETE FROM wisps WHERE id IN (?)', [found]);
  return found;
}

/** Ids of wisps whose last change is before `cutoff`. */
export async function expiredWispIds(tx: WriteTx, cutoff: Date, limit = 10_000): Promise<string[]> {
  const rows = await tx.query<{ id: string }>('SELECT id FROM wisps WHERE updated_at < ? ORDER BY updated_at LIMIT ?', [sqlTime(cutoff.toISOString()), limit]);
  return rows.map((r) => r.id);
}

const ISSUE_COPY_COLUMNS = [
  'id', 'content_hash', 'title', 'description', 'design', 'acceptance_criteria', 'notes', 'status', 'priority', 'issue_type',
  'assignee', 'estimated_minutes', 'created_at', 'created_by', 'owner', 'started_at', 'closed_at', 'close_reason',
  'due_at', 'defer_until', 'external_ref', 'source_system', 'source_repo', 'spec_id', 'metadata', 'sender', 'mol_type', 'work_type',
].join(', ');

/**
 * Turns wisp `id` into a real bead inside `tx` (a Ledger write, so it ends in a Dolt commit): the row
 * moves to `issues` (ephemeral cleared, updated now), labels and comments follow, dependencies on
 * beads follow, and the wisp is deleted.
 */
export async function squashWisp(tx: WriteTx, id: string): Promise<void> {
  if (!(await tx.query('SELECT id FROM wisps WHERE id = ?', [id])).length) throw new TownError('not_found', `no wisp ${id}`);
  // A bead took the id meanwhile (a writer that checked only `issues`): refuse rather than retry.
  if ((await tx.query('SELECT id FROM issues WHERE id = ?', [id])).length) throw new TownError('conflict', `cannot squash wisp ${id}: a bead already has that id`);
  await tx.exec(
    `INSERT INTO issues (${ISSUE_COPY_COLUMNS}, updated_at, ephemeral, wisp_type)
     SELECT ${ISSUE_COPY_COLUMNS}, ?, 0, '' FROM wisps WHERE id = ?`,
    [tx.now, id],
  );
  await tx.exec('INSERT INTO labels (issue_id, label) SELECT issue_id, label FROM wisp_labels WHERE issue_id = ?', [id]);
  await tx.exec("INSERT INTO comments (id, issue_id, author, text, created_at) SELECT id, issue_id, COALESCE(author, ''), text, COALESCE(created_at, ?) FROM wisp_comments WHERE issue_id = ?", [tx.now, id]);
  const deps = await tx.exec(
    `INSERT INTO dependencies (id, issue_id, type, created_at, created_by, metadata, thread_id, depends_on_issue_id)
     SELECT id, issue_id, type, COALESCE(created_at, ?), COALESCE(created_by, ''), COALESCE(metadata, JSON_OBJECT()), COALESCE(thread_id, ''), depends_on_issue_id
     FROM wisp_dependencies WHERE issue_id = ? AND depends_on_issue_id IS NOT NULL`,
    [tx.now, id],
  );
  tx.touch('issues', 'labels', 'comments');
  if (deps.affectedRows > 0) tx.touch('dependencies');
  await tx.event({ issueId: id, type: 'created', comment: `squashed from wisp ${id}` });
  // Beads that depended on the wisp now depend on the bead it became.
  const repointed = await tx.exec('UPDATE dependencies SET depends_on_issue_id = depends_on_wisp_id, depends_on_wisp_id = NULL WHERE depends_on_wisp_id = ?', [id]);
  if (repointed.affectedRows > 0) tx.touch('dependencies');
  await deleteWisps(tx, [id]);
  if (deps.affectedRows > 0) await recomputeBlocked(tx, [id]);
}
