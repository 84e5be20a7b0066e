// The beads JSONL format (reference/beads-format.md §10): one issue per line with its labels,
// dependencies and comments. Export is ordered by id so the same ledger gives the same bytes; import
// validates every line first (line-numbered errors) and then upserts everything in one transaction.
import { newRowId } from './row-ids.ts';
import { z } from 'zod';
import { TownError } from '../../preload/contract.ts';
import { BEAD_STATUSES, type ImportReport } from '../../preload/types.ts';
import { BeadIdSchema } from './ledger-schemas.ts';
import type { Query } from './bead-queries.ts';
import { isoTime, isoTimeOrNull, parseJsonObject, sqlTime } from './bead-rows.ts';
import type { WriteTx } from './write-tx.ts';

export type { ImportReport };

const Time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an RFC3339 time');
const OptText = z.string().max(1_000_000).nullish();
const Kind = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a lowercase word of at most 32 characters');

const DepLine = z.object({
  issue_id: z.string().optional(),
  depends_on_id: BeadIdSchema,
  type: Kind.default('blocks'),
  created_at: Time.nullish(),
  created_by: z.string().max(255).nullish(),
  metadata: z.unknown().optional(),
  thread_id: z.string().max(255).nullish(),
}).passthrough();

const CommentLine = z.object({
  id: z.union([z.string().min(1).max(36), z.number().int()]),
  issue_id: z.string().optional(),
  author: z.string().max(255),
  text: z.string().max(10_000_000),
  created_at: Time.nullish(),
}).passthrough();

export const IssueLineSchema = z.object({
  _type: z.literal('issue').optional(),
  id: BeadIdSchema,
  title: z.string().trim().min(1, 'title must not be empty').max(500, 'title longer than 500 characters'),
  description: OptText, design: OptText, acceptance_criteria: OptText, notes: OptText,
  status: z.enum(BEAD_STATUSES).default('open'),
  priority: z.number().int().min(0).max(4).default(2),
  issue_type: Kind.default('task'),
  assignee: z.string().max(255).nullish(),
  owner: z.string().max(255).nullish(),
  created_by: z.string().max(255).nullish(),
  created_at: Time,
  updated_at: Time.nullish(),
  started_at: Time.nullish(),
  closed_at: Time.nullish(),
  close_reason: OptText,
  due_at: Time.nullish(),
  defer_until: Time.nullish(),
  external_ref: z.string().max(255).nullish(),
  metadata: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  pinned: z.union([z.boolean(), z.number()]).nullish(),
  labels: z.array(z.string().min(1).max(255)).nullish(),
  dependencies: z.array(DepLine).nullish(),
  comments: z.array(CommentLine).nullish(),
}).passthrough();
type IssueLine = z.output<typeof IssueLineSchema>;

const TEXT_FIELDS = ['description', 'design', 'acceptance_criteria', 'notes', 'close_reason'] as const;

// ---- export -------------------------------------------------------------------------------------

export async function exportJsonl(q: Query): Promise<string> {
  const issues = await q<Record<string, unknown>>('SELECT * FROM issues ORDER BY id');
  const labels = await q<{ issue_id: string; label: string }>('SELECT issue_id, label FROM labels ORDER BY issue_id, label');
  const deps = await q<Record<string, unknown>>('SELECT * FROM dependencies ORDER BY issue_id, depends_on_issue_id, depends_on_external');
  const comments = await q<Record<string, unknown>>('SELECT * FROM comments ORDER BY issue_id, created_at, id');
  const group = <T extends Record<string, unknown>>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const k = String(r.issue_id);
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push(r);
    }
    return m;
  };
  const labelsBy = group(labels);
  const depsBy = group(deps);
  const commentsBy = group(comments);
  const dependents = new Map<string, number>();
  for (const d of deps) {
    const t = String(d.depends_on_issue_id ?? '');
    if (t) dependents.set(t, (dependents.get(t) ?? 0) + 1);
  }
  const lines: string[] = [];
  for (const r of issues) {
    const id = String(r.id);
    const o: Record<string, unknown> = { _type: 'issue', id, title: r.title };
    for (const f of ['description', 'design', 'acceptance_criteria', 'notes'] as const) if (r[f]) o[f] = r[f];
    o.status = r.status;
    o.priority = Number(r.priority);
    o.issue_type = r.issue_type;
    if (r.assignee) o.assignee = r.assignee;
    if (r.owner) o.owner = r.owner;
    if (r.created_by) o.created_by = r.created_by;
    o.created_at = isoTime(r.created_at);
    o.updated_at = isoTime(r.updated_at);
    for (const f of ['started_at', 'closed_at', 'due_at', 'defer_until'] as const) if (r[f]) o[f] = isoTimeOrNull(r[f]);
    if (r.close_reason) o.close_reason = r.close_reason;
    if (r.external_ref) o.external_ref = r.external_ref;
    if (Number(r.pinned)) o.pinned = true;
    const meta = parseJsonObject(r.metadata);
    if (Object.keys(meta).length) o.metadata = meta;
    const ls = (labelsBy.get(id) ?? []).map((l) => l.label);
    if (ls.length) o.labels = ls;
    const ds = (depsBy.get(id) ?? []).map((d) => ({
      issue_id: id,
      depends_on_id: d.depends_on_issue_id ?? d.depends_on_external ?? d.depends_on_wisp_id,
      type: d.type,
      created_at: isoTime(d.created_at),
      created_by: d.created_by,
      ...(Object.keys(parseJsonObject(d.metadata)).length ? { metadata: parseJsonObject(d.metadata) } : {}),
      ...(d.thread_id ? { thread_id: d.thread_id } : {}),
    }));
    if (ds.length) o.dependencies = ds;
    const cs = (commentsBy.get(id) ?? []).map((c) => ({ id: c.id, issue_id: id, author: c.author, text: c.text, created_at: isoTime(c.created_at) }));
    if (cs.length) o.comments = cs;
    o.dependency_count = ds.length;
    o.dependent_count = dependents.get(id) ?? 0;
    o.comment_count = cs.length;
    lines.push(JSON.stringify(o));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

// ---- import -------------------------------------------------------------------------------------

/** Parses and validates the whole file; throws TownError('invalid', 'line N: why') on the first bad line. */
export function parseJsonl(text: string): { issues: Array<{ line: number; issue: IssueLine }>; skipped: number } {
  if (typeof text !== 'string') throw new TownError('invalid', 'import: expected the text of a JSONL file');
  if (text.length > 512 * 1024 * 1024) throw new TownError('invalid', 'import: file larger than 512 MB');
  const issues: Array<{ line: number; issue: IssueLine }> = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const line = i + 1;
    const raw = rows[i].trim();
    if (!raw) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new TownError('invalid', `import: line ${line}: not valid JSON (${(e as Error).message})`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TownError('invalid', `import: line ${line}: expected a JSON object`);
    const v = value as Record<string, unknown>;
    if ('_schema' in v && !('id' in v)) { skipped++; continue; } // header line
    if (v._type !== undefined && v._type !== 'issue') { skipped++; continue; } // memories etc.
    const parsed = IssueLineSchema.safeParse(v);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TownError('invalid', `import: line ${line}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
    }
    const p = parsed.data;
    if (typeof p.metadata === 'string') {
      try {
        const m = JSON.parse(p.metadata || '{}');
        if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error('not an object');
        p.metadata = m;
      } catch {
        throw new TownError('invalid', `import: line ${line}: metadata: not a JSON object`);
      }
    }
    for (const d of p.dependencies ?? []) {
      if (d.issue_id !== undefined && d.issue_id !== p.id) throw new TownError('invalid', `import: line ${line}: dependency issue_id ${d.issue_id} is not the line's bead ${p.id}`);
      if (d.depends_on_id === p.id) throw new TownError('invalid', `import: line ${line}: ${p.id} depends on itself`);
    }
    if (seen.has(p.id)) throw new TownError('invalid', `import: line ${line}: duplicate bead ${p.id} (first on line ${seen.get(p.id)})`);
    seen.set(p.id, line);
    issues.push({ line, issue: p });
  }
  return { issues, skipped };
}

type RunImport = (body: (tx: WriteTx) => Promise<ImportReport>) => Promise<ImportReport>;

export async function importJsonl(text: string, run: RunImport): Promise<ImportReport> {
  const { issues, skipped } = parseJsonl(text);
  if (!issues.length) throw new TownError('invalid', 'import: the file holds no beads');
  const inFile = new Set(issues.map((x) => x.issue.id));
  return run(async (tx) => {
    tx.subject = `${issues.length} beads`;
    const report: ImportReport = { created: 0, updated: 0, skipped, labels: 0, dependencies: 0, danglingDependencies: 0, comments: 0 };
    const applied: IssueLine[] = [];
    for (const { issue: x } of issues) {
      const existing = await tx.query<{ updated_at: string }>('SELECT updated_at FROM issues WHERE id = ?', [x.id]);
      const updatedAt = sqlTime(x.updated_at ?? x.created_at);
      if (existing.length && isoTime(existing[0].updated_at) > isoTime(updatedAt)) { report.skipped++; continue; }
      const closed = x.status === 'closed';
      const cols: Record<string, unknown> = {
        id: x.id, title: x.title,
        ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, x[f] ?? ''])),
        status: x.status, priority: x.priority, issue_type: x.issue_type,
        assignee: x.assignee || null, owner: x.owner ?? '', created_by: x.created_by ?? '',
        created_at: sqlTime(x.created_at), updated_at: updatedAt,
        started_at: x.started_at ? sqlTime(x.started_at) : null,
        // closed_at is set iff closed (beads invariant), whatever the file says.
        closed_at: closed ? sqlTime(x.closed_at ?? x.updated_at ?? x.created_at) : null,
        due_at: x.due_at ? sqlTime(x.due_at) : null, defer_until: x.defer_until ? sqlTime(x.defer_until) : null,
        external_ref: x.external_ref || null, metadata: JSON.stringify(x.metadata ?? {}), pinned: x.pinned ? 1 : 0,
      };
      const names = Object.keys(cols);
      await tx.exec(
        `INSERT INTO issues (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})
         ON DUPLICATE KEY UPDATE ${names.filter((n) => n !== 'id').map((n) => `${n} = VALUES(${n})`).join(', ')}`,
        names.map((n) => cols[n] as string),
      );
      await tx.event({ issueId: x.id, type: existing.length ? 'updated' : 'created', comment: 'imported' });
      if (existing.length) report.updated++; else report.created++;
      applied.push(x);
    }
    tx.touch('issues');
    const existsCache = new Map<string, boolean>();
    const exists = async (id: string) => {
      if (inFile.has(id)) return true;
      if (!existsCache.has(id)) existsCache.set(id, (await tx.query('SELECT 1 AS x FROM issues WHERE id = ?', [id])).length > 0);
      return existsCache.get(id)!;
    };
    for (const x of applied) {
      await tx.exec('DELETE FROM labels WHERE issue_id = ?', [x.id]);
      for (const l of new Set(x.labels ?? [])) {
        await tx.exec('INSERT INTO labels (issue_id, label) VALUES (?, ?)', [x.id, l]);
        report.labels++;
      }
      await tx.exec('DELETE FROM dependencies WHERE issue_id = ?', [x.id]);
      const seenTargets = new Set<string>();
      for (const d of x.dependencies ?? []) {
        if (seenTargets.has(d.depends_on_id)) continue;
        seenTargets.add(d.depends_on_id);
        if (!(await exists(d.depends_on_id))) { report.danglingDependencies++; continue; }
        await tx.exec(
          'INSERT INTO dependencies (id, issue_id, type, created_at, created_by, metadata, thread_id, depends_on_issue_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [newRowId(), x.id, d.type, sqlTime(d.created_at ?? x.created_at), d.created_by ?? '', JSON.stringify(parseJsonObject(d.metadata)), d.thread_id ?? '', d.depends_on_id],
        );
        report.dependencies++;
      }
      for (const c of x.comments ?? []) {
        const res = await tx.exec(
          'INSERT IGNORE INTO comments (id, issue_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)',
          [String(c.id), x.id, c.author, c.text, sqlTime(c.created_at ?? x.created_at)],
        );
        report.comments += res.affectedRows;
      }
    }
    tx.touch('labels', 'dependencies', 'comments');
    return report;
  });
}
