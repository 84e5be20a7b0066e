// Benchmark: BeadFeed latency, commit → typed event delivered to a subscriber (p50/p95), against a
// baseline in the same run: a bare watcher polling the HEAD hash at the same interval that only
// notices the change (no diff). The ratio is the cost of deriving typed changes from Dolt's diff.
// Run: npx tsx bench/ledger-feed.ts
import mysql from 'mysql2/promise';
import { BeadFeed } from '../main/ledger/bead-feed.ts';
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import type { BeadFeedEvent } from '../preload/types.ts';
import { ms, pct } from './ledger-bench-util.ts';

const N = Number(process.env.N ?? 60);
const POLL = Number(process.env.POLL_MS ?? 150);
const town = await startTempDolt();
try {
  const ledger = await Ledger.open(town.server.connection());
  const feed = new BeadFeed(town.server.connection(), { pollMs: POLL });
  const seen = new Map<string, number>();
  feed.on('event', (e: BeadFeedEvent) => { for (const c of e.changes) if (c.kind === 'created') seen.set(c.id, performance.now()); });
  await feed.start();

  // Baseline watcher: same interval, notices the new HEAD only.
  const raw = await mysql.createConnection(town.server.connection());
  let lastHead = '';
  let headChangedAt = 0;
  let watching = true;
  const watch = async () => {
    while (watching) {
      const [rows] = await raw.query("SELECT HASHOF('HEAD') AS h");
      const h = (rows as Array<{ h: string }>)[0].h;
      if (h !== lastHead) { lastHead = h; headChangedAt = performance.now(); }
      await new Promise((r) => setTimeout(r, POLL));
    }
  };
  const watcher = watch();

  const feedLat: number[] = [];
  const baseLat: number[] = [];
  for (let i = 0; i < N; i++) {
    const before = headChangedAt;
    const b = await ledger.create({ title: `feed ${i}`, labels: ['x'] }, 'bench');
    const committed = performance.now();
    while (!seen.has(b.id) || headChangedAt === before) await new Promise((r) => setTimeout(r, 2));
    feedLat.push(seen.get(b.id)! - committed);
    baseLat.push(headChangedAt - committed);
    await new Promise((r) => setTimeout(r, Math.random() * POLL));
  }
  watching = false;
  await watcher;
  console.log(`feed latency, commit → event, ${N} commits, poll every ${POLL} ms`);
  console.log(`  HEAD watcher (baseline) p50 ${ms(pct(baseLat, 50))}  p95 ${ms(pct(baseLat, 95))}`);
  console.log(`  BeadFeed typed events   p50 ${ms(pct(feedLat, 50))}  p95 ${ms(pct(feedLat, 95))}  (target: within 500 ms)`);
  console.log(`  ratio feed/baseline     p50 ${(pct(feedLat, 50) / Math.max(1, pct(baseLat, 50))).toFixed(2)}  p95 ${(pct(feedLat, 95) / Math.max(1, pct(baseLat, 95))).toFixed(2)}`);
  await feed.stop();
  await raw.end();
  await ledger.close();
} finally {
  await town.dispose();
}
