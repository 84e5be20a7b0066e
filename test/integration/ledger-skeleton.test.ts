// Walking skeleton: a real dolt sql-server in a temp folder, a bead created through the Ledger,
// read back, visible in dolt's log under the actor's name, delivered by the BeadFeed; nothing left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { doltAvailable, startTempDolt } from '../../main/ledger/temp-dolt.ts';
import { findDolt } from '../../main/ledger/dolt-locate.ts';
import type { BeadFeedEvent } from '../../preload/types.ts';
import { TownError } from '../../preload/contract.ts';
import { alive } from '../helpers/gt.ts';
import { waitFor } from '../helpers/wait.ts';

test('skeleton: server, create/show/list, dolt log author, feed, clean stop', async (t) => {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  const town = await startTempDolt();
  const pid = town.server.pid!;
  let ledger: Ledger | null = null;
  let feed: BeadFeed | null = null;
  try {
    assert.equal(town.server.state, 'ready');
    assert.ok(town.server.port > 0);
    const conn = town.server.connection();
    assert.equal(conn.host, '127.0.0.1');
    assert.notEqual(conn.user, 'root');

    // root without a password must not get in
    await assert.rejects(mysql.createConnection({ host: conn.host, port: conn.port, user: 'root', password: '' }));

    ledger = await Ledger.open(conn);
    feed = new BeadFeed(conn, { pollMs: 100 });
    const events: BeadFeedEvent[] = [];
    feed.on('event', (e: BeadFeedEvent) => events.push(e));
    await feed.start();

    const bead = await ledger.create({ title: 'Walk the skeleton', priority: 1, labels: ['demo'] }, 'mayor');
    assert.match(bead.id, /^hq-[0-9a-z]{3,8}$/);
    assert.equal(bead.status, 'open');
    assert.equal(bead.type, 'task');
    assert.equal(bead.createdBy, 'mayor');
    assert.deepEqual(bead.labels, ['demo']);

    const shown = await ledger.show(bead.id);
    assert.equal(shown.title, 'Walk the skeleton');
    assert.deepEqual(shown.dependencies, []);
    const listed = await ledger.list({});
    assert.deepEqual(listed.map((b) => b.id), [bead.id]);
    assert.equal(await ledger.count(), 1);
    await assert.rejects(ledger.show('hq-zzzz'), (e: unknown) => e instanceof TownError && e.code === 'not_found');

    // dolt log (the CLI, on the data folder) shows the commit authored by the actor
    const log = spawnSync(findDolt()!.path, ['log', '-n', '3'], {
      cwd: join(town.dir, 'dolt-data', 'town'),
      env: { ...process.env, DOLT_ROOT_PATH: join(town.dir, 'dolt-data', '.gt', 'dolt-root'), DOLT_DISABLE_EVENT_FLUSH: '1' },
      encoding: 'utf8',
    });
    assert.equal(log.status, 0, log.stderr);
    assert.match(log.stdout, new RegExp(`Author: mayor <mayor@gastown\\.local>[\\s\\S]*create ${bead.id}`));

    const ev = await waitFor('created event', () => events.find((e) => e.changes.some((c) => c.kind === 'created' && c.id === bead.id)), 5000);
    assert.equal(ev.author, 'mayor');
    assert.equal(ev.message, `create ${bead.id}`);
    const created = ev.changes.find((c) => c.kind === 'created')!;
    assert.equal(created.kind === 'created' && created.bead.title, 'Walk the skeleton');
    assert.equal(created.kind === 'created' && created.bead.labels[0], 'demo');
  } finally {
    await feed?.stop();
    await ledger?.close();
    await town.dispose();
  }
  assert.equal(town.server.state, 'stopped');
  assert.equal(town.server.pid, null);
  assert.equal(alive(pid), false, 'dolt process must be gone after stop()');
});
