// The BeadFeed's pacing against a real dolt sql-server: a feed whose polls are ten minutes apart
// still delivers a write at once when poked (the ledger's own commits poke it), and a poke before
// start() or after stop() is harmless; the town's own writes leave the pace as it is, another
// writer's commit makes it fast again.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger } from '../../main/ledger/ledger.ts';
import mysql from 'mysql2/promise';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { mysqlEndpoint, type DoltConnection } from '../../main/ledger/dolt-server.ts';
import { doltAvailable, startTempDolt } from '../../main/ledger/temp-dolt.ts';
import type { BeadFeedEvent } from '../../preload/types.ts';
import { waitFor } from '../helpers/wait.ts';
import { onFeedQuery } from '../helpers/feed-pair.ts';

/** A temp Dolt, a Ledger on it and a BeadFeed with `opts` (not started); all stopped after `body`
 *  (the feed poked once more after its stop: ignored). */
async function withFeed(t: TestContext, opts: ConstructorParameters<typeof BeadFeed>[1], body: (ledger: Ledger, feed: BeadFeed, conn: DoltConnection) => Promise<void>): Promise<void> {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  const town = await startTempDolt();
  let ledger: Ledger | null = null;
  let feed: BeadFeed | null = null;
  try {
    const conn = town.server.connection();
    ledger = await Ledger.open(conn);
    feed = new BeadFeed(conn, opts);
    await body(ledger, feed, conn);
  } finally {
    await feed?.stop();
    feed?.poke();
    await ledger?.close();
    await town.dispose();
  }
}

test('feed pacing: a poke delivers a write without waiting for the (idle) poll interval', (t) => withFeed(t, { pollMs: 600_000, idleMs: 600_000 }, async (ledger, feed) => {
  feed.poke(); // before start: nothing to poll yet, must not throw
  const events: BeadFeedEvent[] = [];
  let polls = 0;
  const poll = feed.poll.bind(feed);
  feed.poll = () => { polls++; return poll(); };
  feed.on('event', (e: BeadFeedEvent) => events.push(e));
  await feed.start();

  const first = await ledger.create({ title: 'one' }, 'mayor');
  feed.poke();
  const ev1 = await waitFor('event for the first bead', () => events.find((e) => e.changes.some((c) => c.id === first.id)), 20_000);
  assert.equal(ev1.author, 'mayor');
  assert.equal(polls, 1, 'exactly the poked poll ran (the next scheduled one is ten minutes away)');

  // Two writes, one poke: both commits arrive, in order, each diffed against its own parent.
  const second = await ledger.create({ title: 'two' }, 'mayor');
  await ledger.update(second.id, { title: 'two, renamed' }, 'witness');
  feed.poke();
  await waitFor('both later commits', () => events.length >= 3 || null, 20_000);
  assert.deepEqual(events.slice(1).map((e) => [e.author, e.changes[0].kind]), [['mayor', 'created'], ['witness', 'updated']]);
  assert.equal(feed.headSeen, await ledger.head());
}));

// Fast = every 40 ms for 400 ms after a change; idle = a minute.
test('feed pacing: the town\'s own writes do not hold the feed at its fast pace; another writer\'s commit does', (t) => withFeed(t, { pollMs: 40, idleMs: 60_000, settleMs: 400 }, async (ledger, feed, conn) => {
  let headPolls = 0;
  onFeedQuery(feed, (sql) => { if (sql.trim() === "SELECT HASHOF('HEAD') AS h") headPolls++; });
  const events: BeadFeedEvent[] = [];
  feed.on('event', (e: BeadFeedEvent) => events.push(e));
  ledger.onCommitted((c) => feed.ownCommit(c));
  await feed.start();
  await new Promise((r) => setTimeout(r, 1500)); // settled: the timer's wait has grown past a second

  const before = headPolls;
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    ids.push((await ledger.create({ title: `own ${i}` }, 'mayor')).id);
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitFor('every own write delivered', () => ids.every((id) => events.some((e) => e.changes.some((c) => c.id === id))) || null, 20_000);
  const duringOwn = headPolls - before;
  // At the fast pace 1.2 s of writes would take ~30 HEAD polls; the timer's grown wait allows a few.
  assert.ok(duringOwn <= 3, `HEAD polled ${duringOwn} times while only the town wrote`);

  // Another writer's commit, seen by the next poll, puts the feed back at its fast pace.
  const outsider = await mysql.createConnection({ ...mysqlEndpoint(conn), user: conn.user, password: conn.password, database: conn.database });
  await outsider.query('UPDATE issues SET priority = 0 WHERE id = ?', [ids[0]]);
  await outsider.query("CALL DOLT_ADD('issues')");
  await outsider.query("CALL DOLT_COMMIT('-m', 'by hand', '--author', 'outsider <outsider@example.com>')");
  await outsider.end();
  await ledger.create({ title: 'after the outsider' }, 'mayor'); // its poll reads HEAD: the outsider's commit comes with it or before it
  await waitFor('the outsider\'s commit', () => events.find((e) => e.author.startsWith('outsider')), 20_000);
  // Back at 40 ms (then doubling) instead of the minute the timer had grown to.
  const afterOutsider = headPolls;
  await waitFor('HEAD polls at the fast pace again', () => headPolls - afterOutsider >= 3 || null, 20_000);
}));
