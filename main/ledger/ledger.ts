// The bead ledger: a mysql2 pool on the town's Dolt server and the one entry point to it. Every write
// is one transaction ending in a Dolt commit authored by the actor (write-tx.ts); reads are plain SQL
// (or AS OF a commit). The operations live in one file each (docs/ledger.md): bead-create.ts,
// bead-dependencies.ts, bead-update.ts, bead-notes.ts, bead-reads.ts, wisp-operations.ts,
// ephemeral.ts, jsonl.ts, history.ts; this class opens and closes, runs writes, and delegates.
import { AsyncLocalStorage } from 'node:async_hooks';
import mysql, { type Pool } from 'mysql2/promise';
import { type ArgsOut, TownError } from '../../preload/contract.ts';
import type { Bead, Comment, Dependency, DependencyType } from '../../preload/types.ts';
import { prefixOf } from './bead-ids.ts';
import type { Query } from './bead-queries.ts';
import { rowToBead } from './bead-rows.ts';
import { recomputeAllBlocked } from './blocked-state.ts';
import { mysqlEndpoint, type DoltConnection } from './dolt-server.ts';
import { ActorSchema, validate, type BeadCreateInput, type BeadListFilter, type BeadUpdate, type ReadyFilter, type WispCreateInput } from './ledger-schemas.ts';
import type { LedgerContext } from './ledger-context.ts';
import { migrate } from './migrate.ts';
import { runWrite, toTownError, writePoolOptions, type OwnCommit, type WriteTx } from './write-tx.ts';
import { exportJsonl, importJsonl, type ImportReport } from './jsonl.ts';
import type { HistoryEntry } from './history.ts';
import { createAndUpdate, createBead, createBeads, PrefixCounts, type UpdateItem } from './bead-create.ts';
import * as dependencies from './bead-dependencies.ts';
import * as updates from './bead-update.ts';
import * as notes from './bead-notes.ts';
import * as reads from './bead-reads.ts';
import { sequentialMolecules } from './sequential-steps.ts';
import * as wispOps from './wisp-operations.ts';
import * as ephemeral from './ephemeral.ts';

export type { BeadCreateInput, BeadListFilter, BeadUpdate, ReadyFilter, ImportReport, HistoryEntry, WispCreateInput, UpdateItem };
export type { DerivedPatch } from './bead-update.ts';
export { DEFAULT_WISP_TTL_MS } from './wisps.ts';
export { DEFAULT_PREFIX } from './bead-create.ts';
export { NOT_WORK_TYPES } from './bead-reads.ts';

export interface LedgerOptions {
  /** Pool size; Dolt serialises commits anyway, more connections only add contention. Default 10. */
  connections?: number;
  /** Writes of these actors go ahead of the others waiting (in call order among themselves): the
   *  town's Refinery, whose writes land work, so a queue full of `gt done`s cannot hold it back. */
  firstInLine?: (actor: string) => boolean;
}

/** How long close() lets reads still running (a backup's sync, a long export) go on before it cuts them
 *  off: their connections are destroyed and their callers get an error. Writes in flight are always
 *  waited for: their answer is the acknowledgement. */
export const CLOSE_READS_GRACE_MS = 2000;

/** A pool connection as mysql2's pool hands it to its 'connection' listeners. Its `destroy()` only
 *  half-closes the socket and still waits for the query's answer: cutting a read off takes the
 *  socket's own destroy (tried). */
interface PoolConnection {
  stream: { destroy(): void };
  on(event: 'error' | 'end', listener: () => void): unknown;
}

export class Ledger {
  private readonly inflight = new Set<Promise<unknown>>();
  /** Changes waiting for the one running (FIFO, but `firstInLine` writes before the others). */
  private readonly waiting: Array<{ first: boolean; start: () => void }> = [];
  /** A queued change is running. */
  private busy = false;
  /** Set inside a queued change, so one started from within it runs at once instead of waiting for itself. */
  private readonly insideWrite = new AsyncLocalStorage<{ running: boolean }>();
  private readonly prefixCounts = new PrefixCounts();
  private closed = false;
  private readonly ctx: LedgerContext;
  /** Writes run through the queue since the ledger opened: how many, and their total time waiting
   *  for the queue and running (ms). What the benches read to see how busy the one writer is. */
  readonly writeTimes = { count: 0, waitMs: 0, runMs: 0 };
  /** Told of every Dolt commit a write of this ledger made, once it landed (the town's feed). */
  private readonly commitListeners = new Set<(commit: OwnCommit) => void>();
  /** The last commit a write of this ledger made (once it landed): the commit the next write begins
   *  from, unless another client commits in between (the feed checks: OwnCommit.base). */
  private lastCommit: string | null = null;
  private reportCommit(commit: OwnCommit): void {
    this.lastCommit = commit.hash;
    for (const listener of this.commitListeners) listener(commit);
  }

  private constructor(
    readonly pool: Pool, readonly writePool: Pool, readonly conn: DoltConnection, private readonly opts: LedgerOptions,
    /** The read pool's open connections, for close() to cut off reads that outlast its grace. */
    private readonly readConnections: Set<PoolConnection>,
  ) {
    this.ctx = { q: this.q, write: (actor, op, body) => this.write(actor, op, body) };
  }

  /** Opens a pool and migrates the schema; refuses a ledger written by a newer app. */
  static async open(conn: DoltConnection, opts: LedgerOptions = {}): Promise<Ledger> {
    const options = {
      ...mysqlEndpoint(conn), user: conn.user, password: conn.password, database: conn.database,
      connectionLimit: opts.connections ?? 10, waitForConnections: true, queueLimit: 0,
      dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false,
      connectTimeout: 5000, enableKeepAlive: true, charset: 'utf8mb4',
    };
    const pool = mysql.createPool(options);
    // Writes run one at a time on their own connections, which send held statements together
    // (write-tx.ts): the second one serves a write's retry while the first is being dropped.
    const writePool = mysql.createPool({ ...options, connectionLimit: 2, ...writePoolOptions });
    // A pool error on an idle connection (dolt restarting) must not crash the process.
    for (const p of [pool, writePool]) p.on('connection', (c) => c.on('error', () => undefined));
    const readConnections = new Set<PoolConnection>();
    pool.on('connection', (connection) => {
      const c = connection as unknown as PoolConnection;
      readConnections.add(c);
      c.on('end', () => readConnections.delete(c));
    });
    try {
      await migrate(pool, conn.database);
    } catch (e) {
      await Promise.all([pool.end().catch(() => undefined), writePool.end().catch(() => undefined)]);
      throw toTownError(e);
    }
    return new Ledger(pool, writePool, conn, opts, readConnections);
  }

  /** Calls `listener` with every Dolt commit this ledger's writes make, right after it landed; answers
   *  a function that stops it. */
  onCommitted(listener: (commit: OwnCommit) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Waits for writes in flight, then closes the pools. A read still running CLOSE_READS_GRACE_MS
   *  later is cut off (a stop must not wait minutes for a backup's sync). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    const reads = this.pool.end().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), CLOSE_READS_GRACE_MS); });
    if ((await Promise.race([reads, late])) === 'late') for (const c of this.readConnections) c.stream.destroy();
    clearTimeout(timer);
    await Promise.all([reads, this.writePool.end().catch(() => undefined)]);
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private q: Query = async <T,>(sql: string, params: unknown[] = []) => {
    try {
      const [rows] = await this.pool.query(sql, params);
      return rows as T[];
    } catch (e) {
      throw toTownError(e);
    }
  };

  /**
   * One write: one transaction and one Dolt commit, queued behind this ledger's other writes.
   * Dolt runs concurrent transactions by merging each one's working set into the one committed
   * meanwhile at COMMIT (a three-way merge of every touched table: ~19% of the town's Dolt CPU in a
   * 10-agent swarm, docs/performance.md "Fifth pass"), and refuses the loser of a race on one row
   * (a serialization failure, rerun from scratch). One at a time, a write starts from the working
   * set the last one left and commits without a merge; it also keeps writes to one bead in call
   * order (a `firstInLine` actor's writes go ahead of the others waiting, still in order among
   * themselves: see LedgerOptions). Reads are not queued. Other processes' writes (a `bd` on the
   * same server) are still merged or retried by Dolt and write-tx.ts.
   */
  private write<T>(actor: string, op: string, body: (tx: WriteTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new TownError('unavailable', 'the ledger is closed'));
    const who = validate(ActorSchema, actor, 'actor');
    const p = this.queued(() => {
      // Taken when the write starts: the writes queued before it have landed and reported.
      const base = this.lastCommit;
      return runWrite(this.writePool, who, op, body, (commit) => this.reportCommit({ ...commit, base }));
    }, this.opts.firstInLine?.(who) ?? false);
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  /**
   * Runs `change` after the change running and those queued before it (FIFO; `first`: before every
   * waiting change that is not `first`). A failed change does not stop the queue.
   */
  private queued<T>(change: () => Promise<T>, first = false): Promise<T> {
    // Nested: called from inside a change that is still running (it would wait for itself). Work
    // that merely began inside a change (a timer, a listener it woke) inherits the async context
    // too; once that change has finished it queues like any other write.
    if (this.insideWrite.getStore()?.running) return change();
    const asked = performance.now();
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        const mark = { running: true };
        const began = performance.now();
        this.insideWrite.run(mark, change).then(resolve, reject).finally(() => {
          mark.running = false;
          const times = this.writeTimes;
          times.count++;
          times.waitMs += began - asked;
          times.runMs += performance.now() - began;
          this.startNext();
        });
      };
      const at = first ? this.waiting.findIndex((w) => !w.first) : -1;
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { first, start });
      if (!this.busy) this.startNext();
    });
  }

  private startNext(): void {
    const next = this.waiting.shift();
    this.busy = next !== undefined;
    next?.start();
  }

  // ---- create (bead-create.ts) ----------------------------------------------------------------

  /** Creates one bead (one commit `create <id>`). Accepts the contract's beadCreate args and more. */
  async create(input: ArgsOut<'beadCreate'> | BeadCreateInput, actor: string): Promise<Bead> {
    return createBead(this.ctx, this.prefixCounts, input, actor);
  }

  /** Creates many beads in one transaction and one commit (`create N beads`), e.g. a convoy and its work. */
  async createMany(inputs: Array<ArgsOut<'beadCreate'> | BeadCreateInput>, actor: string): Promise<Bead[]> {
    return createBeads(this.ctx, this.prefixCounts, inputs, actor);
  }

  /** Creates beads and updates others (which may name them) in one write and one commit. */
  async createAndUpdate(inputs: Array<ArgsOut<'beadCreate'> | BeadCreateInput>, updates: (created: Bead[]) => UpdateItem[], actor: string): Promise<{ created: Bead[]; updated: Bead[] }> {
    return createAndUpdate(this.ctx, this.prefixCounts, inputs, updates, actor);
  }

  // ---- dependencies (bead-dependencies.ts) ----------------------------------------------------

  /** `issueId` depends on `dependsOnId` (for `blocks`: dependsOnId blocks issueId), as `bd dep add A B`. Returns false if it already existed. */
  async addDependency(issueId: string, dependsOnId: string, type: DependencyType, actor: string): Promise<boolean> {
    return dependencies.addDependency(this.ctx, issueId, dependsOnId, type, actor);
  }

  /**
   * `issueId` depends on every bead of `dependsOnIds` with one type, in one transaction and one commit
   * (`dep add N`). All or nothing. Returns how many were added (existing ones of the same type are skipped).
   */
  async addDependencies(issueId: string, dependsOnIds: string[], type: DependencyType, actor: string): Promise<number> {
    return dependencies.addDependencies(this.ctx, issueId, dependsOnIds, type, actor);
  }

  /** Removes the dependency of issueId on dependsOnId (any type). Returns false if there was none. */
  async removeDependency(issueId: string, dependsOnId: string, actor: string): Promise<boolean> {
    return dependencies.removeDependency(this.ctx, issueId, dependsOnId, actor);
  }

  // ---- update / close / reopen (bead-update.ts) -----------------------------------------------

  /** Changes fields of a bead (one commit `update <id>`, or `close`/`reopen` when status crosses closed). */
  async update(id: string, patch: BeadUpdate, actor: string): Promise<Bead> {
    return updates.update(this.ctx, id, patch, actor);
  }

  /** Changes several beads in one write (one commit `update <ids>`), in order; all or nothing: a
   *  compare-and-set (`expectStatus`) that fails refuses the whole write. A patch may be a function
   *  of the bead as the write reads it (DerivedPatch): no read of it before the write. */
  async updateMany(items: UpdateItem[], actor: string): Promise<Bead[]> {
    return updates.updateMany(this.ctx, items, actor);
  }

  /** Closes a bead; `also` changes its assignee or metadata in the same write (one commit). */
  async closeBead(id: string, reason: string, actor: string, also: Pick<BeadUpdate, 'assignee' | 'metadata'> = {}): Promise<Bead> {
    return updates.closeBead(this.ctx, id, reason, actor, also);
  }

  async reopen(id: string, actor: string): Promise<Bead> {
    return updates.reopen(this.ctx, id, actor);
  }

  // ---- labels and comments (bead-notes.ts) ----------------------------------------------------

  async addLabel(id: string, label: string, actor: string): Promise<Bead> {
    return notes.addLabel(this.ctx, id, label, actor);
  }

  async removeLabel(id: string, label: string, actor: string): Promise<Bead> {
    return notes.removeLabel(this.ctx, id, label, actor);
  }

  async addComment(id: string, text: string, actor: string): Promise<Comment> {
    return notes.addComment(this.ctx, id, text, actor);
  }

  // ---- reads (bead-reads.ts) ------------------------------------------------------------------

  /** A bead with labels, dependencies and comments; `asOf` reads it as of a commit, ref or ISO time. */
  async show(id: string, opts: { asOf?: string } = {}): Promise<Bead> {
    return reads.show(this.ctx, id, opts);
  }

  /** Many beads by id (labels, no dependencies or comments), in the order asked; missing ids left out. */
  async getMany(ids: string[]): Promise<Bead[]> {
    return reads.getMany(this.ctx, ids);
  }

  /** One bead by id, light (labels, no dependencies or comments; one statement); not_found when there is none. */
  async getOne(id: string): Promise<Bead> {
    return reads.getOne(this.ctx, id);
  }

  /** Beads matching the filter, ordered by priority, then age (oldest first), then id. All statuses unless filtered. */
  async list(filter: ArgsOut<'beadList'> | BeadListFilter = {}): Promise<Bead[]> {
    return reads.list(this.ctx, filter);
  }

  /** Ready work: open, not blocked, not deferred into the future (nor its parent), not infrastructure. */
  async ready(filter: ReadyFilter = {}): Promise<Bead[]> {
    return reads.ready(this.ctx, filter);
  }

  /** Of these beads, the steps of a sequential molecule (never ready, never slung): id → the molecule. */
  async sequentialMolecules(ids: string[]): Promise<Map<string, string>> {
    return ids.length ? sequentialMolecules(this.ctx.q, ids) : new Map();
  }

  /** Beads waiting on an unclosed blocker (directly or through a blocked parent), or set to status blocked. */
  async blocked(filter: ReadyFilter = {}): Promise<Array<Bead & { blockedBy: string[] }>> {
    return reads.blocked(this.ctx, filter);
  }

  /** Case-insensitive text match on title and description. */
  async search(query: string, opts: { limit?: number } = {}): Promise<Bead[]> {
    return reads.search(this.ctx, query, opts);
  }

  async count(): Promise<number> {
    return reads.count(this.ctx);
  }

  /** Every dependency edge (at most `limit`), for views that draw the whole graph. */
  async dependencyEdges(limit = 100_000): Promise<Dependency[]> {
    return reads.dependencyEdges(this.ctx, limit);
  }

  /** The current HEAD commit hash. */
  async head(): Promise<string> {
    return reads.head(this.ctx);
  }

  /** Every change to a bead, oldest first: commit, author, time, fields before/after. */
  async history(id: string): Promise<HistoryEntry[]> {
    return reads.history(this.ctx, id);
  }

  // ---- import / export (jsonl.ts) and repair --------------------------------------------------

  /** The whole ledger in the beads JSONL format (reference §10), one bead per line, ordered by id. */
  async exportJsonl(): Promise<string> {
    return exportJsonl(this.q);
  }

  /** Upserts beads from JSONL in one transaction and one commit; a bad line rejects the whole file. */
  async importJsonl(text: string, actor: string): Promise<ImportReport> {
    return importJsonl(text, (body) => this.write(actor, 'import', async (tx) => {
      const report = await body(tx);
      await recomputeAllBlocked(tx);
      return report;
    }));
  }

  /** Repairs is_blocked across the ledger (e.g. after foreign writes); returns how many flags changed. */
  async recomputeBlocked(actor: string): Promise<number> {
    return this.write(actor, 'recompute blocked', async (tx) => {
      tx.subject = 'all';
      const n = await recomputeAllBlocked(tx);
      if (n) await tx.event({ issueId: '', type: 'updated', comment: `recomputed is_blocked on ${n} beads` });
      return n;
    });
  }

  // ---- wisps (wisp-operations.ts: bd's dolt-ignored wisp tables, never a commit until squashed) -

  /** Creates a wisp: an ephemeral bead in `wisps`, no Dolt commit. */
  async createWisp(input: WispCreateInput, actor: string): Promise<Bead> {
    return wispOps.createWisp(this.ctx, input, actor);
  }

  async listWisps(opts: { prefix?: string; limit?: number } = {}): Promise<Bead[]> {
    return wispOps.listWisps(this.ctx, opts);
  }

  async showWisp(id: string): Promise<Bead> {
    return wispOps.showWisp(this.ctx, id);
  }

  async commentWisp(id: string, text: string, actor: string): Promise<Comment> {
    return wispOps.commentWisp(this.ctx, id, text, actor);
  }

  /** Deletes a wisp without a trace in history. Returns false if there was none. */
  async burnWisp(id: string, actor: string): Promise<boolean> {
    return wispOps.burnWisp(this.ctx, id, actor);
  }

  /** Turns a wisp into a real bead with the same id (one write, one Dolt commit `squash <id>`). */
  async squashWisp(id: string, actor: string): Promise<Bead> {
    return wispOps.squashWisp(this.ctx, id, actor);
  }

  /** Removes wisps unchanged for longer than `ttlMs` (default one day); returns their ids. No commit. */
  async sweepWisps(opts: { ttlMs?: number; now?: Date } = {}, actor = 'town'): Promise<string[]> {
    return wispOps.sweepWisps(this.ctx, opts, actor);
  }

  // ---- ephemeral rows (ephemeral.ts: dolt_ignore'd, never a commit) ---------------------------

  /** Queued with the writes: it changes the working set that the next write's transaction starts from. */
  async setEphemeral(scope: string, key: string, value: unknown): Promise<void> {
    return this.queued(() => ephemeral.setEphemeral(this.q, scope, key, value));
  }

  async getEphemeral(scope: string, key: string): Promise<{ value: unknown; updatedAt: string } | null> {
    return ephemeral.getEphemeral(this.q, scope, key);
  }

  async deleteEphemeral(scope: string, key: string): Promise<void> {
    return this.queued(() => ephemeral.deleteEphemeral(this.q, scope, key));
  }

  /** A prefix helper for callers that route by rig. */
  static prefixOf(id: string): string {
    return prefixOf(id);
  }
}

export { rowToBead };
