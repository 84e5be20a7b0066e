// Rows of the beads tables ↔ the contract's Bead / Dependency / Comment. Pure: no SQL runs here (the
// SELECT texts are built here, run by bead-queries.ts and bead-reads.ts).
// Invariants: a bead's row carries its labels, so reading beads is one statement: a list joins the
// labels onto its page of rows (labelledList: index lookups for the page's rows only; measured faster
// than a subquery per row from 10 rows on, docs/performance.md "Seventh pass"); a read of one bead by id
// (show, a write's own rows before it changes them) takes them in a correlated subquery (beadSelect,
// ISSUE_ROW_SELECT), and a show its dependencies and comments likewise. Labels come back sorted (JS
// string order) whatever the server's aggregation order. JSON aggregates are read as text and parsed
// here, because Dolt 1.88 leaves control characters other than \b \t \n \r unescaped in JSON strings,
// which JSON.parse refuses.
import type { Bead, BeadStatus, BeadType, Comment, Dependency, DependencyType } from '../../preload/types.ts';

/** The issues columns a Bead is built from, in SELECT order. */
export const BEAD_COLUMNS = [
  'id', 'title', 'description', 'status', 'priority', 'issue_type', 'assignee', 'owner', 'created_by',
  'created_at', 'updated_at', 'closed_at', 'close_reason', 'metadata',
] as const;

/** `(SELECT JSON_ARRAYAGG(<value>) FROM <from>)` as text: '[]' (Dolt) or NULL (MySQL) when no row matches. */
export function jsonListColumn(value: string, from: string): string {
  return `CAST((SELECT JSON_ARRAYAGG(${value}) FROM ${from}) AS CHAR)`;
}

/** The issues columns of a Bead on the row `i`, without labels. */
export const ISSUE_SELECT = BEAD_COLUMNS.map((c) => `i.${c}`).join(', ');

/**
 * The issues columns of a Bead on the row `i`, plus `labels` read from `labelsTable` (`labels`,
 * `wisp_labels`, or `labels AS OF '<ref>'`) in a correlated subquery: for reads of one bead or a few by id.
 */
export function beadSelect(labelsTable = 'labels'): string {
  return `${ISSUE_SELECT}, ${jsonListColumn('l.label', `${labelsTable} l WHERE l.issue_id = i.id`)} AS labels`;
}
export const BEAD_SELECT = beadSelect();

/**
 * Every issues column of the row `i` (`i.*`, as `SELECT *` reads them) plus its `labels` (beadSelect's
 * subquery): the row a write reads before it changes a bead, from which it builds the Bead it returns
 * (an update needs started_at, and the whole row for its event).
 */
export const ISSUE_ROW_SELECT = `i.*, ${jsonListColumn('l.label', 'labels l WHERE l.issue_id = i.id')} AS labels`;

/**
 * A list of beads with their labels in one statement: `page` (a query selecting ISSUE_SELECT from `i`,
 * filtered, ordered and limited) then `labelsTable` joined onto its rows. GROUP BY loses the page's
 * order: `order` (an ORDER BY on the columns of ISSUE_SELECT, or '') restores it.
 */
export function labelledList(page: string, order: string, labelsTable = 'labels'): string {
  return `SELECT ${ISSUE_SELECT}, CAST(JSON_ARRAYAGG(l.label) AS CHAR) AS labels FROM (${page}) i
    LEFT JOIN ${labelsTable} l ON l.issue_id = i.id GROUP BY i.id ${order}`;
}

const DEPENDENCY_FIELDS = ['id', 'issue_id', 'type', 'created_at', 'created_by', 'depends_on_issue_id', 'depends_on_external', 'depends_on_wisp_id'];
const COMMENT_FIELDS = ['id', 'issue_id', 'author', 'text', 'created_at'];

function jsonObject(alias: string, fields: string[]): string {
  return `JSON_OBJECT(${fields.map((f) => `'${f}', ${alias}.${f}`).join(', ')})`;
}

/** The dependencies of the row `i` as one JSON list column, from `table` (`dependencies`, maybe AS OF). */
export function dependenciesColumn(table = 'dependencies'): string {
  return `${jsonListColumn(jsonObject('d', DEPENDENCY_FIELDS), `${table} d WHERE d.issue_id = i.id`)} AS dependencies`;
}

/** The comments of the row `i` as one JSON list column, from `table` (`comments`, `wisp_comments`, maybe AS OF). */
export function commentsColumn(table = 'comments'): string {
  return `${jsonListColumn(jsonObject('c', COMMENT_FIELDS), `${table} c WHERE c.issue_id = i.id`)} AS comments`;
}

/** A bead's row; `labels` is there when it was selected with beadSelect or labelledList. */
export type IssueRow = Record<(typeof BEAD_COLUMNS)[number], unknown> & { labels?: unknown };

/** A JSON array read as text (jsonListColumn), or already parsed by the driver; none → []. */
export function parseJsonList(v: unknown): unknown[] {
  if (v === null || v === undefined || v === '') return [];
  if (Array.isArray(v)) return v;
  const text = String(v);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = JSON.parse(escapeControlCharacters(text));
  }
  if (!Array.isArray(parsed)) throw new Error(`not a JSON list: ${text.slice(0, 80)}`);
  return parsed;
}

/** Raw control characters can only stand inside a string of the server's JSON text: escapes them. */
function escapeControlCharacters(text: string): string {
  let out = '';
  for (const ch of text) out += ch < ' ' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
  return out;
}

/** The labels a row carries, as strings (a bead without labels has `[null]` from labelledList's outer join). */
export function rowLabels(row: IssueRow): string[] {
  return parseJsonList(row.labels).filter((l) => l !== null).map(String);
}

/** The dependencies a row carries (dependenciesColumn), oldest first. */
export function rowDependencies(row: Record<string, unknown>): Dependency[] {
  return inCreationOrder(parseJsonList(row.dependencies) as Array<Record<string, unknown>>).map(rowToDependency);
}

/** The comments a row carries (commentsColumn), oldest first. */
export function rowComments(row: Record<string, unknown>): Comment[] {
  return inCreationOrder(parseJsonList(row.comments) as Array<Record<string, unknown>>).map(rowToComment);
}

/** Rows of JSON objects (dependencies, comments) in the order `ORDER BY created_at, id` gives (NULL times first). */
export function inCreationOrder<T extends Record<string, unknown>>(rows: T[]): T[] {
  const keyed = rows.map((r) => ({ r, at: r.created_at === null || r.created_at === undefined ? '' : isoTime(r.created_at), id: String(r.id) }));
  keyed.sort((a, b) => (a.at !== b.at ? (a.at < b.at ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.r);
}

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

/** A Bead from its row; labels from `labels`, else those the row carries (none when it carries none). */
export function rowToBead(row: IssueRow, labels: string[] = rowLabels(row)): Bead {
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
