// The BeadFeed's pacing against a real dolt sql-server: a feed whose polls are ten minutes apart
// still delivers a write at once when poked (the Town pokes it after every call), and a poke
// before start() or after stop() is harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger } from '../../main/ledger/ledger.ts';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { doltAvailable, startTempDolt } from '../../main/ledger/temp-dolt.ts';
import type { BeadFeedEvent } from '../../preload/types.ts';
import { waitFor } from '../helpers/wait.ts';

test('feed pacing: a poke delivers a write without waiting for the (idle) poll interval', async (t) => {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  const town = await startTempDolt();
  let ledger: Ledger | null = null;
  let feed: BeadFeed | null = null;
  try {
    const conn = town.server.connection();
    ledger = await Ledger.open(conn);
    feed = new BeadFeed(conn, { pollMs: 600_000, idleMs: 600_000 });
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
  } finally {
    await feed?.stop();
    feed?.poke(); // after stop: ignored
    await ledger?.close();
    await town.dispose();
  }
});
