// The merge rules of a pull: how a row that both this town and a remote changed since their common
// ancestor is settled (Dolt reports such rows in dolt_conflicts_<table>; every other row Dolt merges
// itself, cell by cell). Pure: rows in, one decision out; no I/O.
//
// Invariants:
//   - Nothing is dropped silently: a decision is a row to write, "keep ours", a deletion both sides
//     agree on, or `unresolved` (the caller keeps ours and raises an inbox item with theirs).
//   - Deterministic and symmetric: two towns resolving the same conflict from opposite sides reach
//     the same row (ties are broken by comparing values, not by which side is "ours").
//   - issues: the furthest status wins; the closing fields follow the side whose status won; every
//     other field changed on both sides takes the later change (updated_at); a field changed on one
//     side only takes that change; metadata merges key by key the same way.
//   - A row deleted on one side and changed on the other is kept (the change wins over the deletion).
//   - child_counters: the larger counter wins. Tables without a rule are unresolved.

export type Row = Record<string, unknown>;
export type DiffType = 'added' | 'modified' | 'removed';

export interface ConflictRow {
  base: Row | null;
  ours: Row | null;
  theirs: Row | null;
}

export type Resolution =
  | { action: 'write'; row: Row; note?: string }
  | { action: 'keep-ours'; note?: string }
  | { action: 'delete'; note?: string }
  | { action: 'unresolved'; reason: string };

/** How far a status has come: the furthest wins a conflict. Equal ranks fall to the later change. */
export const STATUS_RANK: Record<string, number> = {
  open: 0, pinned: 0, deferred: 1, blocked: 1, hooked: 2, in_progress: 3, closed: 4,
};

const CLOSING_FIELDS = ['closed_at', 'close_reason', 'closed_by_session'];
/** Maintained by the ledger itself after the merge (blocked-state.ts), never taken from a side. */
const DERIVED_FIELDS = new Set(['is_blocked']);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

/** JSON columns arrive as strings or objects depending on the driver; compare them as values. */
function normal(v: unknown): unknown {
  if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
    try { return JSON.parse(v); } catch { return v; }
  }
  return v;
}

function order(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** Which side's change is later: 1 ours, -1 theirs; ties broken by value so both towns agree. */
export function laterSide(ours: Row, theirs: Row, field: string): 1 | -1 {
  const a = order(ours.updated_at);
  const b = order(theirs.updated_at);
  if (a !== b) return a > b ? 1 : -1;
  return order(ours[field]) >= order(theirs[field]) ? 1 : -1;
}

function statusRank(s: unknown): number {
  return STATUS_RANK[String(s)] ?? 0;
}

function mergeMetadata(base: unknown, ours: unknown, theirs: unknown, oursLater: boolean): unknown {
  const b = (normal(base) ?? {}) as Record<string, unknown>;
  const o = normal(ours) as Record<string, unknown>;
  const t = normal(theirs) as Record<string, unknown>;
  if (!o || !t || typeof o !== 'object' || typeof t !== 'object' || Array.isArray(o) || Array.isArray(t)) return oursLater ? ours : theirs;
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(o), ...Object.keys(t)])) {
    const oc = !same(o[key], b[key]);
    const tc = !same(t[key], b[key]);
    const pick = oc && tc ? (oursLater ? o : t) : oc ? o : t;
    if (key in pick) out[key] = pick[key];
  }
  return JSON.stringify(out);
}

/** One conflicting `issues` row. */
export function resolveIssue(c: ConflictRow): Resolution {
  const { ours, theirs } = c;
  if (!ours && !theirs) return { action: 'delete' };
  if (!ours) return { action: 'write', row: { ...theirs! }, note: `${String(theirs!.id)}: deleted here, changed there; kept the change` };
  if (!theirs) return { action: 'keep-ours', note: `${String(ours.id)}: deleted there, changed here; kept the change` };
  const base = c.base ?? {};
  const row: Row = {};
  const statusSide: 1 | -1 = statusRank(ours.status) !== statusRank(theirs.status)
    ? (statusRank(ours.status) > statusRank(theirs.status) ? 1 : -1)
    : laterSide(ours, theirs, 'status');
  for (const field of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    const o = ours[field];
    const t = theirs[field];
    if (DERIVED_FIELDS.has(field)) { row[field] = o; continue; }
    if (field === 'status' || CLOSING_FIELDS.includes(field)) { row[field] = statusSide === 1 ? o : t; continue; }
    if (field === 'updated_at') { row[field] = order(o) >= order(t) ? o : t; continue; }
    if (field === 'started_at') { row[field] = o && t ? (order(o) <= order(t) ? o : t) : (o ?? t); continue; }
    if (same(o, t)) { row[field] = o; continue; }
    const oChanged = !same(o, base[field]);
    const tChanged = !same(t, base[field]);
    if (field === 'metadata') { row[field] = mergeMetadata(base[field], o, t, laterSide(ours, theirs, field) === 1); continue; }
    if (oChanged && !tChanged) row[field] = o;
    else if (tChanged && !oChanged) row[field] = t;
    else row[field] = laterSide(ours, theirs, field) === 1 ? o : t;
  }
  return { action: 'write', row };
}

/** One conflicting `child_counters` row: the larger counter, so no child id is ever handed out twice. */
export function resolveChildCounter(c: ConflictRow): Resolution {
  if (!c.ours) return c.theirs ? { action: 'write', row: { ...c.theirs } } : { action: 'delete' };
  if (!c.theirs) return { action: 'keep-ours' };
  return Number(c.theirs.last_child) > Number(c.ours.last_child) ? { action: 'write', row: { ...c.theirs } } : { action: 'keep-ours' };
}

export type TableResolver = (c: ConflictRow) => Resolution;

/** The town ledger's rules by table. labels, comments, events and dependencies never conflict as
 *  rows (their keys are the label itself or fresh UUIDs): concurrent additions are a union by Dolt. */
export const LEDGER_RULES: Record<string, TableResolver> = {
  issues: resolveIssue,
  child_counters: resolveChildCounter,
};

export function resolveWith(rules: Record<string, TableResolver>, table: string, c: ConflictRow): Resolution {
  const rule = rules[table];
  if (!rule) return { action: 'unresolved', reason: `no merge rule for table ${table}` };
  return rule(c);
}
