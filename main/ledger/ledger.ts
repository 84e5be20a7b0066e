// The bead ledger: a mysql2 pool on the town's Dolt server. Every write is one transaction ending in a
// Dolt commit authored by the actor (write-tx.ts); reads are plain SQL (or AS OF a commit).
import { randomUUID } from 'node:crypto';
import mysql, { type Pool } from 'mysql2/promise';
import { KeyedLock } from '../lib/keyed-lock.ts';
import { type ArgsOut, TownError } from '../../preload/contract.ts';
import type { Bead, Comment, Dependency, DependencyType } from '../../preload/types.ts';
import { idCandidates, prefixOf } from './bead-ids.ts';
import { beadsFromRows, likeEscape, type Query, readBead } from './bead-queries.ts';
import { BEAD_SELECT, type IssueRow, isoTime, rowToBead, rowToComment, rowToDependency, sqlTime } from './bead-rows.ts';
import { recomputeAllBlocked, recomputeBlocked } from './blocked-state.ts';
import type { DoltConnection } from './dolt-server.ts';
import {
  ActorSchema, AsOfSchema, BeadCreateInputSchema, BeadIdSchema, BeadListFilterSchema, BeadUpdateSchema, CloseSchema,
  CommentTextSchema, DependencyTypeSchema, LabelSchema, ReadyFilterSchema, SearchSchema, validate, WispCreateInputSchema, WispListSchema,
  type BeadCreateInput, type BeadListFilter, type BeadUpdate, type ReadyFilter, type WispCreateInput,
} from './ledger-schemas.ts';
import * as wisps from './wisps.ts';
import { migrate } from './migrate.ts';
import { runWrite, type SqlParam, toTownError, type WriteTx } from './write-tx.ts';
import { exportJsonl, importJsonl, type ImportReport } from './jsonl.ts';
import { beadHistory, type HistoryEntry } from './history.ts';

export type { BeadCreateInput, BeadListFilter, BeadUpdate, ReadyFilter, ImportReport, HistoryEntry, WispCreateInput };
export { DEFAULT_WISP_TTL_MS } from './wisps.ts';

export const DEFAULT_PREFIX = 'hq';
/** Types that are never "ready work": infrastructure and containers (beads §7.2 plus convoy/escalation/event). */
export const NOT_WORK_TYPES = ['merge-request', 'gate', 'molecule', 'message', 'agent', 'role', 'rig', 'convoy', 'event', 'escalation'];
const DEFAULT_LIST_LIMIT = 10_000;

export interface LedgerOptions {
  /** Pool size; Dolt serialises commits anyway, more connections only add contention. Default 10. */
  connections?: number;
}

export class Ledger {
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly beadLocks = new KeyedLock();
  private readonly prefixCounts = new Map<string, { n: number; at: number }>();
  private closed = false;

  private constructor(readonly pool: Pool, readonly conn: DoltConnection) {}

  /** Opens a pool and migrates the schema; refuses a ledger written by a newer app. */
  static async open(conn: DoltConnection, opts: LedgerOptions = {}): Promise<Ledger> {
    const pool = mysql.createPool({
      host: conn.host, port: conn.port, user: conn.user, password: conn.password, database: conn.database,
      connectionLimit: opts.connections ?? 10, waitForConnections: true, queueLimit: 0,
      dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false,
      connectTimeout: 5000, enableKeepAlive: true, charset: 'utf8mb4',
    });
    // A pool error on an idle connection (dolt restarting) must not crash the process.
    pool.on('connection', (c) => c.on('error', () => undefined));
    try {
      await migrate(pool, conn.database);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw toTownError(e);
    }
    return new Ledger(pool, conn);
  }

  /** Waits for writes in flight, then closes the pool. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    await this.pool.end().catch(() => undefined);
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
   * One write: one transaction and one Dolt commit. Writes that change an existing bead name it as
   * `bead`, and are queued per bead inside this process: they would all touch the bead's row, and
   * Dolt would otherwise refuse all but one of them at commit (a serialization failure per race),
   * which under load can outlast the retry budget. Other processes' writes are still retried.
   */
  private write<T>(actor: string, op: string, body: (tx: WriteTx) => Promise<T>, bead?: string): Promise<T> {
    if (this.closed) return Promise.reject(new TownError('unavailable', 'the ledger is closed'));
    const who = validate(ActorSchema, actor, 'actor');
    const run = (): Promise<T> => runWrite(this.pool, who, op, body);
    const p = bead ? this.beadLocks.run(bead, run) : run();
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  private async mustGet(tx: WriteTx, id: string): Promise<Record<string, unknown>> {
    const rows = await tx.query('SELECT * FROM issues WHERE id = ?', [id]);
    if (!rows.length) throw new TownError('not_found', `no bead ${id}`);
    return rows[0];
  }

  private async beadInTx(tx: WriteTx, id: string): Promise<Bead> {
    const [bead] = await beadsFromRows(tx.query.bind(tx) as Query, await tx.query<IssueRow>(`SELECT ${BEAD_SELECT} FROM issues i WHERE i.id = ?`, [id]));
    return bead;
  }

  // ---- create ---------------------------------------------------------------------------------

  /** Creates one bead (one commit `create <id>`). Accepts the contract's beadCreate args and more. */
  async create(input: ArgsOut<'beadCreate'> | BeadCreateInput, actor: string): Promise<Bead> {
    const parsed = validate(BeadCreateInputSchema, input, 'create');
    return this.write(actor, 'create', async (tx) => {
      const id = await this.insertBead(tx, parsed);
      tx.subject = id;
      return this.writtenBead(tx, id, parsed);
    });
  }

  /** Creates many beads in one transaction and one commit (`create N beads`), e.g. a convoy and its work. */
  async createMany(inputs: Array<ArgsOut<'beadCreate'> | BeadCreateInput>, actor: string): Promise<Bead[]> {
    if (!Array.isArray(inputs) || inputs.length === 0) throw new TownError('invalid', 'createMany: nothing to create');
    if (inputs.length > 10_000) throw new TownError('invalid', 'createMany: at most 10,000 beads per batch');
    const parsed = inputs.map((x, i) => validate(BeadCreateInputSchema, x, `createMany[${i}]`));
    return this.write(actor, 'create', async (tx) => {
      const ids: string[] = [];
      for (const p of parsed) ids.push(await this.insertBead(tx, p));
      tx.subject = ids.length === 1 ? ids[0] : `${ids.length} beads`;
      const rows = await tx.query<IssueRow>(`SELECT ${BEAD_SELECT} FROM issues i WHERE i.id IN (?)`, [ids]);
      const beads = await beadsFromRows(tx.query.bind(tx) as Query, rows);
      const byId = new Map(beads.map((b) => [b.id, b]));
      return ids.map((id) => byId.get(id)!);
    });
  }

  /** The bead exactly as insertBead wrote it, without reading it back. */
  private writtenBead(tx: WriteTx, id: string, p: ReturnType<typeof BeadCreateInputSchema.parse>): Bead {
    const status = p.status ?? 'open';
    const now = isoTime(tx.now);
    return {
      id, title: p.title, description: p.description ?? '', type: p.type ?? 'task', status, priority: p.priority ?? 2,
      assignee: p.assignee ?? null, owner: p.owner ?? '', createdBy: tx.actor, createdAt: now, updatedAt: now,
      closedAt: status === 'closed' ? now : null, closeReason: '', labels: [...new Set(p.labels ?? [])].sort(),
      metadata: p.metadata ?? {},
    };
  }

  private async prefixCount(tx: WriteTx, prefix: string): Promise<number> {
    const cached = this.prefixCounts.get(prefix);
    // The count only sizes new ids; a slightly stale number is harmless, a COUNT per create is not.
    if (cached && Date.now() - cached.at < 30_000) return cached.n;
    const p = likeEscape(prefix);
    const rows = await tx.query<{ n: number }>("SELECT COUNT(*) AS n FROM issues WHERE id LIKE ? AND id NOT LIKE ?", [`${p}-%`, `${p}-%.%`]);
    const n = Number(rows[0].n);
    this.prefixCounts.set(prefix, { n, at: Date.now() });
    return n;
  }

  private async insertBead(tx: WriteTx, input: ReturnType<typeof BeadCreateInputSchema.parse>): Promise<string> {
    let id: string;
    if (input.parent) {
      await this.mustGet(tx, input.parent);
      id = await this.nextChildId(tx, input.parent);
    } else {
      // No existence check: a taken id fails the INSERT with a duplicate key, and runWrite reruns the
      // transaction with a fresh nonce. Saves a round trip on every create.
      const prefix = input.prefix ?? DEFAULT_PREFIX;
      const count = await this.prefixCount(tx, prefix);
      id = idCandidates(prefix, count, { title: input.title, description: input.description ?? '', creator: tx.actor }).next().value as string;
      const c = this.prefixCounts.get(prefix);
      if (c) c.n++;
    }
    const status = input.status ?? 'open';
    await tx.exec(
      `INSERT INTO issues (id, title, description, design, acceptance_criteria, notes, status, priority, issue_type, assignee, owner,
         created_by, created_at, updated_at, started_at, closed_at, close_reason, metadata, defer_until)
       VALUES (?, ?, ?, '', '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
      [id, input.title, input.description ?? '', status, input.priority ?? 2, input.type ?? 'task', input.assignee ?? null,
        input.owner ?? '', tx.actor, tx.now, tx.now, status === 'in_progress' ? tx.now : null, status === 'closed' ? tx.now : null,
        JSON.stringify(input.metadata ?? {}), input.deferUntil ? sqlTime(input.deferUntil) : null],
    );
    tx.touch('issues');
    await tx.event({ issueId: id, type: 'created' });
    for (const label of new Set(input.labels ?? [])) {
      await tx.exec('INSERT INTO labels (issue_id, label) VALUES (?, ?)', [id, label]);
      await tx.event({ issueId: id, type: 'label_added', comment: `Added label: ${label}` });
      tx.touch('labels');
    }
    if (input.parent) await this.insertDependency(tx, id, input.parent, 'parent-child');
    for (const d of input.dependencies ?? []) await this.insertDependency(tx, id, d.dependsOnId, d.type);
    // A new bead without dependencies cannot be blocked, and nothing depends on it yet.
    if (input.parent || input.dependencies?.length) await recomputeBlocked(tx, [id]);
    return id;
  }

  private async nextChildId(tx: WriteTx, parent: string): Promise<string> {
    const counter = await tx.query<{ last_child: number }>('SELECT last_child FROM child_counters WHERE parent_id = ?', [parent]);
    const children = await tx.query<{ id: string }>('SELECT id FROM issues WHERE id LIKE ?', [`${likeEscape(parent)}.%`]);
    let max = counter.length ? Number(counter[0].last_child) : 0;
    for (const c of children) {
      const rest = c.id.slice(parent.length + 1);
      if (/^\d+$/.test(rest)) max = Math.max(max, Number(rest));
    }
    const n = max + 1;
    await tx.exec('INSERT INTO child_counters (parent_id, last_child) VALUES (?, ?) ON DUPLICATE KEY UPDATE last_child = VALUES(last_child)', [parent, n]);
    tx.touch('child_counters');
    const id = `${parent}.${n}`;
    validate(BeadIdSchema, id, 'child id');
    return id;
  }

  // ---- dependencies ---------------------------------------------------------------------------

  /** `issueId` depends on `dependsOnId` (for `blocks`: dependsOnId blocks issueId), as `bd dep add A B`. Returns false if it already existed. */
  async addDependency(issueId: string, dependsOnId: string, type: DependencyType, actor: string): Promise<boolean> {
    validate(BeadIdSchema, issueId, 'dependency');
    validate(BeadIdSchema, dependsOnId, 'dependency target');
    const t = validate(DependencyTypeSchema, type, 'dependency type');
    return this.write(actor, 'dep add', async (tx) => {
      tx.subject = `${t} ${issueId} -> ${dependsOnId}`;
      const added = await this.insertDependency(tx, issueId, dependsOnId, t);
      if (added) await recomputeBlocked(tx, [issueId]);
      return added;
    }, issueId);
  }

  /**
   * `issueId` depends on every bead of `dependsOnIds` with one type, in one transaction and one commit
   * (`dep add N`): a convoy tracking a thousand beads is one write, not a thousand. All or nothing: a
   * missing target, a conflicting existing type or a cycle refuses the whole batch. Returns how many
   * were added (existing ones of the same type are skipped).
   */
  async addDependencies(issueId: string, dependsOnIds: string[], type: DependencyType, actor: string): Promise<number> {
    validate(BeadIdSchema, issueId, 'dependency');
    if (!Array.isArray(dependsOnIds)) throw new TownError('invalid', 'addDependencies: dependsOnIds must be a list of bead ids');
    if (dependsOnIds.length > 10_000) throw new TownError('invalid', 'addDependencies: at most 10,000 dependencies per batch');
    const targets = [...new Set(dependsOnIds.map((id) => validate(BeadIdSchema, id, 'dependency target')))];
    const t = validate(DependencyTypeSchema, type, 'dependency type');
    if (!targets.length) return 0;
    if (targets.includes(issueId)) throw new TownError('invalid', `a bead cannot depend on itself (${issueId})`);
    return this.write(actor, 'dep add', async (tx) => {
      tx.subject = `${t} ${issueId} -> ${targets.length} beads`;
      await this.mustGet(tx, issueId);
      const found = new Set<string>();
      const existing = new Map<string, string>();
      for (let i = 0; i < targets.length; i += 1000) {
        const chunk = targets.slice(i, i + 1000);
        for (const r of await tx.query<{ id: string }>('SELECT id FROM issues WHERE id IN (?)', [chunk])) found.add(r.id);
        const deps = await tx.query<{ d: string; type: string }>('SELECT depends_on_issue_id AS d, type FROM dependencies WHERE issue_id = ? AND depends_on_issue_id IN (?)', [issueId, chunk]);
        for (const r of deps) existing.set(r.d, r.type);
      }
      const missing = targets.filter((id) => !found.has(id));
      if (missing.length) throw new TownError('not_found', `cannot add dependencies: no bead ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}`);
      const clash = targets.find((id) => existing.has(id) && existing.get(id) !== t);
      if (clash) throw new TownError('conflict', `${issueId} already has a ${existing.get(clash)} dependency on ${clash}; remove it first`);
      const fresh = targets.filter((id) => !existing.has(id));
      if (!fresh.length) return 0;
      // Only blocking edges can form a cycle that matters; insertDependency checks them one by one.
      if (t === 'blocks' || t === 'parent-child') {
        for (const id of fresh) await this.insertDependency(tx, issueId, id, t);
      } else {
        for (let i = 0; i < fresh.length; i += 500) {
          const rows = fresh.slice(i, i + 500).map((id) => [randomUUID(), issueId, t, tx.now, tx.actor, '{}', '', id]);
          await tx.exec('INSERT INTO dependencies (id, issue_id, type, created_at, created_by, metadata, thread_id, depends_on_issue_id) VALUES ?', [rows]);
        }
        tx.touch('dependencies');
        await tx.events(fresh.map((id) => ({ issueId, type: 'dependency_added', newValue: JSON.stringify({ depends_on_id: id, type: t }) })));
      }
      await recomputeBlocked(tx, [issueId]);
      return fresh.length;
    }, issueId);
  }

  /** Removes the dependency of issueId on dependsOnId (any type). Returns false if there was none. */
  async removeDependency(issueId: string, dependsOnId: string, actor: string): Promise<boolean> {
    validate(BeadIdSchema, issueId, 'dependency');
    validate(BeadIdSchema, dependsOnId, 'dependency target');
    return this.write(actor, 'dep rm', async (tx) => {
      tx.subject = `${issueId} -> ${dependsOnId}`;
      await this.mustGet(tx, issueId);
      const rows = await tx.query<{ id: string; type: string }>('SELECT id, type FROM dependencies WHERE issue_id = ? AND depends_on_issue_id = ?', [issueId, dependsOnId]);
      if (!rows.length) return false;
      await tx.exec('DELETE FROM dependencies WHERE id = ?', [rows[0].id]);
      tx.touch('dependencies');
      await tx.event({ issueId, type: 'dependency_removed', oldValue: JSON.stringify({ depends_on_id: dependsOnId, type: rows[0].type }) });
      await recomputeBlocked(tx, [issueId]);
      return true;
    }, issueId);
  }

  private async insertDependency(tx: WriteTx, issueId: string, dependsOnId: string, type: DependencyType): Promise<boolean> {
    if (issueId === dependsOnId) throw new TownError('invalid', `a bead cannot depend on itself (${issueId})`);
    await this.mustGet(tx, issueId);
    const target = await tx.query('SELECT id FROM issues WHERE id = ?', [dependsOnId]);
    if (!target.length) throw new TownError('not_found', `cannot add dependency: no bead ${dependsOnId}`);
    const existing = await tx.query<{ type: string }>('SELECT type FROM dependencies WHERE issue_id = ? AND depends_on_issue_id = ?', [issueId, dependsOnId]);
    if (existing.length) {
      if (existing[0].type === type) return false;
      throw new TownError('conflict', `${issueId} already has a ${existing[0].type} dependency on ${dependsOnId}; remove it first`);
    }
    if (type === 'blocks' || type === 'parent-child') {
      // A new edge issueId → dependsOnId closes a cycle iff dependsOnId already reaches issueId.
      const path = await tx.query<{ id: string }>(
        `WITH RECURSIVE reach (id) AS (
           SELECT depends_on_issue_id FROM dependencies WHERE issue_id = ? AND type = ? AND depends_on_issue_id IS NOT NULL
           UNION
           SELECT d.depends_on_issue_id FROM dependencies d JOIN reach r ON d.issue_id = r.id WHERE d.type = ? AND d.depends_on_issue_id IS NOT NULL
         ) SELECT id FROM reach WHERE id = ? LIMIT 1`,
        [dependsOnId, type, type, issueId],
      );
      if (path.length) {
        throw new TownError('invalid', `refused: ${issueId} ${type} ${dependsOnId} would create a cycle (${dependsOnId} already depends on ${issueId})`);
      }
    }
    await tx.exec(
      "INSERT INTO dependencies (id, issue_id, type, created_at, created_by, metadata, thread_id, depends_on_issue_id) VALUES (?, ?, ?, ?, ?, '{}', '', ?)",
      [randomUUID(), issueId, type, tx.now, tx.actor, dependsOnId],
    );
    tx.touch('dependencies');
    await tx.event({ issueId, type: 'dependency_added', newValue: JSON.stringify({ depends_on_id: dependsOnId, type }) });
    return true;
  }

  // ---- update / close / reopen ----------------------------------------------------------------

  /** Changes fields of a bead (one commit `update <id>`, or `close`/`reopen` when status crosses closed). */
  async update(id: string, patch: BeadUpdate, actor: string): Promise<Bead> {
    validate(BeadIdSchema, id, 'update');
    const p = validate(BeadUpdateSchema, patch, 'update');
    const op = p.status === 'closed' ? 'close' : 'update';
    return this.write(actor, op, (tx) => this.applyUpdate(tx, id, p, undefined), id);
  }

  /** Closes a bead; `also` changes its assignee or metadata in the same write (one commit). */
  async closeBead(id: string, reason: string, actor: string, also: Pick<BeadUpdate, 'assignee' | 'metadata'> = {}): Promise<Bead> {
    validate(BeadIdSchema, id, 'close');
    const { reason: r } = validate(CloseSchema, { reason }, 'close');
    const extra = Object.keys(also).length ? validate(BeadUpdateSchema, also, 'close') : {};
    return this.write(actor, 'close', (tx) => this.applyUpdate(tx, id, { ...extra, status: 'closed' }, r), id);
  }

  async reopen(id: string, actor: string): Promise<Bead> {
    validate(BeadIdSchema, id, 'reopen');
    return this.write(actor, 'reopen', (tx) => this.applyUpdate(tx, id, { status: 'open' }, undefined), id);
  }

  private async applyUpdate(tx: WriteTx, id: string, p: ReturnType<typeof BeadUpdateSchema.parse>, closeReason: string | undefined): Promise<Bead> {
    tx.subject = id;
    const old = await this.mustGet(tx, id);
    const oldStatus = String(old.status);
    if (p.expectStatus && !p.expectStatus.includes(oldStatus as never)) {
      throw new TownError('conflict', `${id} is ${oldStatus}, expected ${p.expectStatus.join(' or ')}`);
    }
    const sets: string[] = [];
    const params: SqlParam[] = [];
    const set = (col: string, v: SqlParam) => { sets.push(`${col} = ?`); params.push(v); };
    const changes: Record<string, unknown> = {};
    if (p.title !== undefined) { set('title', p.title); changes.title = p.title; }
    if (p.description !== undefined) { set('description', p.description); changes.description = p.description; }
    if (p.type !== undefined) { set('issue_type', p.type); changes.issue_type = p.type; }
    if (p.priority !== undefined) { set('priority', p.priority); changes.priority = p.priority; }
    if (p.assignee !== undefined) { set('assignee', p.assignee); changes.assignee = p.assignee; }
    if (p.owner !== undefined) { set('owner', p.owner); changes.owner = p.owner; }
    if (p.metadata !== undefined) { set('metadata', JSON.stringify(p.metadata)); changes.metadata = p.metadata; }
    if (p.deferUntil !== undefined) { set('defer_until', p.deferUntil ? sqlTime(p.deferUntil) : null); changes.defer_until = p.deferUntil; }
    const newStatus = p.status ?? oldStatus;
    if (p.status !== undefined && p.status !== oldStatus) {
      set('status', p.status);
      changes.status = p.status;
      if (p.status === 'closed') { set('closed_at', tx.now); set('close_reason', closeReason ?? ''); }
      if (oldStatus === 'closed') { set('closed_at', null); set('close_reason', ''); }
      if (p.status === 'in_progress' && !old.started_at) set('started_at', tx.now);
      if (oldStatus === 'pinned') set('pinned', 0);
    }
    if (!sets.length) return this.beadInTx(tx, id);
    set('updated_at', tx.now);
    await tx.exec(`UPDATE issues SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
    tx.touch('issues');
    const eventType = newStatus === 'closed' && oldStatus !== 'closed' ? 'closed'
      : oldStatus === 'closed' && newStatus !== 'closed' ? 'reopened'
      : p.status !== undefined && p.status !== oldStatus ? 'status_changed' : 'updated';
    await tx.event({
      issueId: id, type: eventType,
      oldValue: eventType === 'closed' ? '' : JSON.stringify(old),
      newValue: eventType === 'closed' ? (closeReason ?? '') : JSON.stringify(changes),
    });
    const terminal = (s: string) => s === 'closed' || s === 'pinned';
    if (terminal(oldStatus) !== terminal(newStatus)) await recomputeBlocked(tx, [id]);
    return this.beadInTx(tx, id);
  }

  // ---- labels and comments --------------------------------------------------------------------

  async addLabel(id: string, label: string, actor: string): Promise<Bead> {
    validate(BeadIdSchema, id, 'label');
    const l = validate(LabelSchema, label, 'label');
    return this.write(actor, 'label add', async (tx) => {
      tx.subject = `${id} ${l}`;
      await this.mustGet(tx, id);
      const res = await tx.exec('INSERT IGNORE INTO labels (issue_id, label) VALUES (?, ?)', [id, l]);
      if (res.affectedRows > 0) {
        tx.touch('labels');
        await tx.event({ issueId: id, type: 'label_added', comment: `Added label: ${l}` });
      }
      return this.beadInTx(tx, id);
    }, id);
  }

  async removeLabel(id: string, label: string, actor: string): Promise<Bead> {
    validate(BeadIdSchema, id, 'label');
    const l = validate(LabelSchema, label, 'label');
    return this.write(actor, 'label rm', async (tx) => {
      tx.subject = `${id} ${l}`;
      await this.mustGet(tx, id);
      const res = await tx.exec('DELETE FROM labels WHERE issue_id = ? AND label = ?', [id, l]);
      if (res.affectedRows > 0) {
        tx.touch('labels');
        await tx.event({ issueId: id, type: 'label_removed', comment: `Removed label: ${l}` });
      }
      return this.beadInTx(tx, id);
    }, id);
  }

  async addComment(id: string, text: string, actor: string): Promise<Comment> {
    validate(BeadIdSchema, id, 'comment');
    const t = validate(CommentTextSchema, text, 'comment');
    return this.write(actor, 'comment', async (tx) => {
      tx.subject = id;
      await this.mustGet(tx, id);
      const cid = randomUUID();
      await tx.exec('INSERT INTO comments (id, issue_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)', [cid, id, tx.actor, t, tx.now]);
      tx.touch('comments');
      await tx.event({ issueId: id, type: 'commented', comment: t.slice(0, 1000) });
      const [row] = await tx.query('SELECT * FROM comments WHERE id = ?', [cid]);
      return rowToComment(row);
    }, id);
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** A bead with labels, dependencies and comments; `asOf` reads it as of a commit, ref or ISO time. */
  async show(id: string, opts: { asOf?: string } = {}): Promise<Bead> {
    validate(BeadIdSchema, id, 'show');
    const asOf = opts.asOf === undefined ? undefined : asOfRef(validate(AsOfSchema, opts.asOf, 'asOf'));
    let bead: Bead | null;
    try {
      bead = await readBead(this.q, id, asOf);
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
   * Many beads by id in a few queries (labels, no dependencies or comments), in the order asked;
   * ids with no bead are left out. For callers that hold a list of ids (a convoy's tracked beads).
   */
  async getMany(ids: string[]): Promise<Bead[]> {
    if (!Array.isArray(ids)) throw new TownError('invalid', 'getMany: ids must be a list of bead ids');
    const want = [...new Set(ids.map((id) => validate(BeadIdSchema, id, 'getMany')))];
    const byId = new Map<string, Bead>();
    for (let i = 0; i < want.length; i += 1000) {
      const rows = await this.q<IssueRow>(`SELECT ${BEAD_SELECT} FROM issues i WHERE i.id IN (?)`, [want.slice(i, i + 1000)]);
      for (const b of await beadsFromRows(this.q, rows)) byId.set(b.id, b);
    }
    return want.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
  }

  /** Beads matching the filter, ordered by priority, then age (oldest first), then id. All statuses unless filtered. */
  async list(filter: ArgsOut<'beadList'> | BeadListFilter = {}): Promise<Bead[]> {
    const f = validate(BeadListFilterSchema, filter, 'list');
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.status) { where.push('i.status = ?'); params.push(f.status); }
    if (f.type) { where.push('i.issue_type = ?'); params.push(f.type); }
    if (f.assignee) { where.push('i.assignee = ?'); params.push(f.assignee); }
    if (f.label) { where.push('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)'); params.push(f.label); }
    if (f.prefix) { where.push('i.id LIKE ?'); params.push(`${likeEscape(f.prefix)}-%`); }
    const sql = `SELECT ${BEAD_SELECT} FROM issues i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.priority, i.created_at, i.id LIMIT ?`;
    const rows = await this.q<IssueRow>(sql, [...params, f.limit ?? DEFAULT_LIST_LIMIT]);
    return beadsFromRows(this.q, rows);
  }

  /** Ready work: open, not blocked, not deferred into the future (nor its parent), not infrastructure. */
  async ready(filter: ReadyFilter = {}): Promise<Bead[]> {
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
    // Children of a parent deferred into the future are filtered page by page rather than with a
    // correlated NOT EXISTS: deferred parents are rare, and the page query stays an ordered index scan.
    const page = Math.max(want, 100);
    const out: IssueRow[] = [];
    for (let offset = 0; out.length < want; offset += page) {
      const rows = await this.q<IssueRow>(
        // ORDER BY spells out idx_issues_ready's columns: Dolt then reads the index in order and stops at
        // LIMIT instead of sorting every open bead (the id tiebreak comes from the index's primary-key suffix).
        `SELECT ${BEAD_SELECT} FROM issues i WHERE ${where.join(' AND ')} ORDER BY i.status, i.is_blocked, i.priority, i.created_at LIMIT ? OFFSET ?`,
        [...params, page, offset],
      );
      if (!rows.length) break;
      const hidden = new Set((await this.q<{ id: string }>(
        `SELECT d.issue_id AS id FROM dependencies d JOIN issues p ON p.id = d.depends_on_issue_id
         WHERE d.issue_id IN (?) AND d.type = 'parent-child' AND p.defer_until > ?`,
        [rows.map((r) => String(r.id)), now],
      )).map((r) => r.id));
      for (const r of rows) if (!hidden.has(String(r.id)) && out.length < want) out.push(r);
      if (rows.length < page) break;
    }
    return beadsFromRows(this.q, out);
  }

  /** Beads waiting on an unclosed blocker (directly or through a blocked parent), or set to status blocked. */
  async blocked(filter: ReadyFilter = {}): Promise<Array<Bead & { blockedBy: string[] }>> {
    const f = validate(ReadyFilterSchema, filter, 'blocked');
    const where = ["i.status NOT IN ('closed','pinned')", "(i.is_blocked = 1 OR i.status = 'blocked')"];
    const params: unknown[] = [];
    if (f.prefix) { where.push('i.id LIKE ?'); params.push(`${likeEscape(f.prefix)}-%`); }
    if (f.assignee) { where.push('i.assignee = ?'); params.push(f.assignee); }
    const rows = await this.q<IssueRow>(
      `SELECT ${BEAD_SELECT} FROM issues i WHERE ${where.join(' AND ')} ORDER BY i.priority, i.created_at, i.id LIMIT ?`,
      [...params, f.limit ?? 1000],
    );
    const beads = await beadsFromRows(this.q, rows);
    const blockers = new Map<string, string[]>();
    const ids = beads.map((b) => b.id);
    for (let i = 0; i < ids.length; i += 1000) {
      const edges = await this.q<{ issue_id: string; target: string }>(
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
  async search(query: string, opts: { limit?: number } = {}): Promise<Bead[]> {
    const s = validate(SearchSchema, { query, ...opts }, 'search');
    const pattern = `%${likeEscape(s.query.toLowerCase())}%`;
    const rows = await this.q<IssueRow>(
      `SELECT ${BEAD_SELECT} FROM issues i WHERE LOWER(i.title) LIKE ? OR LOWER(i.description) LIKE ?
       ORDER BY i.priority, i.created_at, i.id LIMIT ?`,
      [pattern, pattern, s.limit ?? 100],
    );
    return beadsFromRows(this.q, rows);
  }

  async count(): Promise<number> {
    const rows = await this.q<{ n: number }>('SELECT COUNT(*) AS n FROM issues');
    return Number(rows[0].n);
  }

  /** Every dependency edge (at most `limit`), for views that draw the whole graph. */
  async dependencyEdges(limit = 100_000): Promise<Dependency[]> {
    const rows = await this.q<Record<string, unknown>>('SELECT * FROM dependencies ORDER BY created_at, issue_id LIMIT ?', [limit]);
    return rows.map(rowToDependency);
  }

  /** The current HEAD commit hash. */
  async head(): Promise<string> {
    const rows = await this.q<{ h: string }>("SELECT HASHOF('HEAD') AS h");
    return rows[0].h;
  }

  /** Every change to a bead, oldest first: commit, author, time, fields before/after. */
  async history(id: string): Promise<HistoryEntry[]> {
    validate(BeadIdSchema, id, 'history');
    const entries = await beadHistory(this.q, id);
    if (!entries.length) {
      const exists = await this.q('SELECT 1 AS x FROM issues WHERE id = ?', [id]);
      if (!exists.length) throw new TownError('not_found', `no bead ${id} in the ledger or its history`);
    }
    return entries;
  }

  // ---- import / export ------------------------------------------------------------------------

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

  // ---- wisps (bd's dolt-ignored wisp tables: never a commit until squashed) -------------------

  /** Creates a wisp: an ephemeral bead in `wisps`, no Dolt commit. */
  async createWisp(input: WispCreateInput, actor: string): Promise<Bead> {
    const p = validate(WispCreateInputSchema, input, 'wisp create');
    const id = await this.write(actor, 'wisp create', async (tx) => {
      const count = await wisps.countWisps(tx.query.bind(tx) as Query);
      return wisps.insertWisp(tx, { ...p, prefix: p.prefix ?? DEFAULT_PREFIX }, count);
    });
    return this.showWisp(id);
  }

  async listWisps(opts: { prefix?: string; limit?: number } = {}): Promise<Bead[]> {
    return wisps.listWisps(this.q, validate(WispListSchema, opts, 'wisp list'));
  }

  async showWisp(id: string): Promise<Bead> {
    validate(BeadIdSchema, id, 'wisp show');
    const w = await wisps.readWisp(this.q, id);
    if (!w) throw new TownError('not_found', `no wisp ${id}`);
    return w;
  }

  async commentWisp(id: string, text: string, actor: string): Promise<Comment> {
    validate(BeadIdSchema, id, 'wisp comment');
    const t = validate(CommentTextSchema, text, 'wisp comment');
    return this.write(actor, 'wisp comment', (tx) => wisps.commentWisp(tx, id, t), id);
  }

  /** Deletes a wisp without a trace in history. Returns false if there was none. */
  async burnWisp(id: string, actor: string): Promise<boolean> {
    validate(BeadIdSchema, id, 'wisp burn');
    return this.write(actor, 'wisp burn', async (tx) => {
      tx.subject = id;
      return (await wisps.deleteWisps(tx, [id])).length > 0;
    }, id);
  }

  /** Turns a wisp into a real bead with the same id (one write, one Dolt commit `squash <id>`). */
  async squashWisp(id: string, actor: string): Promise<Bead> {
    validate(BeadIdSchema, id, 'wisp squash');
    return this.write(actor, 'squash', async (tx) => {
      tx.subject = id;
      await wisps.squashWisp(tx, id);
      return this.beadInTx(tx, id);
    }, id);
  }

  /** Removes wisps unchanged for longer than `ttlMs` (default one day); returns their ids. No commit. */
  async sweepWisps(opts: { ttlMs?: number; now?: Date } = {}, actor = 'town'): Promise<string[]> {
    const cutoff = wisps.wispCutoff(opts.now ?? new Date(), opts.ttlMs ?? wisps.DEFAULT_WISP_TTL_MS);
    return this.write(actor, 'wisp sweep', async (tx) => {
      tx.subject = 'expired wisps';
      return wisps.deleteWisps(tx, await wisps.expiredWispIds(tx, cutoff));
    });
  }

  // ---- ephemeral rows (dolt_ignore'd: never a commit) -----------------------------------------

  async setEphemeral(scope: string, key: string, value: unknown): Promise<void> {
    checkEphemeralKey(scope, key);
    await this.q('REPLACE INTO gt_ephemeral (scope, `key`, value, updated_at) VALUES (?, ?, ?, ?)', [scope, key, JSON.stringify(value ?? null), sqlTime(new Date().toISOString())]);
  }

  async getEphemeral(scope: string, key: string): Promise<{ value: unknown; updatedAt: string } | null> {
    checkEphemeralKey(scope, key);
    const rows = await this.q<{ value: unknown; updated_at: string }>('SELECT value, updated_at FROM gt_ephemeral WHERE scope = ? AND `key` = ?', [scope, key]);
    if (!rows.length) return null;
    return { value: typeof rows[0].value === 'string' ? JSON.parse(rows[0].value) : rows[0].value, updatedAt: isoTime(rows[0].updated_at) };
  }

  async deleteEphemeral(scope: string, key: string): Promise<void> {
    checkEphemeralKey(scope, key);
    await this.q('DELETE FROM gt_ephemeral WHERE scope = ? AND `key` = ?', [scope, key]);
  }

  /** A prefix helper for callers that route by rig. */
  static prefixOf(id: string): string {
    return prefixOf(id);
  }
}

function checkEphemeralKey(scope: string, key: string): void {
  if (typeof scope !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(scope)) throw new TownError('invalid', 'ephemeral scope must be 1-64 lowercase letters, digits, _ or -');
  if (typeof key !== 'string' || key.length < 1 || key.length > 255) throw new TownError('invalid', 'ephemeral key must be 1-255 characters');
}

/** ISO times become the UTC datetime text Dolt's AS OF understands; refs pass through. */
function asOfRef(ref: string): string {
  if (/^\d{4}-\d\d-\d\dT/.test(ref)) return sqlTime(ref);
  return ref;
}

export { rowToBead };
