// Changing a bead's fields, closing and reopening it. Invariants: one write, one commit (`update`,
// `close` or `reopen` <id>; updateMany: several beads, still one write and one commit); closed_at is
// set iff the status is closed; started_at is set on the first in_progress; leaving pinned clears the
// flag; `expectStatus` refuses the write (conflict) unless the current status is one of those, and
// `expectAssignee` unless the current assignee is that one; `addLabels` adds labels in the same write;
// crossing closed/pinned recomputes is_blocked of the dependents (a write of several beads: once, for
// all of them, after their UPDATEs: BlockedSeeds). Each bead's row (with its labels) is
// read once, before its update (updateMany: all of them in one statement), and the Bead returned is
// built from that row and what the write set, with no read after the UPDATE: it equals what a `show`
// reads once the write has committed (test/integration/ledger-update-readback.test.ts). A patch may
// be derived from that row (DerivedPatch): a caller that would read a bead only to build its patch
// (merge its metadata, check its status) reads nothing before the write, and what it builds on is
// the state it writes over, not one read earlier.
import type { Bead } from '../../preload/types.ts';
import { TownError } from '../../preload/errors.ts';
import { rowLabels, rowToBead, sqlTime, type IssueRow } from './bead-rows.ts';
import { recomputeBlocked } from './blocked-state.ts';
import { insertLabel } from './bead-notes.ts';
import { beadRowsInTx, mustGetBeadRow, type LedgerContext } from './ledger-context.ts';
import { BeadIdSchema, BeadUpdateSchema, CloseSchema, validate, type BeadUpdate } from './ledger-schemas.ts';
import type { EventRow, SqlParam, WriteTx } from './write-tx.ts';

/** Changes fields of a bead (one commit `update <id>`, or `close`/`reopen` when status crosses closed). */
export async function update(ctx: LedgerContext, id: string, patch: BeadUpdate, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'update');
  const p = validate(BeadUpdateSchema, patch, 'update');
  const op = p.status === 'closed' ? 'close' : 'update';
  return ctx.write(actor, op, (tx) => applyUpdate(tx, id, p, undefined));
}

/**
 * A patch built inside the write from the bead as the write read it (its row and labels, under the
 * write's transaction): no read before the write, and nothing it builds on can change before it is
 * written over. `current` is null when there is no such bead. Returns null to leave the bead as it is
 * (the answer carries it unchanged; a missing one is left out); a TownError thrown refuses the whole
 * write. It may be called again if the write reruns: it must only compute.
 */
export type DerivedPatch = (current: Bead | null) => BeadUpdate | null;

/** One bead's part of a write of several (updateMany, createAndUpdate). */
export interface UpdateItem {
  id: string;
  patch: BeadUpdate | DerivedPatch;
  closeReason?: string;
}

interface ParsedItem {
  id: string;
  /** The validated patch, or the function that builds it in the write. */
  p: ParsedUpdate | DerivedPatch;
  reason: string | undefined;
}

/** Validates a write's items (a derived patch is validated once built, in the write). */
export function parseItems(items: UpdateItem[], where: string): ParsedItem[] {
  const parsed = items.map(({ id, patch, closeReason }) => ({
    id: validate(BeadIdSchema, id, where),
    p: typeof patch === 'function' ? patch : validate(BeadUpdateSchema, patch, where),
    reason: closeReason === undefined ? undefined : validate(CloseSchema, { reason: closeReason }, where).reason,
  }));
  const ids = parsed.map((x) => x.id);
  if (new Set(ids).size !== ids.length) throw new TownError('invalid', `${where}: a bead may appear once (${ids.join(', ')})`);
  return parsed;
}

/** Applies parsed items in one write: their rows read in one statement, derived patches built from
 *  them, one is_blocked recompute after every UPDATE. Names the write a close when one closes. */
export async function applyItems(tx: WriteTx, items: ParsedItem[], where: string): Promise<Bead[]> {
  const rows = await beadRowsInTx(tx, items.map((x) => x.id));
  const seeds = new BlockedSeeds();
  const out: Bead[] = [];
  for (const x of items) {
    const row = rows.get(x.id);
    let p: ParsedUpdate;
    if (typeof x.p === 'function') {
      const built = x.p(row ? rowToBead(row) : null);
      if (!built) {
        if (row) out.push(rowToBead(row));
        continue;
      }
      p = validate(BeadUpdateSchema, built, where);
    } else {
      p = x.p;
    }
    if (p.status === 'closed') tx.op = 'close';
    out.push(await applyUpdate(tx, x.id, p, x.reason, row, seeds));
  }
  await seeds.recompute(tx);
  return out;
}

/** Changes several beads in one write and one commit (`update <id> <id>…`), in the order given; a
 *  failed compare-and-set (or a missing bead, unless its patch is derived) refuses the whole write.
 *  `closeReason`: the reason of an item whose patch closes it (as closeBead's). The answer: each bead
 *  after the write, in the order given (a derived patch's bead left alone: as it is; missing: left out). */
export async function updateMany(ctx: LedgerContext, items: UpdateItem[], actor: string): Promise<Bead[]> {
  const parsed = parseItems(items, 'updateMany');
  if (!parsed.length) return [];
  return ctx.write(actor, 'update', async (tx) => {
    const out = await applyItems(tx, parsed, 'updateMany');
    tx.subject = parsed.map((x) => x.id).join(' ');
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

/**
 * The beads of one write that crossed closed/pinned, whose dependents' is_blocked is recomputed once,
 * after every UPDATE of the write: one `dependencies` lookup for the whole batch instead of one per
 * bead (the Refinery closes each landed bead with its merge request). Recomputing from the write's
 * final state gives what recomputing after each UPDATE gave: every recompute reads the rows as they
 * are then, and walks the parent-child descendants of every flag it changes.
 */
export class BlockedSeeds {
  /** Closed or pinned by this write (their is_blocked was set to 0 in their UPDATE). */
  private readonly settled: string[] = [];
  /** Reopened or unpinned by this write. */
  private readonly reopened: string[] = [];

  add(id: string, terminal: boolean): void {
    (terminal ? this.settled : this.reopened).push(id);
  }

  async recompute(tx: WriteTx): Promise<void> {
    await recomputeBlocked(tx, this.settled, true);
    await recomputeBlocked(tx, this.reopened, false);
  }
}

/** `current`: the bead's row with its labels read earlier in this write (beadRowsInTx: updateMany reads
 *  them all at once; no other item of the batch changes its fields or labels, only a recompute may
 *  change its is_blocked, which a Bead does not carry); else read here. The Bead returned is that row
 *  with what this update wrote, not read back. `seeds`: a batch's recompute, run by its caller after
 *  every update of the write; without it, this update's own recompute runs here. */
export async function applyUpdate(tx: WriteTx, id: string, p: ParsedUpdate, closeReason: string | undefined, current?: IssueRow, seeds?: BlockedSeeds): Promise<Bead> {
  tx.subject = id;
  const old = current ?? (await mustGetBeadRow(tx, id));
  refuseUnexpected(id, p, old);
  const { columns, changes } = changedColumns(p, old, closeReason, tx.now);
  const labels = await addLabels(tx, id, rowLabels(old), p.addLabels ?? []);
  if (!Object.keys(columns).length) return rowToBead(old, labels);
  const oldStatus = String(old.status);
  const newStatus = p.status ?? oldStatus;
  const crossing = isTerminal(oldStatus) !== isTerminal(newStatus);
  // Closed or pinned: never blocked, set in this UPDATE (recomputeBlocked's `settled`).
  if (crossing && isTerminal(newStatus)) columns.is_blocked = 0;
  columns.updated_at = tx.now;
  const names = Object.keys(columns);
  tx.updateIssues(`UPDATE issues SET ${names.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...Object.values(columns), id], true);
  tx.touch('issues');
  const bead = rowToBead({ ...old, ...columns } as IssueRow, labels);
  tx.describe((d) => d.updated(old, columns, bead));
  await tx.event(updateEvent(id, old, p.status, changes, closeReason));
  if (crossing && seeds) seeds.add(id, isTerminal(newStatus));
  else if (crossing) await recomputeBlocked(tx, [id], isTerminal(newStatus));
  return bead;
}

type ParsedUpdate = ReturnType<typeof BeadUpdateSchema.parse>;

/** The compare-and-set checks: conflict unless the current status and assignee are the ones expected. */
function refuseUnexpected(id: string, p: ParsedUpdate, old: IssueRow): void {
  const oldStatus = String(old.status);
  if (p.expectStatus && !p.expectStatus.includes(oldStatus as never)) {
    throw new TownError('conflict', `${id} is ${oldStatus}, expected ${p.expectStatus.join(' or ')}`);
  }
  if (p.expectAssignee !== undefined && ((old.assignee as string | null) || null) !== p.expectAssignee) {
    throw new TownError('conflict', `${id} is assigned to ${old.assignee ?? 'nobody'}, expected ${p.expectAssignee ?? 'nobody'}`);
  }
}

/**
 * The issues columns the patch sets, with the values written (closed_at/close_reason with the status,
 * started_at on the first in_progress, pinned cleared when leaving pinned), and `changes`: the fields
 * as the update event reports them. updated_at is not among them.
 */
function changedColumns(p: ParsedUpdate, old: IssueRow & { started_at?: unknown }, closeReason: string | undefined, now: string): { columns: Record<string, SqlParam>; changes: Record<string, unknown> } {
  const columns: Record<string, SqlParam> = {};
  const changes: Record<string, unknown> = {};
  const field = (column: string, written: SqlParam, reported: unknown = written) => { columns[column] = written; changes[column] = reported; };
  if (p.title !== undefined) field('title', p.title);
  if (p.description !== undefined) field('description', p.description);
  if (p.type !== undefined) field('issue_type', p.type);
  if (p.priority !== undefined) field('priority', p.priority);
  if (p.assignee !== undefined) field('assignee', p.assignee);
  if (p.owner !== undefined) field('owner', p.owner);
  if (p.metadata !== undefined) field('metadata', JSON.stringify(p.metadata), p.metadata);
  if (p.deferUntil !== undefined) field('defer_until', p.deferUntil ? sqlTime(p.deferUntil) : null, p.deferUntil);
  const oldStatus = String(old.status);
  if (p.status !== undefined && p.status !== oldStatus) {
    field('status', p.status);
    if (p.status === 'closed') Object.assign(columns, { closed_at: now, close_reason: closeReason ?? '' });
    if (oldStatus === 'closed') Object.assign(columns, { closed_at: null, close_reason: '' });
    if (p.status === 'in_progress' && !old.started_at) columns.started_at = now;
    if (oldStatus === 'pinned') columns.pinned = 0;
  }
  return { columns, changes };
}

/** Adds the patch's labels (insertLabel: an existing one changes nothing); the bead's labels after. */
async function addLabels(tx: WriteTx, id: string, labels: string[], added: string[]): Promise<string[]> {
  const after = [...labels];
  for (const label of added) if (await insertLabel(tx, id, label, after)) after.push(label);
  return after;
}

/** The update's event: closed / reopened / status_changed / updated, with the row before and the changes. */
function updateEvent(id: string, old: IssueRow, status: string | undefined, changes: Record<string, unknown>, closeReason: string | undefined): EventRow {
  const oldStatus = String(old.status);
  const newStatus = status ?? oldStatus;
  const type = newStatus === 'closed' && oldStatus !== 'closed' ? 'closed'
    : oldStatus === 'closed' && newStatus !== 'closed' ? 'reopened'
    : newStatus !== oldStatus ? 'status_changed' : 'updated';
  const { labels: _labels, ...row } = old;
  return {
    issueId: id, type,
    oldValue: type === 'closed' ? '' : JSON.stringify(row),
    newValue: type === 'closed' ? (closeReason ?? '') : JSON.stringify(changes),
  };
}

const isTerminal = (status: string) => status === 'closed' || status === 'pinned';
