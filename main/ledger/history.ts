// `history(id)`: every commit that changed a bead (its row, labels, dependencies or comments), oldest
// first, with author, time and the fields before/after, read from Dolt's dolt_diff_<table> tables.
import type { BeadHistoryEntry } from '../../preload/types.ts';
import type { Query } from './bead-queries.ts';
import { COLUMN_TO_FIELD, isoTime } from './bead-rows.ts';

export type HistoryEntry = BeadHistoryEntry;
export type HistoryChange = BeadHistoryEntry['changes'][number];

const SKIP = new Set(['commit', 'commit_date', 'diff_type']);

export async function beadHistory(q: Query, id: string): Promise<HistoryEntry[]> {
  const entries: Array<HistoryEntry & { order: number }> = [];
  const issues = await q<Record<string, unknown>>('SELECT * FROM dolt_diff_issues WHERE to_id = ? OR from_id = ?', [id, id]);
  for (const r of issues) {
    const kind = r.diff_type === 'added' ? 'created' : r.diff_type === 'removed' ? 'deleted' : 'updated';
    const changes: HistoryChange[] = [];
    for (const key of Object.keys(r)) {
      if (!key.startsWith('to_')) continue;
      const col = key.slice(3);
      if (SKIP.has(col)) continue;
      const before = r[`from_${col}`];
      const after = r[key];
      if (kind === 'updated' && (JSON.stringify(before) === JSON.stringify(after) || col === 'updated_at')) continue;
      if (kind === 'created' && (after === null || after === '' || col === 'id')) continue;
      changes.push({ field: COLUMN_TO_FIELD[col] ?? col, before: kind === 'created' ? null : before, after: kind === 'deleted' ? null : after });
    }
    entries.push(entryOf(r, kind, changes));
  }
  for (const [table, kind, describe] of [
    ['labels', 'labels', (s: Record<string, unknown>) => s.label],
    ['dependencies', 'dependencies', (s: Record<string, unknown>) => `${s.type} ${s.depends_on_issue_id ?? s.depends_on_external ?? ''}`],
    ['comments', 'comments', (s: Record<string, unknown>) => s.text],
  ] as const) {
    const rows = await q<Record<string, unknown>>(`SELECT * FROM dolt_diff_${table} WHERE to_issue_id = ? OR from_issue_id = ?`, [id, id]);
    for (const r of rows) {
      const before = r.diff_type === 'added' ? null : describe(prefixed(r, 'from_'));
      const after = r.diff_type === 'removed' ? null : describe(prefixed(r, 'to_'));
      entries.push(entryOf(r, kind, [{ field: table === 'labels' ? 'label' : table === 'dependencies' ? 'dependency' : 'comment', before, after }]));
    }
  }
  // One commit may touch several tables: merge them into one entry per commit and kind.
  const hashes = [...new Set(entries.map((e) => e.commit))];
  const authors = new Map<string, { committer: string; email: string; message: string; date: string }>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await q<{ commit_hash: string; committer: string; email: string; message: string; date: string }>(
      'SELECT commit_hash, committer, email, message, date FROM dolt_log WHERE commit_hash IN (?)', [hashes.slice(i, i + 500)],
    );
    for (const r of rows) authors.set(r.commit_hash, r);
  }
  for (const e of entries) {
    const a = authors.get(e.commit);
    if (a) { e.author = a.committer; e.email = a.email; e.message = a.message; e.time = isoTime(a.date); }
  }
  return entries.sort((a, b) => a.time.localeCompare(b.time) || a.order - b.order).map(({ order: _o, ...e }) => e);
}

function prefixed(r: Record<string, unknown>, p: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith(p)) out[k.slice(p.length)] = v;
  return out;
}

const ORDER = { created: 0, updated: 1, labels: 2, dependencies: 3, comments: 4, deleted: 5 };
function entryOf(r: Record<string, unknown>, kind: HistoryEntry['kind'], changes: HistoryChange[]): HistoryEntry & { order: number } {
  const commit = String(r.to_commit === 'WORKING' ? r.to_commit : r.to_commit);
  return { commit, author: '', email: '', time: isoTime(r.to_commit_date ?? r.from_commit_date), message: '', kind, changes, order: ORDER[kind] };
}
