// The BeadFeed: the one source of live bead updates. It polls the HEAD hash (cheap), and for every new
// commit, whoever made it, emits one BeadFeedEvent with the changes Dolt's own diff shows. It keeps its
// own small pool so a busy Ledger never delays it, and rides out dolt restarts by polling on.
// Polling is paced (feed-pacing.ts): fast while things change, backing off to `idleMs` when nothing
// does; poke() (a write this process made or is waiting on) polls at once and makes it fast again.
import { EventEmitter } from 'node:events';
import mysql, { type Pool } from 'mysql2/promise';
import type { BeadFeedEvent } from '../../preload/types.ts';
import type { Query } from './bead-queries.ts';
import { diffCommits } from './commit-diff.ts';
import type { DoltConnection } from './dolt-server.ts';
import { DEFAULT_FEED_PACING, nextPollDelay, type FeedPacing } from './feed-pacing.ts';

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
  private polling: Promise<void> | null = null;
  private last: string | null = null;
  /** When a change was last seen or announced (poke). */
  private changedAt = Date.now();
  private delayMs: number;
  /** A poke arrived during a poll: poll again right after it. */
  private again = false;

  /** `pollMs`: the fast interval; `idleMs`: the slowest (pass the same value for a fixed interval). */
  constructor(private readonly conn: DoltConnection, opts: { pollMs?: number; idleMs?: number; settleMs?: number } = {}) {
    super();
    const fastMs = Math.max(20, opts.pollMs ?? DEFAULT_FEED_PACING.fastMs);
    this.pacing = { fastMs, idleMs: Math.max(fastMs, opts.idleMs ?? DEFAULT_FEED_PACING.idleMs), settleMs: opts.settleMs ?? DEFAULT_FEED_PACING.settleMs };
    this.delayMs = fastMs;
  }

  /** Something was (or is about to be) written: poll now, and keep polling fast for a while. */
  poke(): void {
    this.changedAt = Date.now();
    if (!this.pool) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.schedule(0);
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
      host: this.conn.host, port: this.conn.port, user: this.conn.user, password: this.conn.password, database: this.conn.database,
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
    this.timer = setTimeout(() => {
      this.timer = null;
      const before = this.last;
      this.polling = this.poll()
        .catch((e) => { this.emit('feed-error', e); })
        .finally(() => {
          this.polling = null;
          if (this.last !== before) this.changedAt = Date.now();
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
    const head = await this.head();
    if (head === this.last) return;
    const from = this.last!;
    // Commits reachable from the new HEAD but not from the last one seen (works across merges too).
    // --parents: each commit's parents come with it (no query per commit for its first parent).
    let commits = await this.q<LogRow>("SELECT commit_hash, committer, email, message, date, parents FROM dolt_log('--parents', ?, ?)", [head, `^${from}`]).catch(() => null);
    if (!commits) {
      // The old HEAD is gone (history rewritten): report the net change as one event.
      const [row] = await this.q<LogRow>('SELECT commit_hash, committer, email, message, date FROM dolt_log WHERE commit_hash = ?', [head]);
      await this.deliver(from, row ?? { commit_hash: head, committer: '', email: '', message: '', date: '' });
      return;
    }
    commits = commits.reverse();
    for (const c of commits) {
      if (!this.pool) return;
      // The first parent (a merge lists its parents comma-separated, first parent first).
      const parent = String(c.parents ?? '').split(/[,\s]+/).find(Boolean);
      await this.deliver(parent ?? from, c);
    }
    this.last = head;
  }

  private async deliver(from: string, c: LogRow): Promise<void> {
    const changes = await diffCommits(this.q, from, c.commit_hash);
    this.last = c.commit_hash;
    const event: BeadFeedEvent = { commit: c.commit_hash, author: c.committer, message: c.message, changes };
    if (changes.length) this.emit('event', event);
    // Every commit, with bead changes or not, right after its event: lets a reader know the feed has passed it.
    this.emit('commit', c.commit_hash);
  }
}
