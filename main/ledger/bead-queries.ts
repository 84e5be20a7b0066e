// Read queries shared by the Ledger, the history view and the feed. `asOf` (already validated) reads
// the tables as of a past commit with Dolt's AS OF. Invariants: rows selected with BEAD_SELECT carry
// their labels, so turning them into beads runs no statement; one bead with its labels, dependencies
// and comments is one statement.
import type { Bead } from '../../preload/types.ts';
import { beadSelect, commentsColumn, dependenciesColumn, rowComments, rowDependencies, rowToBead, type IssueRow } from './bead-rows.ts';

export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/** `AS OF '<ref>'` for a validated ref (hash, HEAD~n, main, or a UTC datetime), or ''. */
export function asOfClause(asOf?: string): string {
  if (!asOf) return '';
  if (!/^[0-9A-Za-z~:.\- ]+$/.test(asOf)) throw new Error(`bad as-of ref ${asOf}`);
  return ` AS OF '${asOf}'`;
}

/** Escapes LIKE wildcards so a prefix like `my_rig` matches literally. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function labelsFor(q: Query, ids: string[], asOf?: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await q<{ issue_id: string; label: string }>(`SELECT issue_id, label FROM labels${asOfClause(asOf)} WHERE issue_id IN (?)`, [chunk]);
    for (const r of rows) {
      if (!out.has(r.issue_id)) out.set(r.issue_id, []);
      out.get(r.issue_id)!.push(r.label);
    }
  }
  return out;
}

/**
 * Beads from their rows. Rows selected with BEAD_SELECT carry their labels (no statement runs);
 * rows without a `labels` column get theirs in one more statement per 1,000.
 */
export async function beadsFromRows(q: Query, rows: IssueRow[]): Promise<Bead[]> {
  if (!rows.length) return [];
  if ('labels' in rows[0]) return rows.map((r) => rowToBead(r));
  const labels = await labelsFor(q, rows.map((r) => String(r.id)));
  return rows.map((r) => rowToBead(r, labels.get(String(r.id)) ?? []));
}

/** One bead with labels, dependencies and comments, or null: one statement. */
export async function readBead(q: Query, id: string, asOf?: string): Promise<Bead | null> {
  const at = asOfClause(asOf);
  const rows = await q<IssueRow>(
    `SELECT ${beadSelect(`labels${at}`)}, ${dependenciesColumn(`dependencies${at}`)}, ${commentsColumn(`comments${at}`)}
     FROM issues${at} i WHERE i.id = ?`,
    [id],
  );
  if (!rows.length) return null;
  const bead = rowToBead(rows[0]);
  bead.dependencies = rowDependencies(rows[0]);
  bead.comments = rowComments(rows[0]);
  return bead;
}
