// Labels and comments on a bead. Invariants: adding a label twice or removing an absent one changes
// nothing and writes no event; each change writes its event (label_added/removed, commented) in the
// same write and commit as the change. What a write returns (the bead, the comment) is built from the
// row read before the change and what it wrote, not read back.
import { newRowId } from './row-ids.ts';
import type { Bead, Comment } from '../../preload/types.ts';
import { isoTime, rowLabels, rowToBead } from './bead-rows.ts';
import { mustGet, mustGetBeadRow, type LedgerContext } from './ledger-context.ts';
import { BeadIdSchema, CommentTextSchema, LabelSchema, validate } from './ledger-schemas.ts';
import type { WriteTx } from './write-tx.ts';

export async function addLabel(ctx: LedgerContext, id: string, label: string, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'label');
  const l = validate(LabelSchema, label, 'label');
  return ctx.write(actor, 'label add', async (tx) => {
    tx.subject = `${id} ${l}`;
    const row = await mustGetBeadRow(tx, id);
    const labels = rowLabels(row);
    if (await insertLabel(tx, id, l, labels)) labels.push(l);
    return rowToBead(row, labels);
  });
}

/** Adds a (validated) label to a bead inside a write, with its event; an existing one changes nothing.
 *  Whether it was added. `held`: the bead's labels as the write holds them (read in it, with what it
 *  added since): the change is then described for the feed (own-changes.ts). */
export async function insertLabel(tx: WriteTx, id: string, label: string, held?: readonly string[]): Promise<boolean> {
  const res = await tx.exec('INSERT IGNORE INTO labels (issue_id, label) VALUES (?, ?)', [id, label], held !== undefined);
  if (res.affectedRows === 0) return false;
  if (held) tx.describe((d) => d.labelsChanged(id, [...held, label]));
  tx.touch('labels');
  await tx.event({ issueId: id, type: 'label_added', comment: `Added label: ${label}` });
  return true;
}

export async function removeLabel(ctx: LedgerContext, id: string, label: string, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'label');
  const l = validate(LabelSchema, label, 'label');
  return ctx.write(actor, 'label rm', async (tx) => {
    tx.subject = `${id} ${l}`;
    const row = await mustGetBeadRow(tx, id);
    const res = await tx.exec('DELETE FROM labels WHERE issue_id = ? AND label = ?', [id, l]);
    if (res.affectedRows === 0) return rowToBead(row);
    tx.touch('labels');
    await tx.event({ issueId: id, type: 'label_removed', comment: `Removed label: ${l}` });
    return rowToBead(row, rowLabels(row).filter((x) => x !== l));
  });
}

export async function addComment(ctx: LedgerContext, id: string, text: string, actor: string): Promise<Comment> {
  validate(BeadIdSchema, id, 'comment');
  const t = validate(CommentTextSchema, text, 'comment');
  return ctx.write(actor, 'comment', async (tx) => {
    tx.subject = id;
    await mustGet(tx, id);
    const cid = newRowId();
    await tx.exec('INSERT INTO comments (id, issue_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)', [cid, id, tx.actor, t, tx.now]);
    tx.touch('comments');
    await tx.event({ issueId: id, type: 'commented', comment: t.slice(0, 1000) });
    return { id: cid, issueId: id, author: tx.actor, text: t, createdAt: isoTime(tx.now) };
  });
}
