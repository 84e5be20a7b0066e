// The BeadFeed: the one source of live bead updates. It polls the HEAD hash (cheap), and for every new
// commit, whoever made it, emits one BeadFeedEvent with the changes Dolt's own diff shows. It keeps its
// own small pool so a busy Ledger never delays it, and rides out dolt restarts by polling on.
import { EventEmitter } from 'node:events';
import mysql, { type Pool } from 'mysql2/promise';
import type { BeadFeedEvent } from '../../preload/types.ts';
import type { Query } from './bead-queries.ts';
import { diffCommits } from './commit-diff.ts';
import type { DoltConnection } from './dolt-server.ts';

interface LogRow { commit_hash: string; committer: string; email: string; message: string; date: string }

export interface BeadFeedEvents {
  event: [BeadFeedEvent];
  /** Every commit delivered, with bead changes or not (after its event): the feed has passed it. */
  commit: [string];
  'feed-error': [Error];
}

export class BeadFeed extends EventEmitter<BeadFeedEvents> {
  private readonly pollMs: number;
  private pool: Pool | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private last: string | null = null;

  constructor(private readonly conn: DoltConnection, opts: { pollMs?: number } = {}) {
    super();
    this.pollMs = Math.max(20, opts.pollMs ?? 150);
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

  private schedule(): void {
    if (!this.pool) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll()
        .catch((e) => { this.emit('feed-error', e); })
        .finally(() => {
          this.polling = null;
          this.schedule();
        });
    }, this.pollMs);
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
    let commits = await this.q<LogRow>('SELECT commit_hash, committer, email, message, date FROM dolt_log(?, ?) ', [head, `^${from}`]).catch(() => null);
    if (!commits) {
      // The old HEAD is gone (history rewritten): report the net change as one event.
      const [row] = await this.q<LogRow>('SELECT commit_hash, committer, email, message, date FROM dolt_log WHERE commit_hash = ?', [head]);
      await this.deliver(from, row ?? { commit_hash: head, committer: '', email: '', message: '', date: '' });
      return;
    }
    commits = commits.reverse();
    for (const c of commits) {
      if (!this.pool) return;
      const parents = await this.q<{ parent_hash: string }>(
        'SELECT parent_hash FROM dolt_commit_ancestors WHERE commit_hash = ? ORDER BY parent_index LIMIT 1', [c.commit_hash],
      );
      await this.deliver(parents[0]?.parent_hash ?? from, c);
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
