// The Ledger's wisp operations: validated input, then wisps.ts inside one ledger write. Invariants as
// in wisps.ts: only squash (and a burn that removes a committed edge) makes a Dolt commit.
import type { Bead, Comment } from '../../preload/types.ts';
import { TownError } from '../../preload/errors.ts';
import type { Query } from './bead-queries.ts';
import { DEFAULT_PREFIX } from './bead-create.ts';
import { beadInTx, type LedgerContext } from './ledger-context.ts';
import { BeadIdSchema, CommentTextSchema, validate, WispCreateInputSchema, WispListSchema, type WispCreateInput } from './ledger-schemas.ts';
import * as wisps from './wisps.ts';

export async function showWisp(ctx: LedgerContext, id: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'wisp show');
  const w = await wisps.readWisp(ctx.q, id);
  if (!w) throw new TownError('not_found', `no wisp ${id}`);
  return w;
}

export async function createWisp(ctx: LedgerContext, input: WispCreateInput, actor: string): Promise<Bead> {
  const p = validate(WispCreateInputSchema, input, 'wisp create');
  const id = await ctx.write(actor, 'wisp create', async (tx) => {
    const count = await wisps.countWisps(tx.query.bind(tx) as Query);
    return wisps.insertWisp(tx, { ...p, prefix: p.prefix ?? DEFAULT_PREFIX }, count);
  });
  return showWisp(ctx, id);
}

export async function listWisps(ctx: LedgerContext, opts: { prefix?: string; limit?: number } = {}): Promise<Bead[]> {
  return wisps.listWisps(ctx.q, validate(WispListSchema, opts, 'wisp list'));
}

export async function commentWisp(ctx: LedgerContext, id: string, text: string, actor: string): Promise<Comment> {
  validate(BeadIdSchema, id, 'wisp comment');
  const t = validate(CommentTextSchema, text, 'wisp comment');
  return ctx.write(actor, 'wisp comment', (tx) => wisps.commentWisp(tx, id, t));
}

export async function burnWisp(ctx: LedgerContext, id: string, actor: string): Promise<boolean> {
  validate(BeadIdSchema, id, 'wisp burn');
  return ctx.write(actor, 'wisp burn', async (tx) => {
    tx.subject = id;
    return (await wisps.deleteWisps(tx, [id])).length > 0;
  });
}

export async function squashWisp(ctx: LedgerContext, id: string, actor: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'wisp squash');
  return ctx.write(actor, 'squash', async (tx) => {
    tx.subject = id;
    await wisps.squashWisp(tx, id);
    return beadInTx(tx, id);
  });
}

export async function sweepWisps(ctx: LedgerContext, opts: { ttlMs?: number; now?: Date }, actor: string): Promise<string[]> {
  const cutoff = wisps.wispCutoff(opts.now ?? new Date(), opts.ttlMs ?? wisps.DEFAULT_WISP_TTL_MS);
  return ctx.write(actor, 'wisp sweep', async (tx) => {
    tx.subject = 'expired wisps';
    return wisps.deleteWisps(tx, await wisps.expiredWispIds(tx, cutoff));
  });
}
