// Two BeadFeeds on one real Dolt server, for the tests of what the feed may skip asking: `hinted`,
// told of the ledger's own commits by the test and polling HEAD only when told (its timer is ten
// minutes away), and `plain`, asking Dolt about every commit; each collects its events and the
// commits it passed. `outsider` writes as another client of the server would.
import mysql from 'mysql2/promise';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { Ledger } from '../../main/ledger/ledger.ts';
import { startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import type { BeadFeedEvent } from '../../preload/types.ts';

export interface FeedPair {
  dolt: TempDolt;
  ledger: Ledger;
  hinted: BeadFeed;
  plain: BeadFeed;
  got: { hinted: BeadFeedEvent[]; plain: BeadFeedEvent[] };
  commits: { hinted: string[]; plain: string[] };
  outsider: mysql.Pool;
  dispose(): Promise<void>;
}

/** Starts the server, the ledger and both feeds (`see`: a look at each of the hinted feed's queries, set before it starts). */
export async function startFeedPair(see?: (sql: string, params: unknown[]) => void): Promise<FeedPair> {
  const dolt = await startTempDolt();
  const feeds: BeadFeed[] = [];
  let ledger: Ledger | null = null;
  const outsider = mysql.createPool({ ...dolt.server.connection(), connectionLimit: 1 });
  const dispose = async () => {
    for (const f of feeds) await f.stop();
    await outsider.end().catch(() => undefined);
    await ledger?.close();
    await dolt.dispose();
  };
  try {
    const conn = dolt.server.connection();
    ledger = await Ledger.open(conn);
    const hinted = new BeadFeed(conn, { pollMs: 600_000, idleMs: 600_000 });
    const plain = new BeadFeed(conn, { pollMs: 50, idleMs: 50 });
    feeds.push(hinted, plain);
    if (see) onFeedQuery(hinted, see);
    const got = { hinted: [] as BeadFeedEvent[], plain: [] as BeadFeedEvent[] };
    const commits = { hinted: [] as string[], plain: [] as string[] };
    hinted.on('event', (e) => got.hinted.push(e)).on('commit', (h) => commits.hinted.push(h));
    plain.on('event', (e) => got.plain.push(e)).on('commit', (h) => commits.plain.push(h));
    await hinted.start();
    await plain.start();
    return { dolt, ledger, hinted, plain, got, commits, outsider, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** Calls `see` with every query the feed sends, before it is sent. */
export function onFeedQuery(feed: BeadFeed, see: (sql: string, params: unknown[]) => void): void {
  const inner = feed as unknown as { q: (sql: string, params?: unknown[]) => Promise<unknown[]> };
  const q = inner.q;
  inner.q = (sql, params) => {
    see(sql, params ?? []);
    return q(sql, params);
  };
}

/** Events as two feeds can be compared: what each commit changed, and who made it. */
export const comparable = (events: BeadFeedEvent[]) => events.map((e) => ({ commit: e.commit, author: e.author, message: e.message, changes: e.changes }));
