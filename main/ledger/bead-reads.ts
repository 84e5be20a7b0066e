// Reading beads: one (optionally as of a commit), many by id, lists, ready and blocked work, search,
// counts, the dependency graph, HEAD and a bead's history. Invariants: reads never write; lists are
// ordered by priority, then age (oldest first), then id; ready work excludes infrastructure types,
// blocked, pinned, ephemeral, template and deferred beads (and children of deferred parents), and the
// steps of a sequential molecule (sequential-steps.ts); a bead comes with its labels in the statement
// that reads it (bead-rows.ts), so a list, a getMany page and a show are one statement each.
import { TownError, type ArgsOut } from '../../preload/contract.ts';
import type { Bead, Dependency } from '../../preload/types.ts';
import { beadsFromRows, likeEscape, readBead } from './bead-queries.ts';
import { ISSUE_SELECT, type IssueRow, labelledList, rowToDependency, sqlTime } from './bead-rows.ts';
import { beadHistory, type HistoryEntry } from './history.ts';
import type { LedgerContext } from './ledger-context.ts';
import { SEQUENTIAL_PARENT } from './sequential-steps.ts';
import {
  AsOfSchema, BeadIdSchema, BeadListFilterSchema, ReadyFilterSchema, SearchSchema, validate, type BeadListFilter, type ReadyFilter,
} from './ledger-schemas.ts';

/** Types that are never "ready work": infrastructure and containers (beads §7.2 plus convoy/escalation/event). */
export const NOT_WORK_TYPES = ['merge-request', 'gate', 'molecule', 'message', 'agent', 'role', 'rig', 'convoy', 'event', 'escalation'];
const DEFAULT_LIST_LIMIT = 10_000;
/** The order of lists; labelledList restores it after joining the labels. */
const LIST_ORDER = 'ORDER BY i.priority, i.created_at, i.id';

/** ISO times become the UTC datetime text Dolt's AS OF understands; refs pass through. */
function asOfRef(ref: string): string {
  if (/^\d{4}-\d\d-\d\dT/.test(ref)) return sqlTime(ref);
  return ref;
}

/** A bead with labels, dependencies and comments; `asOf` reads it as of a commit, ref or ISO time. */
export async function show(ctx: LedgerContext, id: string, opts: { asOf?: string } = {}): Promise<Bead> {
  validate(BeadIdSchema, id, 'show');
  const asOf = opts.asOf === undefined ? undefined : asOfRef(validate(AsOfSchema, opts.asOf, 'asOf'));
  let bead: Bead | null;
  try {
    bead = await readBead(ctx.q, id, asOf);
  } catch (e) {
    if (asOf && /not found|could not find|invalid|no such/i.test((e as Error).message)) {
      throw new TownError('not_found', `no commit or time ${opts.asOf} in the ledger history`);
    }
    throw e;
  }
  if (!bead) throw new TownError('not_found', asOf ? `no bead ${id} as of ${opts.asOf}` : `no bead ${id}`);
  return bead;
}

/**
 * Many beads by id, one statement per 1,000 (labels, no dependencies or comments), in the order asked;
 * ids with no bead are left out. For callers that hold a list of ids (a convoy's tracked beads).
 */
export async function getMany(ctx: LedgerContext, ids: string[]): Promise<Bead[]> {
  if (!Array.isArray(ids)) throw new TownError('invalid', 'getMany: ids must be a list of bead ids');
  const want = [...new Set(ids.map((id) => validate(BeadIdSchema, id, 'getMany')))];
  const byId = new Map<string, Bead>();
  for (let i = 0; i < want.length; i += 1000) {
    const rows = await ctx.q<IssueRow>(labelledList(`SELECT ${ISSUE_SELECT} FROM issues i WHERE i.id IN (?)`, ''), [want.slice(i, i + 1000)]);
    for (const b of await beadsFromRows(ctx.q, rows)) byId.set(b.id, b);
  }
  return want.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
}

/** One bead by id, light (labels, no dependencies or comments: getMany's one statement); not_found
 *  when there is none, as show. For callers that need its fields, not its edges. */
export async function getOne(ctx: LedgerContext, id: string): Promise<Bead> {
  validate(BeadIdSchema, id, 'getOne');
  const [bead] = await getMany(ctx, [id]);
  if (!bead) throw new TownError('not_found', `no bead ${id}`);
  return bead;
}

/** Beads matching the filter, ordered by priority, then age (oldest first), then id. All statuses unless filtered. */
export async function list(ctx: LedgerContext, filter: ArgsOut<'beadList'> | BeadListFilter = {}): Promise<Bead[]> {
  const f = validate(BeadListFilterSchema, filter, 'list');
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.status) { where.push('i.status = ?'); params.push(f.status); }
  if (f.statuses) { where.push('i.status IN (?)'); params.push(f.statuses); }
  if (f.type) { where.push('i.issue_type = ?'); params.push(f.type); }
  if (f.types) { where.push('i.issue_type IN (?)'); params.push(f.types); }
  if (f.assignee) { where.push('i.assignee = ?'); params.push(f.assignee); }
  if (f.assigned) where.push("i.assignee IS NOT NULL AND i.assignee <> ''");
  if (f.notTypes) { where.push('i.issue_type NOT IN (?)'); params.push(f.notTypes); }
  if (f.label) { where.push('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)'); params.push(f.label); }
  if (f.prefix) { where.push('i.id LIKE ?'); params.push(`${likeEscape(f.prefix)}-%`); }
  const sql = labelledList(`SELECT ${ISSUE_SELECT} FROM issues i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ${LIST_ORDER} LIMIT ?`, LIST_ORDER);
  const rows = await ctx.q<IssueRow>(sql, [...params, f.limit ?? DEFAULT_LIST_LIMIT]);
  return beadsFromRows(ctx.q, rows);
}

/** Ready work: open, not blocked, not deferred into the future (nor its parent), not infrastructure, not a sequential molecule's step. */
export async function ready(ctx: LedgerContext, filter: ReadyFilter = {}): Promise<Bead[]> {
  const f = validate(ReadyFilterSchema, filter, 'ready');
  const now = sqlTime(new Date().toISOString());
  const want = f.limit ?? 100;
  const where = [
    "i.status = 'open'", 'i.is_blocked = 0', 'i.pinned = 0', 'i.ephemeral = 0', 'i.is_template = 0',
    'i.issue_type NOT IN (?)', '(i.defer_until IS NULL OR i.defer_until <= ?)',
  ];
  const params: unknown[] = [NOT_WORK_TYPES, now];
  if (f.prefix) { where.push('i.id LIKE ?'); params.push(`${likeEscape(f.prefix)}-%`); }
  if (f.assignee) { where.push('i.assignee = ?'); params.push(f.assignee); }
  if (f.ids) {
    if (!f.ids.length) return [];
    where.push('i.id IN (?)');
    params.push(f.ids);
  }
  // Children of a parent deferred into the future, and steps of a sequential molecule, are filtered
  // page by page rather than with a correlated NOT EXISTS: such parents are few, and the page query
  // stays an ordered index scan.
  const page = Math.max(want, 100);
  const out: IssueRow[] = [];
  for (let offset = 0; out.length < want; offset += page) {
    const rows = await ctx.q<IssueRow>(
      // ORDER BY spells out idx_issues_ready's columns: Dolt then reads the index in order and stops at
      // LIMIT instead of sorting every open bead (the id tiebreak comes from the index's primary-key suffix).
      // Every row of the page has the same status and is_blocked, so LIST_ORDER is the page's order.
      labelledList(`SELECT ${ISSUE_SELECT} FROM issues i WHERE ${where.join(' AND ')} ORDER BY i.status, i.is_blocked, i.priority, i.created_at LIMIT ? OFFSET ?`, LIST_ORDER),
      [...params, page, offset],
    );
    if (!rows.length) break;
    const hidden = new Set((await ctx.q<{ id: string }>(
      `SELECT d.issue_id AS id FROM dependencies d JOIN issues p ON p.id = d.depends_on_issue_id
       WHERE d.issue_id IN (?) AND d.type = 'parent-child' AND (p.defer_until > ? OR ${SEQUENTIAL_PARENT})`,
      [rows.map((r) => String(r.id)), now],
    )).map((r) => r.id));
    for (const r of rows) if (!hidden.has(String(r.id)) && out.length < want) out.push(r);
    if (rows.length < page) break;
  }
  return beadsFromRows(ctx.q, out);
}

/** Beads waiting on an unclosed blocker (directly or through a blocked parent), or set to status blocked. */
export async function blocked(ctx: LedgerContext, filter: ReadyFilter = {}): Promise<Array<Bead & { blockedBy: string[] }>> {
  const f = validate(ReadyFilterSchema, filter, 'blocked');
  const where = ["i.status NOT IN ('closed','pinned')", "(i.is_blocked = 1 OR i.status = 'blocked')"];
  const params: unknown[] = [];
  if (f.prefix) { where.push('i.id LIKE ?'); params.push(`${likeEscape(f.prefix)}-%`); }
  if (f.assignee) { where.push('i.assignee = ?'); params.push(f.assignee); }
  const rows = await ctx.q<IssueRow>(
    labelledList(`SELECT ${ISSUE_SELECT} FROM issues i WHERE ${where.join(' AND ')} ${LIST_ORDER} LIMIT ?`, LIST_ORDER),
    [...params, f.limit ?? 1000],
  );
  const beads = await beadsFromRows(ctx.q, rows);
  const blockers = new Map<string, string[]>();
  const ids = beads.map((b) => b.id);
  for (let i = 0; i < ids.length; i += 1000) {
    const edges = await ctx.q<{ issue_id: string; target: string }>(
      `SELECT d.issue_id, d.depends_on_issue_id AS target FROM dependencies d JOIN issues t ON t.id = d.depends_on_issue_id
       WHERE d.issue_id IN (?) AND ((d.type = 'blocks' AND t.status NOT IN ('closed','pinned')) OR (d.type = 'parent-child' AND t.is_blocked = 1))`,
      [ids.slice(i, i + 1000)],
    );
    for (const e of edges) {
      if (!blockers.has(e.issue_id)) blockers.set(e.issue_id, []);
      blockers.get(e.issue_id)!.push(e.target);
    }
  }
  return beads.map((b) => ({ ...b, blockedBy: (blockers.get(b.id) ?? []).sort() }));
}

/** Case-insensitive text match on title and description. */
export async function search(ctx: LedgerContext, query: string, opts: { limit?: number } = {}): Promise<Bead[]> {
  const s = validate(SearchSchema, { query, ...opts }, 'search');
  const pattern = `%${likeEscape(s.query.toLowerCase())}%`;
  const rows = await ctx.q<IssueRow>(
    labelledList(`SELECT ${ISSUE_SELECT} FROM issues i WHERE LOWER(i.title) LIKE ? OR LOWER(i.description) LIKE ? ${LIST_ORDER} LIMIT ?`, LIST_ORDER),
    [pattern, pattern, s.limit ?? 100],
  );
  return beadsFromRows(ctx.q, rows);
}

export async function count(ctx: LedgerContext): Promise<number> {
  const rows = await ctx.q<{ n: number }>('SELECT COUNT(*) AS n FROM issues');
  return Number(rows[0].n);
}

/** Every dependency edge (at most `limit`), for views that draw the whole graph. */
export async function dependencyEdges(ctx: LedgerContext, limit = 100_000): Promise<Dependency[]> {
  const rows = await ctx.q<Record<string, unknown>>('SELECT * FROM dependencies ORDER BY created_at, issue_id LIMIT ?', [limit]);
  return rows.map(rowToDependency);
}

/** The current HEAD commit hash. */
export async function head(ctx: LedgerContext): Promise<string> {
  const rows = await ctx.q<{ h: string }>("SELECT HASHOF('HEAD') AS h");
  return rows[0].h;
}

/** Every change to a bead, oldest first: commit, author, time, fields before/after. */
export async function history(ctx: LedgerContext, id: string): Promise<HistoryEntry[]> {
  validate(BeadIdSchema, id, 'history');
  const entries = await beadHistory(ctx.q, id);
  if (!entries.length) {
    const exists = await ctx.q('SELECT 1 AS x FROM issues WHERE id = ?', [id]);
    if (!exists.length) throw new TownError('not_found', `no bead ${id} in the ledger or its history`);
  }
  return entries;
}
