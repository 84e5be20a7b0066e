// One ledger write = one SQL transaction that ends in DOLT_ADD(<touched tables>) + DOLT_COMMIT
// authored by the actor. This file owns the retry rules that keep writes whole through conflicts and
// dolt restarts:
//  - serialization conflicts (1213/1205, dolt merge conflicts at COMMIT) → rerun the whole transaction;
//  - connection lost before COMMIT was sent → nothing was applied, rerun;
//  - connection lost during COMMIT (ambiguous) → after reconnecting, look for the write's marker event
//    (a UUID chosen here, inserted in the same transaction): present means applied, absent means rerun.
// Events ids (the marker too) are time-ordered UUIDs (row-ids.ts).
// A body's events rows are inserted together once it has run (one statement), before DOLT_ADD.
// So an acknowledged write is committed, and a failed one reports failure and left nothing behind.
// Foreign key checks are off only for `updateIssues` statements (an UPDATE of issues that changes no
// id), on again before any other statement and before the commit; a connection handed back to the
// pool always has them on.
// Round trips: statements whose answer the body does not need (BEGIN, `updateIssues`, `later`, the
// SET of the checks) are held and sent in one multi-statement round trip with the next statement
// that needs an answer, or with the commit's first round trip (with the events and DOLT_ADD);
// DOLT_COMMIT and COMMIT go alone. A held statement's error fails the write at that round trip, as
// any error does (a body must not catch it as its own statement's). Dolt runs the statements after a
// failed one in the same round trip, and the driver then drops the connection: the transaction is
// rolled back, and nothing after a statement that can fail ever makes changes durable. So the pool
// must be made with `multipleStatements: true` (writePoolOptions).
// A write that made a Dolt commit reports it (OwnCommit: its hash and the tables it staged) once its
// COMMIT returned; the feed uses that instead of asking Dolt what changed (bead-feed.ts). A write
// whose COMMIT was ambiguous, or that had nothing to commit, reports nothing. The report carries the
// write's own description of its changes (own-changes.ts) when every statement that changed a table
// the feed reads was sent as described (`described`) and its change recorded (`describe`); one that
// was not drops the description, and the feed asks Dolt.
import { newRowId } from './row-ids.ts';
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { TownError } from '../../preload/contract.ts';
import type { BeadChange } from '../../preload/types.ts';
import { changesWatchedTables, OwnChanges } from './own-changes.ts';

export const CONFLICT_RETRY_BUDGET_MS = 15_000;
export const CONNECTION_RETRY_BUDGET_MS = 60_000;

export type SqlParam = string | number | boolean | null | Date | Buffer | SqlParam[];

export interface EventRow {
  issueId: string;
  type: string;
  oldValue?: string | null;
  newValue?: string | null;
  comment?: string | null;
}

/** A Dolt commit made by a write of this process: its hash, and the tables the write staged (DOLT_ADD). */
export interface OwnCommit {
  hash: string;
  tables: readonly string[];
  /** The write's changes as the feed reports them (own-changes.ts), when it described all of them. */
  changes?: BeadChange[];
  /** The commit the write began from, when the ledger knows it (the one its previous write made):
   *  `changes` hold against the commit's parent only if that is this one. */
  base?: string | null;
  /** Who Dolt records as the commit's committer (the actor's name in `--author`), and its message. */
  author?: string;
  message?: string;
}

/** The hash in DOLT_COMMIT's answer (mysql2 gives a CALL's rows as the first of several results). */
function commitHashOf(result: unknown): string | null {
  const sets = Array.isArray(result) && Array.isArray(result[0]) ? result : [result];
  for (const rows of sets) {
    const hash = Array.isArray(rows) ? (rows[0] as { hash?: unknown } | undefined)?.hash : undefined;
    if (typeof hash === 'string' && /^[0-9a-v]{32}$/.test(hash)) return hash;
  }
  return null;
}

/** A statement to send, with its parameters; `described`: its change to the tables the feed reads
 *  is recorded in the write's description (WriteTx.describe). */
interface Statement {
  sql: string;
  params: SqlParam[];
  described?: boolean;
}

/** The mysql2 options a pool needs for runWrite: the held statements go out as one multi-statement query. */
export const writePoolOptions = { multipleStatements: true } as const;

/** What a write body gets: the pinned connection plus bookkeeping for staging and the commit message. */
export class WriteTx {
  readonly tables = new Set<string>();
  readonly marker = newRowId();
  private markerUsed = false;
  /** Events rows recorded by the body, inserted by flushEvents(). */
  private readonly pending: SqlParam[][] = [];
  /** The subject named in the commit message (`<op> <subject>`). */
  subject = '';
  /** The Dolt commit this write made (set by commit(); null before, or when there was nothing to commit). */
  commitHash: string | null = null;
  /** The operation named in the commit message, when the body decides it (a patch built in the
   *  write that closes its bead: `close`); else runWrite's `op`. */
  op: string | undefined = undefined;
  /** What the write changed in the tables the feed reads, as described by its statements; null once
   *  one changed them undescribed, or a change could not be told exactly (own-changes.ts). */
  private description: OwnChanges | null = new OwnChanges();
  /** Statements held until the next round trip (BEGIN first). */
  private readonly held: Statement[] = [{ sql: 'BEGIN', params: [] }];
  /** Whether the held statements (and so the connection, once they are sent) end with the checks off. */
  private checksOffHeld = false;
  /** Whether the connection may have its foreign key checks off (a round trip that turned them off
   *  was sent, and none since has surely turned them on again). */
  private checksOffSent = false;

  constructor(
    readonly conn: PoolConnection,
    readonly actor: string,
    readonly now: string,
  ) {
    if (!(conn as unknown as { config?: { multipleStatements?: boolean } }).config?.multipleStatements) {
      throw new Error('runWrite needs a pool made with multipleStatements: true (writePoolOptions)');
    }
  }

  /** A statement whose rows the body reads; sent with the held ones. */
  async query<T = Record<string, unknown>>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    return (await this.send({ sql, params }, !/^\s*SELECT\b/i.test(sql))) as T[];
  }

  /** A statement whose result (affected rows, insert id) the body reads; sent with the held ones.
   *  `described`: the caller records what it changed (describe). */
  async exec(sql: string, params: SqlParam[] = [], described = false): Promise<ResultSetHeader> {
    return (await this.send({ sql, params, described }, true)) as ResultSetHeader;
  }

  /** A statement whose answer the body does not need: held and sent with the next round trip (its
   *  error, if any, fails the write there). */
  later(sql: string, params: SqlParam[] = [], described = false): void {
    this.hold({ sql, params, described }, true);
  }

  /** The write's description of its changes so far (null once dropped): what it made, for callers
   *  that describe by it (isCreated). */
  get described(): Readonly<Pick<OwnChanges, 'isCreated'>> | null {
    return this.description;
  }

  /** Records a change the body made with a statement sent as `described`; `record` answering false
   *  (the change cannot be told exactly) drops the description. */
  describe(record: (changes: OwnChanges) => boolean): void {
    if (this.description && !record(this.description)) this.description = null;
  }

  /** The write's changes as the feed reports them, when all of them were described. */
  describedChanges(): BeadChange[] | undefined {
    return this.description?.finish();
  }

  /** Drops the description when a statement may change a table the feed reads without being described. */
  private watch(statement: Statement): void {
    if (this.description && !statement.described && changesWatchedTables(statement.sql)) this.description = null;
  }

  /**
   * An UPDATE of issues rows that changes their fields but never their id, run with foreign key
   * checks off: every foreign key of the ledger references issues.id (issues itself references
   * nothing), so such an update can neither break one nor cascade, while Dolt still checks every
   * child table (dependencies, labels, comments, snapshots, …) for each statement: ~10 ms of its CPU,
   * two thirds of the statement's cost (bench/ledger-update.ts). Anything else is refused. Held as
   * `later` is.
   */
  updateIssues(sql: string, params: SqlParam[] = [], described = false): void {
    const set = /^UPDATE issues SET (.+) WHERE /s.exec(sql)?.[1];
    if (set === undefined || /(^|,)\s*`?id`?\s*=/.test(set)) throw new Error(`updateIssues: not an UPDATE of issues' fields: ${sql.slice(0, 80)}`);
    if (!this.checksOffHeld) {
      this.held.push({ sql: 'SET foreign_key_checks = 0', params: [] });
      this.checksOffHeld = true;
    }
    const statement = { sql, params, described };
    this.watch(statement);
    this.held.push(statement);
  }

  /** Holds a statement; `checked`: it must run with the foreign key checks on. */
  private hold(statement: Statement, checked: boolean): void {
    this.watch(statement);
    if (checked && this.checksOffHeld) {
      this.held.push({ sql: 'SET foreign_key_checks = 1', params: [] });
      this.checksOffHeld = false;
    }
    this.held.push(statement);
  }

  /** Sends the held statements and `last` in one round trip; answers `last`'s result. */
  private async send(last: Statement, checked: boolean): Promise<unknown> {
    this.hold(last, checked);
    const batch = this.held.splice(0);
    const turnsOff = this.checksOffHeld;
    if (turnsOff) this.checksOffSent = true;
    let results: unknown;
    try {
      if (batch.length === 1) [results] = await this.conn.query(batch[0].sql, batch[0].params);
      else [results] = await this.conn.query(batch.map((b) => b.sql).join(';\n'), batch.flatMap((b) => b.params));
    } catch (e) {
      // Which statements ran is unknown: the checks may be off if they ever were.
      this.checksOffSent ||= batch.some((b) => b.sql === 'SET foreign_key_checks = 0');
      this.checksOffHeld = this.checksOffSent;
      throw e;
    }
    this.checksOffSent = turnsOff;
    if (batch.length === 1) return results;
    // One result per held statement (none is a CALL); the rest is `last`'s (a CALL has several).
    const own = (results as unknown[]).slice(batch.length - 1);
    return own.length === 1 ? own[0] : own;
  }

  /** Whether the connection may still have its checks off (a failed write's connection is then not reused). */
  get foreignKeyChecksOff(): boolean {
    return this.checksOffSent;
  }

  touch(...tables: string[]): void {
    for (const t of tables) this.tables.add(t);
  }

  /** Records an events row; the first one of a write carries the write's idempotency marker as its id.
   *  Rows are kept until the body has run and then inserted together (`commit`): nothing reads the
   *  events table inside a write, and one multi-row INSERT costs one round trip, not one per row. */
  async event(e: EventRow): Promise<void> {
    await this.events([e]);
  }

  /** Records many events rows (see event()); the first of the write carries the marker. */
  async events(es: EventRow[]): Promise<void> {
    for (const e of es) {
      const id = this.markerUsed ? newRowId() : this.marker;
      this.markerUsed = true;
      this.pending.push([id, e.issueId, e.type, this.actor, e.oldValue ?? '', e.newValue ?? '', e.comment ?? '', this.now]);
    }
    if (es.length) this.touch('events');
  }

  /**
   * Ends the write: the held statements, the events (500 rows per INSERT), the checks on again and
   * DOLT_ADD of the touched tables in one round trip; then DOLT_COMMIT authored by the actor, which
   * ends the SQL transaction with the commit it makes (Dolt 1.88: another client sees the change at
   * once, and a ROLLBACK after it undoes nothing); COMMIT only when no Dolt commit was made (nothing
   * to commit, which is not an error: the body's changes cancel out, or touched only ignored tables).
   * DOLT_COMMIT and COMMIT each go alone: Dolt (1.88) runs the statements of a multi-statement query
   * that follow a failed one, so nothing that makes changes durable may follow another statement in
   * the same round trip (a failed round trip leaves its transaction open, and it is rolled back).
   */
  async commit(message: string): Promise<void> {
    const rows = this.pending.splice(0);
    for (let i = 0; i < rows.length; i += 500) {
      this.hold({ sql: 'INSERT INTO events (id, issue_id, event_type, actor, old_value, new_value, comment, created_at) VALUES ?', params: [rows.slice(i, i + 500)] }, true);
    }
    if (this.tables.size > 0) {
      const tables = [...this.tables];
      await this.send({ sql: `CALL DOLT_ADD(${tables.map(() => '?').join(', ')})`, params: tables }, true);
      try {
        const [result] = await this.conn.query("CALL DOLT_COMMIT('-m', ?, '--author', ?)", [message, authorOf(this.actor)]);
        this.commitHash = commitHashOf(result);
      } catch (e) {
        if (!/nothing to commit/i.test((e as Error).message)) throw e;
      }
    } else if (this.held.length > 1 || this.checksOffHeld) {
      await this.send({ sql: 'SELECT 1', params: [] }, true);
    }
    if (!this.commitHash) await this.conn.query('COMMIT');
  }

  get hasMarker(): boolean {
    return this.markerUsed;
  }
}

export function authorOf(actor: string): string {
  const email = actor.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown';
  return `${actor} <${email}@gastown.local>`;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'EHOSTUNREACH', 'ENOTCONN',
]);

export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string; fatal?: boolean };
  if (err?.code && CONNECTION_CODES.has(err.code)) return true;
  if (err?.fatal) return true;
  return /connection lost|closed state|can't add new command when connection is in closed state|server has gone away|ECONNREFUSED|read only/i.test(err?.message ?? '');
}

export function isConflictError(e: unknown): boolean {
  const err = e as { errno?: number; message?: string };
  if (err?.errno === 1213 || err?.errno === 1205) return true;
  return /serialization failure|try restarting transaction|conflicts with a committed transaction|merge conflict|cannot commit|database is locked|lock wait/i.test(err?.message ?? '');
}

export function isDuplicateKey(e: unknown): boolean {
  return (e as { errno?: number })?.errno === 1062;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function jitter(ms: number): number {
  return ms / 2 + Math.random() * ms;
}

export function nowSql(d = new Date()): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Runs `body` as one committed ledger write. `op` names the operation in the commit message.
 * The body must be deterministic to rerun: it is called again from scratch on every retry.
 */
export async function runWrite<T>(pool: Pool, actor: string, op: string, body: (tx: WriteTx) => Promise<T>, committed?: (commit: OwnCommit) => void): Promise<T> {
  const started = Date.now();
  let conflictDelay = 25;
  let connDelay = 100;
  for (let attempt = 1; ; attempt++) {
    let conn: PoolConnection | null = null;
    let tx: WriteTx | null = null;
    let committing = false;
    let result: T | undefined;
    try {
      conn = await pool.getConnection();
      tx = new WriteTx(conn, actor, nowSql());
      result = await body(tx);
      committing = true;
      const message = `${tx.op ?? op} ${tx.subject}`.trim();
      await tx.commit(message);
      conn.release();
      if (tx.commitHash && committed) reportCommit(committed, { hash: tx.commitHash, tables: [...tx.tables], changes: tx.describedChanges(), author: actor, message });
      return result as T;
    } catch (e) {
      const elapsed = Date.now() - started;
      // A connection whose foreign key checks are still off goes no further than this write.
      if (conn && tx?.foreignKeyChecksOff && !isConnectionError(e)) {
        conn.destroy();
        conn = null;
      }
      if (e instanceof TownError || !(isConnectionError(e) || isConflictError(e) || isDuplicateKey(e))) {
        await rollbackQuietly(conn);
        throw e instanceof TownError ? e : toTownError(e);
      }
      if (isConnectionError(e)) {
        conn?.destroy();
        conn = null;
        if (committing && tx?.hasMarker) {
          // Ambiguous: the commit may have landed before the connection dropped. Ask once the server is back.
          const applied = await markerApplied(pool, tx.marker, started);
          if (applied === true) {
            // The body ran to completion before COMMIT, so its result describes exactly what landed.
            return result as T;
          }
        }
        if (elapsed > CONNECTION_RETRY_BUDGET_MS) {
          throw new TownError('unavailable', `ledger write "${op}" failed: the dolt server is unreachable (${(e as Error).message}); nothing was written`);
        }
        await sleep(jitter(connDelay));
        connDelay = Math.min(connDelay * 2, 2000);
        continue;
      }
      await rollbackQuietly(conn);
      if (elapsed > CONFLICT_RETRY_BUDGET_MS) {
        throw new TownError('conflict', `ledger write "${op}" kept conflicting with concurrent writes for ${Math.round(elapsed / 1000)}s; nothing was written (${(e as Error).message})`);
      }
      await sleep(jitter(conflictDelay));
      conflictDelay = Math.min(conflictDelay * 2, 1000);
    }
  }
}

/** A listener's failure must not turn a write that landed into a failed one. */
function reportCommit(committed: ((commit: OwnCommit) => void) | undefined, commit: OwnCommit): void {
  try {
    committed?.(commit);
  } catch {
    // The feed then learns of the commit by asking Dolt, as it does for anyone else's.
  }
}

async function rollbackQuietly(conn: PoolConnection | null): Promise<void> {
  if (!conn) return;
  try {
    await conn.query('ROLLBACK');
    conn.release();
  } catch {
    conn.destroy();
  }
}

/** true/false once the server answers; waits (within the connection budget) while it is down. */
async function markerApplied(pool: Pool, marker: string, started: number): Promise<boolean | null> {
  let delay = 100;
  while (Date.now() - started < CONNECTION_RETRY_BUDGET_MS) {
    try {
      const [rows] = await pool.query('SELECT COUNT(*) AS n FROM events WHERE id = ?', [marker]);
      return Number((rows as Array<{ n: number }>)[0].n) > 0;
    } catch (e) {
      if (!isConnectionError(e)) return null;
      await sleep(jitter(delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
  return null;
}

export function toTownError(e: unknown): TownError {
  if (e instanceof TownError) return e;
  const err = e as { errno?: number; message?: string; code?: string };
  if (err?.errno === 1452) return new TownError('not_found', `referenced bead does not exist (${err.message})`);
  if (err?.errno === 1406) return new TownError('invalid', `value too long: ${err.message}`);
  if (err?.errno === 3140 || /invalid json/i.test(err?.message ?? '')) return new TownError('invalid', `invalid JSON: ${err.message}`);
  if (isConnectionError(e)) return new TownError('unavailable', `the dolt server is unreachable: ${err?.message}`);
  return new TownError('internal', err?.message ?? String(e));
}
