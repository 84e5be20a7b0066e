// Read queries shared by the Ledger, the history view and the feed. `asOf` (already validated) reads
// the tables as of a past commit with Dolt's AS OF.
import type { Bead } from '../../preload/types.ts';
import { BEAD_SELECT, rowToBead, rowToComment, rowToDependency, type IssueRow } from './bead-rows.ts';

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

export async function beadsFromRows(q: Query, rows: IssueRow[], asOf?: string): Promise<Bead[]> {
  if (!rows.length) return [];
  const labels = await labelsFor(q, rows.map((r) => String(r.id)), asOf);
  return rows.map((r) => rowToBead(r, labels.get(String(r.id)) ?? []));
}

/** One bead with labels, dependencies and comments, or null. */
export async function readBead(q: Query, id: string, asOf?: string): Promise<Bead | null> {
  const at = asOfClause(asOf);
  const rows = await q<IssueRow>(`SELECT ${BEAD_SELECT} FROM issues${at} i WHERE i.id = ?`, [id]);
  if (!rows.length) return null;
  const [bead] = await beadsFromRows(q, rows, asOf);
  const deps = await q(`SELECT * FROM dependencies${at} WHERE issue_id = ? ORDER BY created_at, id`, [id]);
  const comments = await q(`SELECT * FROM comments${at} WHERE issue_id = ? ORDER BY created_at, id`, [id]);
  bead.dependencies = deps.map(rowToDependency);
  bead.comments = comments.map(rowToComment);
  return bead;
}
