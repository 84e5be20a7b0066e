// Turns one Dolt commit into typed BeadChanges by asking Dolt for the diff against its first parent.
// Works for any writer (this app, `dolt sql`, bd): only the committed tables are read.
import type { BeadChange, DependencyType } from '../../preload/types.ts';
import { labelsFor, type Query } from './bead-queries.ts';
import { COLUMN_TO_FIELD, rowToBead, rowToComment, type IssueRow } from './bead-rows.ts';

const WATCHED = ['issues', 'labels', 'dependencies', 'comments'] as const;
/** Columns whose change alone is bookkeeping, not news. */
const QUIET_COLUMNS = new Set(['updated_at', 'content_hash']);

function side(row: Record<string, unknown>, which: 'from' | 'to'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const p = `${which}_`;
  for (const [k, v] of Object.entries(row)) if (k.startsWith(p)) out[k.slice(p.length)] = v;
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a ?? '') === String(b ?? '') && (a === null) === (b === null);
}

/** The changed tables between two commits, limited to the ones the feed understands. */
async function changedTables(q: Query, from: string, to: string): Promise<string[]> {
  const rows = await q<{ to_table_name: string; from_table_name: string }>('SELECT from_table_name, to_table_name FROM dolt_diff_summary(?, ?)', [from, to]);
  const names = new Set(rows.flatMap((r) => [r.to_table_name, r.from_table_name]));
  return WATCHED.filter((t) => names.has(t));
}

/** `staged`: the tables the commit's own write staged, when the caller knows them (bead-feed.ts):
 *  then Dolt is not asked which tables changed. */
export async function diffCommits(q: Query, from: string, to: string, staged?: readonly string[]): Promise<BeadChange[]> {
  const tables = staged ? WATCHED.filter((t) => staged.includes(t)) : await changedTables(q, from, to);
  const changes: BeadChange[] = [];
  const created = new Set<string>();
  const diff = (table: string) => q<Record<string, unknown>>(`SELECT * FROM dolt_diff(?, ?, '${table}')`, [from, to]);

  let issueRows: Record<string, unknown>[] = [];
  let labelRows: Record<string, unknown>[] = [];
  if (tables.includes('issues')) issueRows = await diff('issues');
  if (tables.includes('labels')) labelRows = await diff('labels');
  const labelIds = new Set<string>(labelRows.map((r) => String(r.to_issue_id ?? r.from_issue_id)));
  const touchedIds = [...new Set([...issueRows.map((r) => String(r.to_id ?? r.from_id)), ...labelIds])];
  const labelsAt = touchedIds.length ? await labelsFor(q, touchedIds, to) : new Map<string, string[]>();

  for (const r of issueRows) {
    const type = String(r.diff_type);
    if (type === 'removed') {
      changes.push({ kind: 'deleted', id: String(r.from_id) });
      continue;
    }
    const now = side(r, 'to');
    const id = String(now.id);
    const bead = rowToBead(now as IssueRow, labelsAt.get(id) ?? []);
    if (type === 'added') {
      created.add(id);
      changes.push({ kind: 'created', id, bead });
      continue;
    }
    const before = side(r, 'from');
    const fields = Object.keys(now)
      .filter((c) => c !== 'commit' && c !== 'commit_date' && !QUIET_COLUMNS.has(c) && !same(before[c], now[c]))
      .map((c) => COLUMN_TO_FIELD[c] ?? c);
    if (!fields.length) continue;
    if (now.status === 'closed' && before.status !== 'closed') changes.push({ kind: 'closed', id, bead });
    else changes.push({ kind: 'updated', id, bead, fields });
  }

  for (const id of labelIds) {
    if (created.has(id)) continue;
    changes.push({ kind: 'labels-changed', id, labels: (labelsAt.get(id) ?? []).sort() });
  }

  if (tables.includes('dependencies')) {
    for (const r of await diff('dependencies')) {
      const type = String(r.diff_type);
      if (type === 'added' || type === 'removed') {
        const s = side(r, type === 'added' ? 'to' : 'from');
        const target = s.depends_on_issue_id ?? s.depends_on_external ?? s.depends_on_wisp_id;
        changes.push({
          kind: type === 'added' ? 'dependency-added' : 'dependency-removed',
          id: String(s.issue_id), dependsOnId: String(target), type: String(s.type) as DependencyType,
        });
      }
    }
  }

  if (tables.includes('comments')) {
    for (const r of await diff('comments')) {
      if (String(r.diff_type) !== 'added') continue;
      const c = rowToComment(side(r, 'to'));
      changes.push({ kind: 'comment-added', id: c.issueId, comment: c });
    }
  }
  return changes;
}

