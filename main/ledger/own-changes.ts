// What one ledger write changed in the tables the feed reads (issues, labels, dependencies,
// comments), described by the write as it makes each change, so that the feed can deliver the town's
// own commit without asking Dolt for its diff (bead-feed.ts). Pure: no SQL runs here.
// Invariants:
//   - finish() answers exactly what diffCommits (commit-diff.ts) reads from Dolt for the commit
//     against its parent, in the same order (the changed beads by id, then the beads whose labels
//     changed by id, then the dependencies added by their row id), provided that
//       1. every statement of the write that changed one of those tables described its change:
//          WriteTx looks at each statement it sends, and one that may change them without saying it
//          was described drops the description (changesWatchedTables, conservative: a statement it
//          cannot read counts as a change);
//       2. the rows the write read before changing them are the parent commit's: the feed uses a
//          description only when the commit's parent is the commit the town's previous write made
//          (Ledger: `base`), so nobody committed in between; a change someone left uncommitted in the
//          working set is the one case this cannot see (as with the staged tables, bead-feed.ts).
//   - What cannot be told exactly (a bead changed twice, a column whose stored form is not the text
//     written, a dependent's is_blocked) is refused: the recorder answers false, the write's
//     description is dropped, and the feed asks Dolt as for anyone's commit.
//   - Beads are copied in: what a caller does with the bead a write answered cannot change it.
import type { Bead, BeadChange, DependencyType } from '../../preload/types.ts';
import { COLUMN_TO_FIELD } from './bead-rows.ts';

/** The tables the feed reads (commit-diff.ts WATCHED). */
const WATCHED = new Set(['issues', 'labels', 'dependencies', 'comments']);
/** Columns whose change alone the feed does not report (commit-diff.ts QUIET_COLUMNS). */
const QUIET = new Set(['updated_at', 'content_hash']);

/** Whether a statement may change a table the feed reads. A statement not recognised as a read, a
 *  transaction or Dolt staging statement, or a write of one named table counts as a change. */
export function changesWatchedTables(sql: string): boolean {
  const s = sql.trimStart();
  if (/^(SELECT|BEGIN|COMMIT|ROLLBACK|SET|SHOW)\b/i.test(s)) return false;
  if (/^CALL\s+DOLT_(ADD|COMMIT)\s*\(/i.test(s)) return false;
  if (/^WITH\b/i.test(s)) return /\b(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(s);
  const target = /^(?:INSERT(?:\s+IGNORE)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+IGNORE)?|DELETE\s+FROM)\s+`?(\w+)`?(?=[\s(]|$)/i.exec(s);
  return !target || WATCHED.has(target[1].toLowerCase());
}

/**
 * The fields an UPDATE of an issues row changed, as diffCommits names them (COLUMN_TO_FIELD, in the
 * table's column order: `before`'s, a row read with every column), from the row before it and the
 * columns it wrote (values as sent). Null when that cannot be told exactly.
 */
export function changedFields(before: Readonly<Record<string, unknown>>, written: Readonly<Record<string, unknown>>): string[] | null {
  for (const column of Object.keys(written)) if (!(column in before)) return null;
  const fields: string[] = [];
  for (const column of Object.keys(before)) {
    if (column === 'labels' || QUIET.has(column) || !(column in written)) continue;
    const same = sameStored(column, before[column], written[column]);
    if (same === null) return null;
    if (!same) fields.push(COLUMN_TO_FIELD[column] ?? column);
  }
  return fields;
}

/** Whether a column read from Dolt equals the value an UPDATE sent for it, as Dolt's diff compares
 *  them (commit-diff.ts `same`); null when the stored form of the value sent is not known here. */
function sameStored(column: string, before: unknown, written: unknown): boolean | null {
  if (written === null || written === undefined) return before === null || before === undefined;
  if (before === null || before === undefined) return false;
  if (column === 'metadata') return typeof written === 'string' ? canonicalJson(before) === canonicalJson(JSON.parse(written)) : null;
  if (typeof written !== 'string' && typeof written !== 'number') return null;
  if (typeof before !== 'string' && typeof before !== 'number') return null;
  return String(before) === String(written);
}

/** JSON with object keys sorted (Dolt stores JSON objects with its own key order). */
function canonicalJson(v: unknown): string {
  const value = typeof v === 'string' ? JSON.parse(v) : v;
  return JSON.stringify(value, (_key, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x));
}

/** A bead the write made (`before` null) or changed (the row before, and the fields that differ). */
interface HeldIssue {
  before: Readonly<Record<string, unknown>> | null;
  bead: Bead;
  fields: string[];
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class OwnChanges {
  private readonly issues = new Map<string, HeldIssue>();
  /** Beads whose labels the write changed: their labels after it. */
  private readonly labels = new Map<string, string[]>();
  /** Dependencies added, with their row id (the order Dolt's diff gives them in). */
  private readonly dependencies: Array<{ rowId: string; change: BeadChange }> = [];

  /** The write made this bead (as it wrote it). */
  created(bead: Bead): boolean {
    if (this.issues.has(bead.id)) return false;
    this.issues.set(bead.id, { before: null, bead: structuredClone(bead), fields: [] });
    return true;
  }

  /** Whether the write made this bead. */
  isCreated(id: string): boolean {
    return this.issues.get(id)?.before === null;
  }

  /** The write changed a bead's row: `before` as it read it (every column), `written` the columns
   *  its UPDATE set, `bead` the bead after. A bead made by this write takes its new state. */
  updated(before: Readonly<Record<string, unknown>>, written: Readonly<Record<string, unknown>>, bead: Bead): boolean {
    const held = this.issues.get(bead.id);
    if (held?.before === null) {
      held.bead = this.withLabels(structuredClone(bead));
      return true;
    }
    if (held) return false; // changed twice: the net change is not told by the two
    const fields = changedFields(before, written);
    if (!fields) return false;
    this.issues.set(bead.id, { before, bead: this.withLabels(structuredClone(bead)), fields });
    return true;
  }

  /** The write changed a bead's labels; `labels`: all of them after the change. */
  labelsChanged(id: string, labels: string[]): boolean {
    const sorted = [...labels].sort();
    this.labels.set(id, sorted);
    const held = this.issues.get(id);
    if (held) held.bead.labels = [...sorted];
    return true;
  }

  /** The write added a dependency row (`rowId`: its primary key). */
  dependencyAdded(rowId: string, id: string, dependsOnId: string, type: DependencyType): boolean {
    this.dependencies.push({ rowId, change: { kind: 'dependency-added', id, dependsOnId, type } });
    return true;
  }

  /** The changes, as diffCommits reports them for the commit against its parent. */
  finish(): BeadChange[] {
    const changes: BeadChange[] = [];
    for (const id of [...this.issues.keys()].sort(byKey)) {
      const { before, bead, fields } = this.issues.get(id)!;
      if (before === null) changes.push({ kind: 'created', id, bead });
      else if (!fields.length) continue;
      else if (bead.status === 'closed' && before.status !== 'closed') changes.push({ kind: 'closed', id, bead });
      else changes.push({ kind: 'updated', id, bead, fields });
    }
    for (const id of [...this.labels.keys()].sort(byKey)) {
      if (!this.isCreated(id)) changes.push({ kind: 'labels-changed', id, labels: this.labels.get(id)! });
    }
    for (const { change } of [...this.dependencies].sort((a, b) => byKey(a.rowId, b.rowId))) changes.push(change);
    return changes;
  }

  private withLabels(bead: Bead): Bead {
    const labels = this.labels.get(bead.id);
    if (labels) bead.labels = [...labels];
    return bead;
  }
}
