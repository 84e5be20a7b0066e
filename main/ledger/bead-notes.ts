// Labels and comments on a bead. Invariants: adding a label twice or removing an absent one changes
// nothing and writes no event; each change writes its event (label_added/removed, commented) in the
// same write and commit as the change.
import { randomUUID } from 'node:crypto';
import type { Bead, Comment } from '../../preload/types.ts';
import { rowToComment } from './bead-rows.ts';
import { beadInTx, mustGet, type LedgerContext } from './ledger-context.ts';
import { BeadIdSchema, CommentTextSchema, LabelSchema, validate } from './ledger-schemas.ts';
import type { WriteTx } from './write-tx.ts';

export async function addLabel(ctx: LedgerContext, id: string, label: string, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'label');
  const l = validate(LabelSchema, label, 'label');
  return ctx.write(actor, 'label add', async (tx) => {
    tx.subject = `${id} ${l}`;
    await mustGet(tx, id);
    await insertLabel(tx, id, l);
    return beadInTx(tx, id);
  });
}

/** Adds a (validated) label to a bead inside a write, with its event; an existing one changes nothing. */
export async function insertLabel(tx: WriteTx, id: string, label: string): Promise<void> {
  const res = await tx.exec('INSERT IGNORE INTO labels (issue_id, label) VALUES (?, ?)', [id, label]);
  if (res.affectedRows > 0) {
    tx.touch('labels');
    await tx.event({ issueId: id, type: 'label_added', comment: `Added label: ${label}` });
  }
}

export async function removeLabel(ctx: LedgerContext, id: string, label: string, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'label');
  const l = validate(LabelSchema, label, 'label');
  return ctx.write(actor, 'label rm', async (tx) => {
    tx.subject = `${id} ${l}`;
    await mustGet(tx, id);
    const res = await tx.exec('DELETE FROM labels WHERE issue_id = ? AND label = ?', [id, l]);
    if (res.affectedRows > 0) {
      tx.touch('labels');
      await tx.event({ issueId: id, type: 'label_removed', comment: `Removed label: ${l}` });
    }
    return beadInTx(tx, id);
  });
}

export async function addComment(ctx: LedgerContext, id: string, text: string, actor: string): Promise<Comment> {
  validate(BeadIdSchema, id, 'comment');
  const t = validate(CommentTextSchema, text, 'comment');
  return ctx.write(actor, 'comment', async (tx) => {
    tx.subject = id;
    await mustGet(tx, id);
    const cid = randomUUID();
    await tx.exec('INSERT INTO comments (id, issue_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)', [cid, id, tx.actor, t, tx.now]);
    tx.touch('comments');
    await tx.event({ issueId: id, type: 'commented', comment: t.slice(0, 1000) });
    const [row] = await tx.query('SELECT * FROM comments WHERE id = ?', [cid]);
    return rowToComment(row);
  });
}
