// What every ledger operation (bead-create.ts, bead-dependencies.ts, bead-update.ts, bead-notes.ts,
// bead-reads.ts, wisps.ts, ephemeral.ts) gets from the Ledger: a read query and the write runner.
// Invariants: `q` never writes; `write` is the only way to write (one transaction, one Dolt commit
// when a committed table was touched, retries, one write at a time, refusal once the ledger is closed).
import type { Bead } from '../../preload/types.ts';
import { TownError } from '../../preload/errors.ts';
import { beadsFromRows, type Query } from './bead-queries.ts';
import { BEAD_SELECT, ISSUE_ROW_SELECT, type IssueRow } from './bead-rows.ts';
import type { WriteTx } from './write-tx.ts';

export interface LedgerContext {
  q: Query;
  /** One write authored by `actor`, queued behind the ledger's other writes (so in call order per bead too). */
  write<T>(actor: string, op: string, body: (tx: WriteTx) => Promise<T>): Promise<T>;
}

/** The bead's row inside a write, or not_found. */
export async function mustGet(tx: WriteTx, id: string): Promise<Record<string, unknown>> {
  const rows = await tx.query('SELECT * FROM issues WHERE id = ?', [id]);
  if (!rows.length) throw new TownError('not_found', `no bead ${id}`);
  return rows[0];
}

/** The rows of several beads (every column, with their labels: ISSUE_ROW_SELECT) as the write sees
 *  them, in one statement; a missing one is absent. A write that changes them builds the Beads it
 *  returns from these rows and what it wrote, without reading them again. */
export async function beadRowsInTx(tx: WriteTx, ids: string[]): Promise<Map<string, IssueRow>> {
  if (!ids.length) return new Map();
  const rows = await tx.query<IssueRow>(`SELECT ${ISSUE_ROW_SELECT} FROM issues i WHERE i.id IN (?)`, [ids]);
  return new Map(rows.map((r) => [String(r.id), r]));
}

/** One bead's row with its labels (beadRowsInTx) inside a write, or not_found. */
export async function mustGetBeadRow(tx: WriteTx, id: string): Promise<IssueRow> {
  const row = (await beadRowsInTx(tx, [id])).get(id);
  if (!row) throw new TownError('not_found', `no bead ${id}`);
  return row;
}

/** The bead (with labels) as the write sees it. */
export async function beadInTx(tx: WriteTx, id: string): Promise<Bead> {
  const [bead] = await beadsFromRows(tx.query.bind(tx) as Query, await tx.query<IssueRow>(`SELECT ${BEAD_SELECT} FROM issues i WHERE i.id = ?`, [id]));
  return bead;
}
