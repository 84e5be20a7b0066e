// Changing a bead's fields, closing and reopening it. Invariants: one write, one commit (`update`,
// `close` or `reopen` <id>; updateMany: several beads, still one write and one commit); closed_at is
// set iff the status is closed; started_at is set on the first in_progress; leaving pinned clears the
// flag; `expectStatus` refuses the write (conflict) unless the current status is one of those, and
// `expectAssignee` unless the current assignee is that one; `addLabels` adds labels in the same write;
// crossing closed/pinned recomputes is_blocked of the dependents.
import type { Bead } from '../../preload/types.ts';
import { TownError } from '../../preload/errors.ts';
import { sqlTime } from './bead-rows.ts';
import { recomputeBlocked } from './blocked-state.ts';
import { insertLabel } from './bead-notes.ts';
import { beadInTx, mustGet, type LedgerContext } from './ledger-context.ts';
import { BeadIdSchema, BeadUpdateSchema, CloseSchema, validate, type BeadUpdate } from './ledger-schemas.ts';
import type { SqlParam, WriteTx } from './write-tx.ts';

/** Changes fields of a bead (one commit `update <id>`, or `close`/`reopen` when status crosses closed). */
export async function update(ctx: LedgerContext, id: string, patch: BeadUpdate, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'update');
  const p = validate(BeadUpdateSchema, patch, 'update');
  const op = p.status === 'closed' ? 'close' : 'update';
  return ctx.write(actor, op, (tx) => applyUpdate(tx, id, p, undefined));
}

/** Changes several beads in one write and one commit (`update <id> <id>…`), in the order given; a
 *  failed compare-and-set (or a missing bead) refuses the whole write. `closeReason`: the reason of
 *  an item whose patch closes it (as closeBead's). */
export async function updateMany(ctx: LedgerContext, items: Array<{ id: string; patch: BeadUpdate; closeReason?: string }>, actor: string): Promise<Bead[]> {
  const parsed = items.map(({ id, patch, closeReason }) => ({
    id: validate(BeadIdSchema, id, 'updateMany'), p: validate(BeadUpdateSchema, patch, 'updateMany'),
    reason: closeReason === undefined ? undefined : validate(CloseSchema, { reason: closeReason }, 'updateMany').reason,
  }));
  const ids = parsed.map((x) => x.id);
  if (!ids.length) return [];
  if (new Set(ids).size !== ids.length) throw new TownError('invalid', `updateMany: a bead may appear once (${ids.join(', ')})`);
  const op = parsed.some((x) => x.p.status === 'closed') ? 'close' : 'update';
  return ctx.write(actor, op, async (tx) => {
    const rows = await currentRows(tx, ids);
    const out: Bead[] = [];
    for (const x of parsed) out.push(await applyUpdate(tx, x.id, x.p, x.reason, rows.get(x.id)));
    tx.subject = ids.join(' ');
    return out;
  });
}

/** Closes a bead; `also` changes its assignee or metadata in the same write (one commit). */
export async function closeBead(ctx: LedgerContext, id: string, reason: string, actor: string, also: Pick<BeadUpdate, 'assignee' | 'metadata'> = {}): Promise<Bead> {
  validate(BeadIdSchema, id, 'close');
  const { reason: r } = validate(CloseSchema, { reason }, 'close');
  const extra = Object.keys(also).length ? validate(BeadUpdateSchema, also, 'close') : {};
  return ctx.write(actor, 'close', (tx) => applyUpdate(tx, id, { ...extra, status: 'closed' }, r));
}

export async function reopen(ctx: LedgerContext, id: string, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'reopen');
  return ctx.write(actor, 'reopen', (tx) => applyUpdate(tx, id, { status: 'open' }, undefined));
}

/** The rows of several beads as the write sees them, in one statement (a missing one is absent). */
export async function currentRows(tx: WriteTx, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  if (!ids.length) return new Map();
  const rows = await tx.query('SELECT * FROM issues WHERE id IN (?)', [ids]);
  return new Map(rows.map((r) => [String(r.id), r]));
}

/** `current`: the bead's row read earlier in this write (updateMany reads them all at once; no other
 *  item of the batch changes its fields, only a recompute may change its is_blocked); else read here. */
export async function applyUpdate(tx: WriteTx, id: string, p: ReturnType<typeof BeadUpdateSchema.parse>, closeReason: string | undefined, current?: Record<string, unknown>): Promise<Bead> {
  tx.subject = id;
  const old = current ?? (await mustGet(tx, id));
  const oldStatus = String(old.status);
  if (p.expectStatus && !p.expectStatus.includes(oldStatus as never)) {
    throw new TownError('conflict', `${id} is ${oldStatus}, expected ${p.expectStatus.join(' or ')}`);
  }
  if (p.expectAssignee !== undefined && ((old.assignee as string | null) || null) !== p.expectAssignee) {
    throw new TownError('conflict', `${id} is assigned to ${old.assignee ?? 'nobody'}, expected ${p.expectAssignee ?? 'nobody'}`);
  }
  const sets: string[] = [];
  const params: SqlParam[] = [];
  const set = (col: string, v: SqlParam) => { sets.push(`${col} = ?`); params.push(v); };
  const changes: Record<string, unknown> = {};
  if (p.title !== undefined) { set('title', p.title); changes.title = p.title; }
  if (p.description !== undefined) { set('description', p.description); changes.description = p.description; }
  if (p.type !== undefined) { set('issue_type', p.type); changes.issue_type = p.type; }
  if (p.priority !== undefined) { set('priority', p.priority); changes.priority = p.priority; }
  if (p.assignee !== undefined) { set('assignee', p.assignee); changes.assignee = p.assignee; }
  if (p.owner !== undefined) { set('owner', p.owner); changes.owner = p.owner; }
  if (p.metadata !== undefined) { set('metadata', JSON.stringify(p.metadata)); changes.metadata = p.metadata; }
  if (p.deferUntil !== undefined) { set('defer_until', p.deferUntil ? sqlTime(p.deferUntil) : null); changes.defer_until = p.deferUntil; }
  const newStatus = p.status ?? oldStatus;
  if (p.status !== undefined && p.status !== oldStatus) {
    set('status', p.status);
    changes.status = p.status;
    if (p.status === 'closed') { set('closed_at', tx.now); set('close_reason', closeReason ?? ''); }
    if (oldStatus === 'closed') { set('closed_at', null); set('close_reason', ''); }
    if (p.status === 'in_progress' && !old.started_at) set('started_at', tx.now);
    if (oldStatus === 'pinned') set('pinned', 0);
  }
  for (const label of p.addLabels ?? []) await insertLabel(tx, id, label);
  if (!sets.length) return beadInTx(tx, id);
  set('updated_at', tx.now);
  await tx.updateIssues(`UPDATE issues SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  tx.touch('issues');
  const eventType = newStatus === 'closed' && oldStatus !== 'closed' ? 'closed'
    : oldStatus === 'closed' && newStatus !== 'closed' ? 'reopened'
    : p.status !== undefined && p.status !== oldStatus ? 'status_changed' : 'updated';
  await tx.event({
    issueId: id, type: eventType,
    oldValue: eventType === 'closed' ? '' : JSON.stringify(old),
    newValue: eventType === 'closed' ? (closeReason ?? '') : JSON.stringify(changes),
  });
  const terminal = (s: string) => s === 'closed' || s === 'pinned';
  if (terminal(oldStatus) !== terminal(newStatus)) await recomputeBlocked(tx, [id]);
  return beadInTx(tx, id);
}
