// The BeadFeed: the one source of live bead updates. It polls the HEAD hash (cheap), and for every new
// commit, whoever made it, emits one BeadFeedEvent with the changes Dolt's own diff shows. It keeps its
// own small pool so a busy Ledger never delays it, and rides out dolt restarts by polling on.
// Polling is paced (feed-pacing.ts): fast while other writers' commits come (or are expected,
// expectChanges), backing off to `idleMs` when none do; poke() (a write this process made or is
// waiting on) polls at once without changing the pace: the town's own commits reach the feed
// through ownCommit, and a poll after one reads HEAD too, so a busy town is not also polled on a timer.
// The town's own commits (ownCommit, from the ledger's writes) save questions: the poll after one
// reads the log up to it instead of asking for HEAD; when its write described every change it made
// (own-changes.ts) and began from the commit's parent (OwnCommit.base, checked against the log's
// parents), that description is delivered and Dolt is not asked for the diff at all; else its diff
// reads the tables its write staged instead of asking Dolt which tables changed. The answer is the
// same: a write's commit holds exactly what it staged and described, unless another client had left
// a change to one of those tables uncommitted (the feed then misses that change in this commit).
// When the commits since the last one delivered are all the town's own, each begun from the one
// before it and described, the log is not read either: one statement asks Dolt for their parents
// (HASHOF), and the writes' own authors and messages stand for the log's (deliverOwnChain).
// Anyone else's commit is found as before, by the paced HEAD polls.
import { EventEmitter } from 'node:events';
import mysql, { type Pool } from 'mysql2/promise';
import type { BeadFeedEvent } from '../../preload/types.ts';
import type { Query } from './bead-queries.ts';
import { diffCommits } from './commit-diff.ts';
import { mysqlEndpoint, type DoltConnection } from './dolt-server.ts';
import type { OwnCommit } from './write-tx.ts';
import { DEFAULT_FEED_PACING, nextPollDelay, type FeedPacing } from './feed-pacing.ts';

/** Own commits remembered at most (those never delivered, e.g. after history was rewritten, age out). */
const OWN_COMMITS_KEPT = 1024;
/** Own commits delivered from their parents' hashes in one poll at most (a longer run reads the log). */
const OWN_CHAIN_MAX = 64;

interface LogRow { commit_hash: string; committer: string; email: string; message: string; date: string; parents?: string }

export interface BeadFeedEvents {
  event: [BeadFeedEvent];
  /** Every commit delivered, with bead changes or not (after its event): the feed has passed it. */
  commit: [string];
  'feed-error': [Error];
}

export class BeadFeed extends EventEmitter<BeadFeedEvents> {
  private readonly pacing: FeedPacing;
  private pool: Pool | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** When the pending timer fires (Date.now() time). */
  private dueAt = 0;
  private polling: Promise<void> | null = null;
  private last: string | null = null;
  /** When another writer's commit was last delivered, or one was announced (expectChanges). */
  private changedAt = Date.now();
  private delayMs: number;
  /** A poke arrived during a poll: poll again right after it. */
  private again = false;
  /** This process's commits not delivered yet, by hash. */
  private readonly own = new Map<string, OwnCommit>();
  /** The newest of them, until a poll takes it. */
  private ownHead: string | null = null;
  /** The newest own commit delivered (a poll running when it was hinted may have delivered it). */
  private ownDelivered: string | null = null;

  /** `pollMs`: the fast interval; `idleMs`: the slowest (pass the same value for a fixed interval). */
  constructor(private readonly conn: DoltConnection, opts: { pollMs?: number; idleMs?: number; settleMs?: number } = {}) {
    super();
    const fastMs = Math.max(20, opts.pollMs ?? DEFAULT_FEED_PACING.fastMs);
    this.pacing = { fastMs, idleMs: Math.max(fastMs, opts.idleMs ?? DEFAULT_FEED_PACING.idleMs), settleMs: opts.settleMs ?? DEFAULT_FEED_PACING.settleMs };
    this.delayMs = fastMs;
  }

  /** Something was (or is about to be) written by this process: poll now. The pace stays as it is:
   *  the town's own writes are no sign of another writer (see expectChanges). */
  poke(): void {
    if (!this.pool) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.schedule(0);
  }

  /** Something may have been written that this process's ledger did not make (a call ran that can
   *  start a `bd` or a pull): poll at the fast pace for a while, not at once. */
  expectChanges(): void {
    this.changedAt = Date.now();
    // A poll running now schedules the next one at the fast pace when it ends.
    if (!this.pool || !this.timer || this.dueAt - Date.now() <= this.pacing.fastMs) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.schedule(this.pacing.fastMs);
  }

  /** A commit this process's ledger made: poll now, up to it (see the header). */
  ownCommit(commit: OwnCommit): void {
    this.own.set(commit.hash, commit);
    if (this.own.size > OWN_COMMITS_KEPT) this.own.delete(this.own.keys().next().value!);
    this.ownHead = commit.hash;
    this.poke();
  }

  /** The last commit the feed has delivered (or started from). */
  get headSeen(): string | null {
    return this.last;
  }

  private q: Query = async <T,>(sql: string, params: unknown[] = []) => {
    const [rows] = await this.pool!.query(sql, params);
    return rows as T[];
  };

  /** Starts from the current HEAD: only commits made after start() are reported. */
  async start(): Promise<void> {
    if (this.pool) return;
    this.pool = mysql.createPool({
      ...mysqlEndpoint(this.conn), user: this.conn.user, password: this.conn.password, database: this.conn.database,
      connectionLimit: 2, dateStrings: true, timezone: 'Z', connectTimeout: 5000, enableKeepAlive: true,
    });
    this.pool.on('connection', (c) => c.on('error', () => undefined));
    this.last = await this.head();
    this.schedule();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pool = this.pool;
    this.pool = null;
    await this.polling?.catch(() => undefined);
    await pool?.end().catch(() => undefined);
  }

  private schedule(delayMs = this.delayMs): void {
    if (!this.pool) return;
    this.dueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.polling = this.poll()
        .catch((e) => { this.emit('feed-error', e); })
        .finally(() => {
          this.polling = null;
          this.delayMs = nextPollDelay(this.delayMs, Date.now() - this.changedAt, this.pacing);
          const now = this.again;
          this.again = false;
          this.schedule(now ? 0 : this.delayMs);
        });
    }, delayMs);
  }

  private async head(): Promise<string> {
    const rows = await this.q<{ h: string }>("SELECT HASHOF('HEAD') AS h");
    return rows[0].h;
  }

  /** One poll: new HEAD → the commits since the last one seen, oldest first, each diffed against its parent. */
  async poll(): Promise<void> {
    if (!this.pool) return;
    const hint = this.ownHead;
    this.ownHead = null;
    // Hinted while the poll before this one ran, and delivered by it (that poll read HEAD with its
    // parents): nothing left to do; another writer's later commit waits for a HEAD poll, as always.
    if (hint !== null && hint === this.ownDelivered) return;
    const own = hint !== null && this.own.has(hint) ? hint : null;
    // Up to the town's newest commit without asking for HEAD; if that commit is not after the last
    // one delivered (history rewritten under it), HEAD decides as for anyone's commit.
    if (own && ((await this.deliverOwnChain(own)) || (await this.deliverUpTo(own, false)))) return;
    await this.deliverUpTo(await this.head(), true);
  }

  /**
   * Delivers the town's own commits from the last one delivered up to `head` without reading the log,
   * when each began from the one before it (OwnCommit.base, the first from the last delivered) and
   * described its changes: one statement asks for their parents, and if each parent is the commit
   * the write began from, the chain is all there is. A town write's commit has one parent (Dolt makes
   * a merge commit only while a merge is in progress, which the town's writes never start). Answers
   * false (nothing delivered) when the chain cannot be formed or a parent differs (another client's
   * commit came between): the log decides then.
   */
  private async deliverOwnChain(head: string): Promise<boolean> {
    const chain: OwnCommit[] = [];
    for (let hash: string | null | undefined = head; hash !== this.last; hash = chain[chain.length - 1].base) {
      const commit = hash ? this.own.get(hash) : undefined;
      if (!commit?.changes || commit.author === undefined || commit.message === undefined || chain.length === OWN_CHAIN_MAX) return false;
      chain.push(commit);
    }
    if (!chain.length) return true;
    // HEAD comes with the parents (the same statement): a commit made after the town's newest one is
    // delivered by this poll too (or by the next, when it is the town's own), so the paced HEAD polls
    // are only needed when the town writes nothing.
    const [parents] = await this.q<Record<string, string>>(
      `SELECT ${chain.map((_, i) => `HASHOF(?) AS p${i}`).join(', ')}, HASHOF('HEAD') AS head`, chain.map((c) => `${c.hash}~1`),
    );
    if (!chain.every((c, i) => parents?.[`p${i}`] === c.base)) return false;
    for (const c of chain.reverse()) {
      if (!this.pool) return true;
      await this.deliver(c.base!, { commit_hash: c.hash, committer: c.author!, email: '', message: c.message!, date: '' }, c);
    }
    const ahead = parents.head;
    if (this.pool && ahead && ahead !== head) {
      // A commit after the town's newest. The answer to the write that made it may be read in this
      // same turn, after this poll's: wait for the turn to end. The town's own (told of by now): the
      // next poll takes it from its parents; anyone else's: delivered now, from the log.
      await new Promise((r) => setImmediate(r));
      if (this.ownHead === ahead) this.again = true;
      else if (this.pool) await this.deliverUpTo(ahead, true);
    }
    return true;
  }

  /**
   * Delivers the commits up to `head` that the last one delivered does not reach. `fromHead`: `head`
   * is Dolt's HEAD, so it is taken as the new last commit whatever the log says (when the last one is
   * gone, the net change is reported as one event). Answers whether `head` was reached.
   */
  private async deliverUpTo(head: string, fromHead: boolean): Promise<boolean> {
    if (head === this.last) return true;
    const from = this.last!;
    // Commits reachable from `head` but not from the last one seen (works across merges too).
    // --parents: each commit's parents come with it (no query per commit for its first parent).
    let commits = await this.q<LogRow>("SELECT commit_hash, committer, email, message, date, parents FROM dolt_log('--parents', ?, ?)", [head, `^${from}`]).catch(() => null);
    if (!fromHead && !commits?.length) return false;
    if (!commits) {
      // The old HEAD is gone (history rewritten): report the net change as one event.
      const [row] = await this.q<LogRow>('SELECT commit_hash, committer, email, message, date FROM dolt_log WHERE commit_hash = ?', [head]);
      await this.deliver(from, row ?? { commit_hash: head, committer: '', email: '', message: '', date: '' });
      return true;
    }
    commits = commits.reverse();
    for (const c of commits) {
      if (!this.pool) return true;
      // The parents, first parent first (a merge lists them comma-separated).
      const parents = String(c.parents ?? '').split(/[,\s]+/).filter(Boolean);
      await this.deliver(parents[0] ?? from, c, parents.length === 1 ? this.own.get(c.commit_hash) : undefined);
    }
    this.last = head;
    return true;
  }

  /** `own`: the town's own write that made this commit (when `from` is its only parent). */
  private async deliver(from: string, c: LogRow, own?: OwnCommit): Promise<void> {
    const changes = own?.changes && own.base === from ? own.changes : await diffCommits(this.q, from, c.commit_hash, own?.tables);
    // Another writer's commit (a `bd`, a pull, a write this process did not make): poll fast a while.
    if (this.own.delete(c.commit_hash)) this.ownDelivered = c.commit_hash;
    else this.changedAt = Date.now();
    this.last = c.commit_hash;
    const event: BeadFeedEvent = { commit: c.commit_hash, author: c.committer, message: c.message, changes };
    if (changes.length) this.emit('event', event);
    // Every commit, with bead changes or not, right after its event: lets a reader know the feed has passed it.
    this.emit('commit', c.commit_hash);
  }
}
