// Dolt's own replication, over SQL on a dedicated connection: remotes (DOLT_REMOTE / dolt_remotes),
// DOLT_FETCH, DOLT_PUSH, and a merge of `<remote>/main` into main whose conflicts are settled by
// table rules (merge-rules.ts, claim-rules.ts) inside one transaction. Nothing here replicates by
// itself: every byte moves through Dolt's procedures.
//
// Invariants:
//   - A merge either commits whole (every conflict settled, one Dolt merge commit authored by the
//     town's federation actor) or rolls back and leaves main as it was; the fetched commits stay in
//     `<remote>/main` for the next attempt.
//   - A conflict without a rule keeps our row, is removed from the conflict table, and is returned in
//     `unresolved` with their row (the caller raises it to the inbox): nothing is dropped silently.
//   - Constraint violations after a merge (e.g. a foreign key to a row the other side deleted) abort
//     the merge and are reported, never committed.
import mysql from 'mysql2/promise';
import { TownError } from '../../../preload/errors.ts';
import { mysqlEndpoint, type DoltConnection } from '../../ledger/dolt-server.ts';
import { authorOf } from '../../ledger/write-tx.ts';
import { type ConflictRow, type Resolution, type Row, resolveWith, type TableResolver } from './merge-rules.ts';

export const REMOTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const FEDERATION_ACTOR = 'town/federation';

export interface RemoteInfo { name: string; url: string }

export interface Unresolved { table: string; key: Row; reason: string; theirs: Row | null }

export interface MergeReport {
  /** 'up-to-date' (nothing new), 'fast-forward', 'merged' (a merge commit), 'aborted' (rolled back). */
  outcome: 'up-to-date' | 'fast-forward' | 'merged' | 'aborted';
  conflicts: number;
  resolved: number;
  notes: string[];
  unresolved: Unresolved[];
  /** Why an aborted merge was aborted. */
  reason?: string;
}

/** Opens one connection to a database of the town's server (dates as strings, UTC). */
export async function openConnection(conn: DoltConnection, database: string | null): Promise<mysql.Connection> {
  const c = await mysql.createConnection({
    ...mysqlEndpoint(conn), user: conn.user, password: conn.password, ...(database ? { database } : {}),
    dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false, connectTimeout: 10_000, charset: 'utf8mb4',
  });
  c.on('error', () => undefined);
  return c;
}

export async function rows<T = Row>(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await c.query(sql, params);
  return r as T[];
}

/** A Dolt remote's URL: a file:// folder, http(s):// (another town's remotesapi, DoltLab), aws://, gs://, or a DoltHub `org/repo`. */
export function checkRemoteUrl(url: string): string {
  const u = url.trim();
  if (/^(file|https?|aws|gs|oci):\/\/\S+$/.test(u) || /^[A-Za-z0-9_-]+\/[A-Za-z0-9_.-]+$/.test(u)) return u;
  throw new TownError('invalid', `not a Dolt remote URL: ${JSON.stringify(url)} (expected file:///folder, http://host:port/database, aws://…, gs://… or a DoltHub org/repo)`);
}

export function checkRemoteName(name: string): string {
  if (!REMOTE_NAME.test(name)) throw new TownError('invalid', `remote names are a letter then letters, digits, - or _ (got ${JSON.stringify(name)})`);
  return name;
}

/** Turns a Dolt remote error into a TownError with a code the caller can act on. */
export function remoteError(e: unknown, what: string): TownError {
  if (e instanceof TownError) return e;
  const m = (e as Error).message ?? String(e);
  if (/non-fast-forward|rejected/i.test(m)) return new TownError('conflict', `${what}: the remote has changes this town has not pulled (${firstLine(m)})`);
  if (/DOLT_REMOTE_PASSWORD/i.test(m)) return new TownError('unauthorized', `${what}: the remote wants a password; set remotePassword in settings/federation-secrets.json and restart the town`);
  if (/Authoriz|PermissionDenied|Unauthenticated|permission denied|access denied/i.test(m)) return new TownError('unauthorized', `${what}: the remote refused this town's credentials (${firstLine(m)})`);
  if (/could not be accessed|connection refused|Unavailable|dial tcp|no such host|i\/o timeout|deadline exceeded|no such file|does not exist|not found/i.test(m)) return new TownError('unavailable', `${what}: the remote cannot be reached (${firstLine(m)})`);
  return new TownError('internal', `${what}: ${firstLine(m)}`);
}

function firstLine(m: string): string {
  return m.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ').slice(0, 300);
}

export async function listRemotes(c: mysql.Connection): Promise<RemoteInfo[]> {
  return (await rows<{ name: string; url: string }>(c, 'SELECT name, url FROM dolt_remotes ORDER BY name')).map((r) => ({ name: r.name, url: r.url }));
}

export async function addRemote(c: mysql.Connection, name: string, url: string): Promise<RemoteInfo> {
  checkRemoteName(name);
  const u = checkRemoteUrl(url);
  if ((await listRemotes(c)).some((r) => r.name === name)) throw new TownError('conflict', `a remote named ${name} exists already (gt remote remove ${name} first)`);
  try {
    await c.query("CALL DOLT_REMOTE('add', ?, ?)", [name, u]);
  } catch (e) {
    throw new TownError('invalid', `dolt refused the remote ${name} ${u}: ${firstLine((e as Error).message)}`);
  }
  return { name, url: u };
}

export async function removeRemote(c: mysql.Connection, name: string): Promise<void> {
  checkRemoteName(name);
  if (!(await listRemotes(c)).some((r) => r.name === name)) throw new TownError('not_found', `no remote named ${name}`);
  await c.query("CALL DOLT_REMOTE('remove', ?)", [name]);
}

/** `--user` for remotes that authenticate (http(s) remotesapi); file and cloud remotes take none. */
export function userArgs(url: string, user: string | undefined): string[] {
  return user && /^https?:\/\//.test(url) ? ['--user', user] : [];
}

async function remoteUrl(c: mysql.Connection, name: string): Promise<string> {
  const r = (await listRemotes(c)).find((x) => x.name === name);
  if (!r) throw new TownError('not_found', `no remote named ${name} (gt remote list)`);
  return r.url;
}

export async function fetchRemote(c: mysql.Connection, name: string, user?: string): Promise<void> {
  const url = await remoteUrl(c, name);
  const args = [...userArgs(url, user), name];
  try {
    await c.query(`CALL DOLT_FETCH(${args.map(() => '?').join(', ')})`, args);
  } catch (e) {
    throw remoteError(e, `fetch from ${name}`);
  }
}

/** Pushes main. A rejected (non-fast-forward) push is a TownError `conflict`; an unreachable remote `unavailable`. */
export async function pushRemote(c: mysql.Connection, name: string, user?: string, branch = 'main'): Promise<string> {
  const url = await remoteUrl(c, name);
  const args = [...userArgs(url, user), name, branch];
  try {
    const r = await rows<{ status: number; message?: string }>(c, `CALL DOLT_PUSH(${args.map(() => '?').join(', ')})`, args);
    return String(r[0]?.message ?? 'pushed');
  } catch (e) {
    throw remoteError(e, `push to ${name}`);
  }
}

/** Does `<remote>/main` exist (a remote that was never pushed to has none)? */
export async function hasRemoteBranch(c: mysql.Connection, name: string, branch = 'main'): Promise<boolean> {
  const r = await rows(c, 'SELECT name FROM dolt_remote_branches WHERE name = ?', [`remotes/${name}/${branch}`]);
  return r.length > 0;
}

const META_COLUMNS = new Set(['from_root_ish', 'our_diff_type', 'their_diff_type', 'base_diff_type', 'dolt_conflict_id']);

/** Splits a dolt_conflicts_<table> row into base / ours / theirs rows (null where that side has no row). */
export function splitConflict(raw: Row): ConflictRow {
  const side = (prefix: string): Row => {
    const out: Row = {};
    for (const [k, v] of Object.entries(raw)) if (k.startsWith(prefix) && !META_COLUMNS.has(k)) out[k.slice(prefix.length)] = v;
    return out;
  };
  const empty = (r: Row): boolean => Object.values(r).every((v) => v === null || v === undefined);
  const base = side('base_');
  const ours = side('our_');
  const theirs = side('their_');
  return {
    base: empty(base) ? null : base,
    ours: raw.our_diff_type === 'removed' || empty(ours) ? null : ours,
    theirs: raw.their_diff_type === 'removed' || empty(theirs) ? null : theirs,
  };
}

function sqlValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !(v instanceof Buffer) && !(v instanceof Date)) return JSON.stringify(v);
  return v;
}

async function primaryKey(c: mysql.Connection, table: string): Promise<string[]> {
  // Filtered here: dolt 1.88 ignores a WHERE on SHOW KEYS and lists every index.
  const keys = (await rows<{ Key_name: string; Column_name: string; Seq_in_index: number }>(c, `SHOW KEYS FROM \`${table}\``)).filter((k) => k.Key_name === 'PRIMARY');
  return keys.sort((a, b) => a.Seq_in_index - b.Seq_in_index).map((k) => k.Column_name);
}

async function applyResolution(c: mysql.Connection, table: string, pk: string[], conflict: ConflictRow, r: Resolution): Promise<void> {
  const keyRow = conflict.ours ?? conflict.theirs ?? conflict.base ?? {};
  if (r.action === 'write') {
    const cols = Object.keys(r.row);
    const set = cols.filter((x) => !pk.includes(x)).map((x) => `\`${x}\` = VALUES(\`${x}\`)`).join(', ');
    // Never REPLACE: on `issues` it would cascade-delete the bead's labels and comments.
    await c.query(
      `INSERT INTO \`${table}\` (${cols.map((x) => `\`${x}\``).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})${set ? ` ON DUPLICATE KEY UPDATE ${set}` : ''}`,
      cols.map((x) => sqlValue(r.row[x])),
    );
  } else if (r.action === 'delete') {
    await c.query(`DELETE FROM \`${table}\` WHERE ${pk.map((k) => `\`${k}\` = ?`).join(' AND ')}`, pk.map((k) => sqlValue(keyRow[k])));
  }
}

/**
 * Merges `<remote>/main` into main. `rules` settle conflicting rows by table; `after` runs inside the
 * same transaction before the commit (e.g. recording lost claims). Retries a few times when a
 * concurrent local write makes the transaction's commit conflict.
 */
export async function mergeRemote(
  c: mysql.Connection, remote: string, rules: Record<string, TableResolver>, message: string,
  after?: (c: mysql.Connection) => Promise<void>,
): Promise<MergeReport> {
  if (!(await hasRemoteBranch(c, remote))) return { outcome: 'up-to-date', conflicts: 0, resolved: 0, notes: [], unresolved: [] };
  for (let attempt = 1; ; attempt++) {
    try {
      return await mergeOnce(c, remote, rules, message, after);
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      const m = (e as Error).message ?? '';
      if (attempt < 5 && /serialization failure|try restarting transaction|conflicts with a committed transaction|cannot commit/i.test(m)) {
        await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
        continue;
      }
      throw e instanceof TownError ? e : new TownError('internal', `merge of ${remote}/main failed: ${firstLine(m)}`);
    } finally {
      await c.query('SET autocommit = 1').catch(() => undefined);
    }
  }
}

async function mergeOnce(
  c: mysql.Connection, remote: string, rules: Record<string, TableResolver>, message: string,
  after?: (c: mysql.Connection) => Promise<void>,
): Promise<MergeReport> {
  const author = authorOf(FEDERATION_ACTOR);
  await c.query('SET autocommit = 0');
  await c.query('SET @@dolt_allow_commit_conflicts = 1');
  await c.query('BEGIN');
  const [merge] = await rows<{ hash: string; fast_forward: number; conflicts: number; message: string }>(
    c, "CALL DOLT_MERGE('--author', ?, '-m', ?, ?)", [author, message, `${remote}/main`]);
  const report: MergeReport = { outcome: 'merged', conflicts: Number(merge?.conflicts ?? 0), resolved: 0, notes: [], unresolved: [] };
  if (/up.to.date/i.test(merge?.message ?? '') || (!merge?.hash && !report.conflicts && !Number(merge?.fast_forward))) report.outcome = 'up-to-date';
  else if (Number(merge?.fast_forward)) report.outcome = 'fast-forward';
  if (report.conflicts > 0) {
    for (const { table } of await rows<{ table: string }>(c, 'SELECT `table` FROM dolt_conflicts')) {
      const pk = await primaryKey(c, table);
      for (const raw of await rows(c, `SELECT * FROM \`dolt_conflicts_${table}\``)) {
        const conflict = splitConflict(raw);
        const r = resolveWith(rules, table, conflict);
        if (r.action === 'unresolved') {
          const keyRow = conflict.ours ?? conflict.theirs ?? {};
          report.unresolved.push({ table, key: Object.fromEntries(pk.map((k) => [k, keyRow[k]])), reason: r.reason, theirs: conflict.theirs });
        } else {
          await applyResolution(c, table, pk, conflict, r);
          report.resolved++;
        }
        if (r.action !== 'unresolved' && r.note) report.notes.push(r.note);
      }
      await c.query(`DELETE FROM \`dolt_conflicts_${table}\``);
    }
  }
  const violations = await rows<{ table: string; num_violations: number }>(c, 'SELECT `table`, num_violations FROM dolt_constraint_violations');
  if (violations.length) {
    await c.query('ROLLBACK');
    return { ...report, outcome: 'aborted', reason: `the merge would break constraints (${violations.map((v) => `${v.table}: ${v.num_violations}`).join(', ')}); main is unchanged and ${remote}/main keeps the remote's commits` };
  }
  if (after) await after(c);
  if (report.conflicts > 0 || after) {
    try {
      await c.query("CALL DOLT_COMMIT('-A', '-m', ?, '--author', ?)", [report.conflicts > 0 ? `${message} (${report.conflicts} conflicts settled by rules)` : message, author]);
    } catch (e) {
      if (!/nothing to commit/i.test((e as Error).message)) throw e;
    }
  }
  await c.query('COMMIT');
  return report;
}
