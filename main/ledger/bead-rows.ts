// Rows of the beads tables ↔ the contract's Bead / Dependency / Comment. Pure: no SQL runs here.
import type { Bead, BeadStatus, BeadType, Comment, Dependency, DependencyType } from '../../preload/types.ts';

/** The issues columns a Bead is built from, in SELECT order. */
export const BEAD_COLUMNS = [
  'id', 'title', 'description', 'status', 'priority', 'issue_type', 'assignee', 'owner', 'created_by',
  'created_at', 'updated_at', 'closed_at', 'close_reason', 'metadata',
] as const;
export const BEAD_SELECT = BEAD_COLUMNS.map((c) => `i.${c}`).join(', ');

export type IssueRow = Record<(typeof BEAD_COLUMNS)[number], unknown>;

/** DATETIME text from the server ('2026-01-02 03:04:05.678', UTC) → ISO 8601. */
export function isoTime(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(s)) {
    const [date, time] = s.split(' ');
    const [hms, frac = ''] = time.split('.');
    return `${date}T${hms}.${frac.padEnd(3, '0').slice(0, 3)}Z`;
  }
  return new Date(s).toISOString();
}

export function isoTimeOrNull(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : isoTime(v);
}

/** ISO 8601 (any offset) → the UTC DATETIME(3) text we store. */
export function sqlTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`not a time: ${iso}`);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

export function parseJsonObject(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined || v === '') return {};
  if (typeof v === 'object' && !Buffer.isBuffer(v)) return v as Record<string, unknown>;
  try {
    const parsed = JSON.parse(String(v));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

export function rowToBead(row: IssueRow, labels: string[] = []): Bead {
  return {
    id: String(row.id),
    title: String(row.title),
    description: String(row.description ?? ''),
    type: String(row.issue_type) as BeadType,
    status: String(row.status) as BeadStatus,
    priority: Number(row.priority),
    assignee: row.assignee === null || row.assignee === undefined || row.assignee === '' ? null : String(row.assignee),
    owner: String(row.owner ?? ''),
    createdBy: String(row.created_by ?? ''),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
    closedAt: isoTimeOrNull(row.closed_at),
    closeReason: String(row.close_reason ?? ''),
    labels: [...labels].sort(),
    metadata: parseJsonObject(row.metadata),
  };
}

export function rowToDependency(row: Record<string, unknown>): Dependency {
  return {
    issueId: String(row.issue_id),
    dependsOnId: String(row.depends_on_issue_id ?? row.depends_on_external ?? row.depends_on_wisp_id),
    type: String(row.type) as DependencyType,
    createdAt: isoTime(row.created_at),
    createdBy: String(row.created_by ?? ''),
  };
}

export function rowToComment(row: Record<string, unknown>): Comment {
  return {
    id: String(row.id),
    issueId: String(row.issue_id),
    author: String(row.author),
    text: String(row.text),
    createdAt: isoTime(row.created_at),
  };
}

/** Bead field name for an issues column, as the feed and history report changed fields. */
export const COLUMN_TO_FIELD: Record<string, string> = {
  title: 'title', description: 'description', status: 'status', priority: 'priority', issue_type: 'type',
  assignee: 'assignee', owner: 'owner', closed_at: 'closedAt', close_reason: 'closeReason', metadata: 'metadata',
  defer_until: 'deferUntil', is_blocked: 'blocked', design: 'design', notes: 'notes',
  acceptance_criteria: 'acceptanceCriteria', started_at: 'startedAt', due_at: 'dueAt', pinned: 'pinned',
  external_ref: 'externalRef', estimated_minutes: 'estimatedMinutes',
};
