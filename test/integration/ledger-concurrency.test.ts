// Must show: 30 concurrent writers × 20 changes through the Ledger API on a real Dolt server. All 600
// changes land (one Dolt commit and one event each, authored by the writer), nothing is lost on the
// bead they all hammer (label adds, comments and status/metadata updates racing), and no deadlock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { doltAvailable, startTempDolt } from '../../main/ledger/temp-dolt.ts';

const WRITERS = 30;
const CHANGES = 20;

test('30 writers × 20 changes: all present, no lost update', { skip: doltAvailable() ?? false, timeout: 600_000 }, async () => {
  const town = await startTempDolt();
  const ledger = await Ledger.open(town.server.connection());
  const raw = await mysql.createConnection(town.server.connection());
  try {
    const shared = await ledger.create({ title: 'everyone touches this' }, 'mayor');
    const failures: string[] = [];
    const writer = async (w: number) => {
      const actor = `writer-${w}`;
      for (let j = 0; j < CHANGES; j++) {
        try {
          switch (j % 4) {
            case 0: await ledger.addLabel(shared.id, `w${w}-${j}`, actor); break;
            case 1: await ledger.create({ title: `w${w}-${j}` }, actor); break;
            case 2: await ledger.update(shared.id, { status: j % 8 === 2 ? 'in_progress' : 'open', metadata: { w, j } }, actor); break;
            default: await ledger.addComment(shared.id, `w${w}-${j}`, actor);
          }
        } catch (e) {
          failures.push(`${actor} #${j}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    assert.deepEqual(failures, []);

    const bead = await ledger.show(shared.id);
    const expectLabels: string[] = [];
    const expectComments: string[] = [];
    const expectTitles: string[] = [];
    for (let w = 0; w < WRITERS; w++) {
      for (let j = 0; j < CHANGES; j++) {
        if (j % 4 === 0) expectLabels.push(`w${w}-${j}`);
        if (j % 4 === 1) expectTitles.push(`w${w}-${j}`);
        if (j % 4 === 3) expectComments.push(`w${w}-${j}`);
      }
    }
    assert.deepEqual(bead.labels, [...expectLabels].sort());
    assert.deepEqual(bead.comments!.map((c) => c.text).sort(), [...expectComments].sort());
    const created = (await ledger.list({ limit: 100_000 })).filter((b) => b.createdBy.startsWith('writer-')).map((b) => b.title);
    assert.deepEqual(created.sort(), [...expectTitles].sort());

    const [ev] = await raw.query("SELECT COUNT(*) AS n FROM events WHERE actor LIKE 'writer-%'");
    assert.equal(Number((ev as Array<{ n: number }>)[0].n), WRITERS * CHANGES, 'one event per change');
    const [log] = await raw.query("SELECT COUNT(*) AS n FROM dolt_log WHERE committer LIKE 'writer-%'");
    assert.equal(Number((log as Array<{ n: number }>)[0].n), WRITERS * CHANGES, 'one Dolt commit per change, authored by its writer');
    const [status] = await raw.query('SELECT COUNT(*) AS n FROM dolt_status');
    assert.equal(Number((status as Array<{ n: number }>)[0].n), 0, 'nothing left uncommitted');
  } finally {
    await raw.end();
    await ledger.close();
    await town.dispose();
  }
});

test('one ledger runs its writes one at a time, in call order; a failed write does not stop the ones behind it', { skip: doltAvailable() ?? false, timeout: 300_000 }, async () => {
  const town = await startTempDolt();
  const ledger = await Ledger.open(town.server.connection());
  const raw = await mysql.createConnection(town.server.connection());
  try {
    const beads = await ledger.createMany(Array.from({ length: 4 }, (_, i) => ({ title: `bead ${i}` })), 'mayor');
    const [before] = await raw.query('SELECT COUNT(*) AS n FROM dolt_log');
    const start = Number((before as Array<{ n: number }>)[0].n);
    // Started together, on different beads and kinds of write: unqueued, Dolt would commit them in
    // whatever order their transactions finished (and merge or refuse the racing ones).
    const calls: Array<Promise<unknown>> = [];
    const expected: string[] = [];
    for (let i = 0; i < 24; i++) {
      const bead = beads[i % beads.length].id;
      const actor = `writer-${i}`;
      if (i === 9) {
        calls.push(ledger.update('gt-nosuch', { status: 'in_progress' }, actor));
        continue;
      }
      expected.push(actor);
      if (i % 3 === 0) calls.push(ledger.addLabel(bead, `l${i}`, actor));
      else if (i % 3 === 1) calls.push(ledger.addComment(bead, `c${i}`, actor));
      else calls.push(ledger.update(bead, { metadata: { i } }, actor));
    }
    const settled = await Promise.allSettled(calls);
    assert.equal(settled[9].status, 'rejected', 'the write to a missing bead fails');
    assert.match(String((settled[9] as PromiseRejectedResult).reason?.message), /gt-nosuch/);
    assert.deepEqual(settled.filter((s, i) => i !== 9 && s.status !== 'fulfilled'), [], 'every other write lands');
    const [log] = await raw.query('SELECT committer FROM dolt_log');
    const committers = (log as Array<{ committer: string }>).map((r) => r.committer);
    assert.equal(committers.length, start + expected.length, 'one commit per landed write');
    assert.deepEqual(committers.slice(0, expected.length).reverse(), expected, 'commits in call order');
  } finally {
    await raw.end();
    await ledger.close();
    await town.dispose();
  }
});

test('a first-in-line actor\'s writes go ahead of the others waiting, in call order among themselves', { skip: doltAvailable() ?? false, timeout: 300_000 }, async () => {
  const town = await startTempDolt();
  const ledger = await Ledger.open(town.server.connection(), { firstInLine: (actor) => actor.endsWith('/refinery') });
  const raw = await mysql.createConnection(town.server.connection());
  try {
    const bead = await ledger.create({ title: 'queued on' }, 'mayor');
    const [before] = await raw.query('SELECT COUNT(*) AS n FROM dolt_log');
    const start = Number((before as Array<{ n: number }>)[0].n);
    // All called in one go: the first runs at once, the rest wait; the refinery's overtake the
    // polecats' that wait, not the one already running.
    const order = ['rig/polecats/a', 'rig/polecats/b', 'rig/refinery', 'rig/polecats/c', 'rig/refinery', 'rig/polecats/d'];
    await Promise.all(order.map((actor, i) => ledger.update(bead.id, { metadata: { i } }, actor)));
    const [log] = await raw.query('SELECT committer FROM dolt_log');
    const committers = (log as Array<{ committer: string }>).map((r) => r.committer);
    assert.equal(committers.length, start + order.length);
    assert.deepEqual(
      committers.slice(0, order.length).reverse(),
      ['rig/polecats/a', 'rig/refinery', 'rig/refinery', 'rig/polecats/b', 'rig/polecats/c', 'rig/polecats/d'],
    );
    // The last write's metadata is the one called last among the polecats (written last).
    assert.deepEqual((await ledger.show(bead.id)).metadata, { i: 5 });
  } finally {
    await raw.end();
    await ledger.close();
    await town.dispose();
  }
});
