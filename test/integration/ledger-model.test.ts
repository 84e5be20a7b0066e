// The bead model on a real Dolt server: ids, dependencies and cycle refusal, ready/blocked, labels,
// comments, events, history and as-of reads, ephemeral rows, JSONL round trip, schema version refusal,
// bad input (each a clear TownError, nothing written), and a foreign write reaching the feed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { SCHEMA_VERSION } from '../../main/ledger/schema.ts';
import { TownError } from '../../preload/contract.ts';
import type { BeadFeedEvent } from '../../preload/types.ts';

const skip = doltAvailable();
let town: TempDolt;
let ledger: Ledger;
let raw: mysql.Connection;

async function commits(): Promise<number> {
  const [rows] = await raw.query('SELECT COUNT(*) AS n FROM dolt_log');
  return Number((rows as Array<{ n: number }>)[0].n);
}

function isCode(code: string, re?: RegExp) {
  return (e: unknown) => e instanceof TownError && e.code === code && (!re || re.test(e.message));
}

describe('ledger model', { skip: skip ?? false }, () => {
  before(async () => {
    town = await startTempDolt();
    ledger = await Ledger.open(town.server.connection());
    const c = town.server.connection();
    raw = await mysql.createConnection({ ...c, dateStrings: true });
  });
  after(async () => {
    await raw?.end();
    await ledger?.close();
    await town?.dispose();
  });

  test('ids: prefix, children, rig prefixes', async () => {
    const epic = await ledger.create({ title: 'Epic', type: 'epic' }, 'mayor');
    assert.match(epic.id, /^hq-[0-9a-z]{3}$/);
    const c1 = await ledger.create({ title: 'child one', parent: epic.id }, 'mayor');
    const c2 = await ledger.create({ title: 'child two', parent: epic.id }, 'mayor');
    assert.equal(c1.id, `${epic.id}.1`);
    assert.equal(c2.id, `${epic.id}.2`);
    const shown = await ledger.show(c1.id);
    assert.deepEqual(shown.dependencies?.map((d) => [d.dependsOnId, d.type]), [[epic.id, 'parent-child']]);
    const rig = await ledger.create({ title: 'rig work', prefix: 'gt' }, 'gastown/polecats/nux');
    assert.match(rig.id, /^gt-[0-9a-z]{3}$/);
    assert.deepEqual((await ledger.list({ prefix: 'gt' })).map((b) => b.id), [rig.id]);
  });

  test('dependencies, cycles, ready and blocked', async () => {
    const a = await ledger.create({ title: 'A needs B', priority: 1 }, 'mayor');
    const b = await ledger.create({ title: 'B', priority: 2 }, 'mayor');
    const c = await ledger.create({ title: 'C', priority: 0 }, 'mayor');
    assert.equal(await ledger.addDependency(a.id, b.id, 'blocks', 'mayor'), true);
    assert.equal(await ledger.addDependency(a.id, b.id, 'blocks', 'mayor'), false, 'idempotent');
    await ledger.addDependency(b.id, c.id, 'blocks', 'mayor');
    const before = await commits();
    await assert.rejects(ledger.addDependency(c.id, a.id, 'blocks', 'mayor'), isCode('invalid', /cycle/));
    await assert.rejects(ledger.addDependency(a.id, a.id, 'blocks', 'mayor'), isCode('invalid', /itself/));
    await assert.rejects(ledger.addDependency(a.id, 'hq-nope1', 'blocks', 'mayor'), isCode('not_found'));
    assert.equal(await commits(), before, 'refused dependencies write nothing');

    let ready = (await ledger.ready({ limit: 1000 })).map((x) => x.id);
    assert.ok(ready.includes(c.id) && !ready.includes(a.id) && !ready.includes(b.id));
    const blocked = await ledger.blocked();
    assert.deepEqual(blocked.find((x) => x.id === a.id)?.blockedBy, [b.id]);
    // ordered by priority: C (P0) before anything P2
    assert.ok(ready.indexOf(c.id) < ready.length);

    await ledger.closeBead(c.id, 'done', 'mayor');
    ready = (await ledger.ready({ limit: 1000 })).map((x) => x.id);
    assert.ok(ready.includes(b.id) && !ready.includes(a.id));
    await ledger.closeBead(b.id, 'done', 'mayor');
    ready = (await ledger.ready({ limit: 1000 })).map((x) => x.id);
    assert.ok(ready.includes(a.id));
    // reopening the blocker blocks A again
    await ledger.reopen(b.id, 'mayor');
    assert.ok(!(await ledger.ready({ limit: 1000 })).some((x) => x.id === a.id));
    assert.equal(await ledger.removeDependency(a.id, b.id, 'mayor'), true);
    assert.ok((await ledger.ready({ limit: 1000 })).some((x) => x.id === a.id));

    // blockedness flows down parent-child
    const epic = await ledger.create({ title: 'blocked epic', type: 'epic' }, 'mayor');
    const gate = await ledger.create({ title: 'gate', type: 'epic' }, 'mayor');
    const kid = await ledger.create({ title: 'kid', parent: epic.id }, 'mayor');
    await ledger.addDependency(epic.id, gate.id, 'blocks', 'mayor');
    assert.ok((await ledger.blocked()).some((x) => x.id === kid.id));
    await ledger.closeBead(gate.id, '', 'mayor');
    assert.ok((await ledger.ready({ limit: 1000 })).some((x) => x.id === kid.id));
    // A blocked parent closed (its blocker still open): the close clears its own flag, and frees its child.
    const epic2 = await ledger.create({ title: 'blocked epic 2', type: 'epic' }, 'mayor');
    const gate2 = await ledger.create({ title: 'gate 2' }, 'mayor');
    const kid2 = await ledger.create({ title: 'kid 2', parent: epic2.id }, 'mayor');
    await ledger.addDependency(epic2.id, gate2.id, 'blocks', 'mayor');
    assert.deepEqual((await ledger.blocked()).map((x) => x.id).filter((id) => [epic2.id, kid2.id].includes(id)).sort(), [epic2.id, kid2.id].sort());
    await ledger.closeBead(epic2.id, 'dropped', 'mayor');
    assert.ok((await ledger.ready({ limit: 1000 })).some((x) => x.id === kid2.id), 'the child of a closed parent is free');
    const flag = async (id: string) => Number((await ledger.pool.query('SELECT is_blocked AS b FROM issues WHERE id = ?', [id]) as unknown as Array<Array<{ b: number }>>)[0][0].b);
    assert.equal(await flag(epic2.id), 0, 'a closed bead is not flagged blocked');
    // Reopened: blocked again, and so is its child.
    await ledger.reopen(epic2.id, 'mayor');
    assert.equal(await flag(epic2.id), 1);
    assert.equal(await flag(kid2.id), 1);
    // Pinned, then unpinned (pinned counts as done, like closed).
    await ledger.update(epic2.id, { status: 'pinned' }, 'mayor');
    assert.deepEqual([await flag(epic2.id), await flag(kid2.id)], [0, 0]);
    await ledger.update(epic2.id, { status: 'open' }, 'mayor');
    assert.deepEqual([await flag(epic2.id), await flag(kid2.id)], [1, 1]);
    assert.equal(await ledger.recomputeBlocked('mayor'), 0, 'a full recompute finds every flag already right');

    // deferred beads are not ready
    const later = await ledger.create({ title: 'later', deferUntil: new Date(Date.now() + 86_400_000).toISOString() }, 'mayor');
    assert.ok(!(await ledger.ready({ limit: 1000 })).some((x) => x.id === later.id));
  });

  test('addDependencies: a batch in one commit, all or nothing; getMany reads many beads by id', async () => {
    const hub = await ledger.create({ title: 'tracker', type: 'convoy' }, 'mayor');
    const work = await ledger.createMany(Array.from({ length: 250 }, (_, i) => ({ title: `tracked ${i}` })), 'mayor');
    const ids = work.map((w) => w.id);
    let before = await commits();
    assert.equal(await ledger.addDependencies(hub.id, ids.slice(0, 200), 'tracks', 'mayor'), 200);
    assert.equal(await commits(), before + 1, 'one commit for the whole batch');
    // Existing ones of the same type are skipped; only the new 50 are added.
    assert.equal(await ledger.addDependencies(hub.id, ids, 'tracks', 'mayor'), 50);
    const shown = await ledger.show(hub.id);
    assert.deepEqual(shown.dependencies!.map((d) => d.dependsOnId).sort(), [...ids].sort());
    assert.ok(shown.dependencies!.every((d) => d.type === 'tracks'));
    const [rows] = await raw.query("SELECT COUNT(*) AS n FROM events WHERE issue_id = ? AND event_type = 'dependency_added'", [hub.id]);
    assert.equal(Number((rows as Array<{ n: number }>)[0].n), 250, 'one event per dependency');

    // Refusals write nothing: a missing target, a clash with another type, itself, a cycle.
    const extra = await ledger.create({ title: 'extra' }, 'mayor');
    before = await commits();
    await assert.rejects(ledger.addDependencies(hub.id, [extra.id, 'hq-nope9'], 'tracks', 'mayor'), isCode('not_found', /hq-nope9/));
    await assert.rejects(ledger.addDependencies(hub.id, [extra.id, ids[0]], 'blocks', 'mayor'), isCode('conflict'));
    await assert.rejects(ledger.addDependencies(hub.id, [hub.id], 'tracks', 'mayor'), isCode('invalid', /itself/));
    assert.equal(await commits(), before, 'refused batches write nothing');
    assert.equal((await ledger.show(hub.id)).dependencies!.length, 250);
    const x = await ledger.create({ title: 'x' }, 'mayor');
    const y = await ledger.create({ title: 'y' }, 'mayor');
    await ledger.addDependency(y.id, x.id, 'blocks', 'mayor');
    before = await commits();
    await assert.rejects(ledger.addDependencies(x.id, [extra.id, y.id], 'blocks', 'mayor'), isCode('invalid', /cycle/));
    assert.equal(await commits(), before, 'refused batches write nothing');
    assert.equal((await ledger.show(x.id)).dependencies!.length, 0, 'not even the good half of a refused batch');
    // Blocking batches still block.
    assert.equal(await ledger.addDependencies(x.id, [extra.id], 'blocks', 'mayor'), 1);
    assert.ok((await ledger.blocked()).some((b) => b.id === x.id));

    const many = await ledger.getMany([ids[5], 'hq-nope9', ids[1], ids[5]]);
    assert.deepEqual(many.map((b) => b.id), [ids[5], ids[1]], 'in the order asked, missing and repeated ids left out');
    assert.equal(many[0].title, 'tracked 5');
    assert.equal((await ledger.getMany(ids)).length, 250);
  });

  test('update, labels, comments, events, history and as-of', async () => {
    const x = await ledger.create({ title: 'history me', labels: ['one'] }, 'mayor');
    const head0 = await ledger.head();
    await ledger.update(x.id, { status: 'in_progress', assignee: 'gastown/polecats/nux' }, 'gastown/polecats/nux');
    await ledger.addLabel(x.id, 'two', 'witness');
    await ledger.removeLabel(x.id, 'one', 'witness');
    const comment = await ledger.addComment(x.id, 'looks good', 'refinery');
    await ledger.update(x.id, { title: 'history me (renamed)', metadata: '{"pr": 12}' }, 'mayor');
    const closed = await ledger.closeBead(x.id, 'merged', 'refinery');
    assert.equal(closed.status, 'closed');
    assert.ok(closed.closedAt);
    assert.equal(closed.closeReason, 'merged');
    assert.deepEqual(closed.labels, ['two']);
    assert.deepEqual(closed.metadata, { pr: 12 });
    const shown = await ledger.show(x.id);
    assert.deepEqual(shown.comments?.map((c) => [c.id, c.author, c.text]), [[comment.id, 'refinery', 'looks good']]);

    const [ev] = await raw.query('SELECT event_type, actor FROM events WHERE issue_id = ? ORDER BY created_at, event_type', [x.id]);
    const types = (ev as Array<{ event_type: string }>).map((e) => e.event_type);
    for (const t of ['created', 'label_added', 'status_changed', 'label_removed', 'commented', 'updated', 'closed']) assert.ok(types.includes(t), t);

    const h = await ledger.history(x.id);
    assert.equal(h[0].kind, 'created');
    assert.equal(h[0].author, 'mayor');
    const statusChange = h.find((e) => e.changes.some((c) => c.field === 'status' && c.after === 'in_progress'))!;
    assert.equal(statusChange.author, 'gastown/polecats/nux');
    assert.equal(statusChange.changes.find((c) => c.field === 'status')!.before, 'open');
    assert.ok(h.some((e) => e.kind === 'labels' && e.author === 'witness'));
    assert.ok(h.some((e) => e.kind === 'comments' && e.author === 'refinery'));
    const last = h.filter((e) => e.kind === 'updated').at(-1)!;
    assert.equal(last.author, 'refinery');
    assert.match(last.message, new RegExp(`close ${x.id}`));

    const past = await ledger.show(x.id, { asOf: head0 });
    assert.equal(past.status, 'open');
    assert.equal(past.title, 'history me');
    assert.deepEqual(past.labels, ['one']);
    await assert.rejects(ledger.show(x.id, { asOf: 'not a ref!' }), isCode('invalid'));
  });

  test('bad input: clear errors, nothing written', async () => {
    const before = await commits();
    const count = await ledger.count();
    const someId = (await ledger.list({ limit: 1 }))[0].id;
    await assert.rejects(ledger.show('hq-zzzzz'), isCode('not_found'));
    await assert.rejects(ledger.show('HQ; DROP TABLE issues'), isCode('invalid', /malformed bead id/));
    await assert.rejects(ledger.create({ title: '   ' }, 'mayor'), isCode('invalid', /title must not be empty/));
    await assert.rejects(ledger.create({ title: 'x'.repeat(1_000_000) }, 'mayor'), isCode('invalid', /500/));
    await assert.rejects(ledger.create({ title: 'ok', metadata: '{not json' } as never, 'mayor'), isCode('invalid', /metadata/));
    await assert.rejects(ledger.create({ title: 'dep', dependencies: [{ dependsOnId: 'hq-missing', type: 'blocks' }] }, 'mayor'), isCode('not_found'));
    await assert.rejects(ledger.create({ title: 'who' }, ''), isCode('invalid', /actor/));
    await assert.rejects(ledger.update(someId, {}, 'mayor'), isCode('invalid', /nothing to update/));
    await assert.rejects(ledger.update('hq-nothere', { priority: 1 }, 'mayor'), isCode('not_found'));
    await assert.rejects(ledger.create({ title: 'p', priority: 9 } as never, 'mayor'), isCode('invalid'));
    await assert.rejects(ledger.importJsonl('{"id":"hq-abc","title":"ok","created_at":"2026-01-01T00:00:00Z"}\n{"id":"hq-abd","title":""}\n', 'mayor'), isCode('invalid', /line 2: .*title/));
    await assert.rejects(ledger.importJsonl('{"id":"hq-abc","title":"ok","created_at":"2026-01-01T00:00:00Z"}\nnot json\n', 'mayor'), isCode('invalid', /line 2: not valid JSON/));
    await assert.rejects(ledger.addDependency('hq-nothere', someId, 'blocks', 'mayor'), isCode('not_found', /^no bead hq-nothere$/));
    await assert.rejects(ledger.addDependency(someId, 'hq-nothere', 'blocks', 'mayor'), isCode('not_found', /cannot add dependency: no bead hq-nothere/));
    await assert.rejects(ledger.addDependency(someId, someId, 'related', 'mayor'), isCode('invalid', /cannot depend on itself/));
    assert.equal(await commits(), before);
    assert.equal(await ledger.count(), count);

    // An edge that exists: the same again changes nothing; another type between the same beads is refused.
    const from = await ledger.create({ title: 'edge from' }, 'mayor');
    const to = await ledger.create({ title: 'edge to' }, 'mayor');
    assert.equal(await ledger.addDependency(from.id, to.id, 'related', 'mayor'), true);
    const withEdge = await commits();
    assert.equal(await ledger.addDependency(from.id, to.id, 'related', 'mayor'), false);
    await assert.rejects(ledger.addDependency(from.id, to.id, 'blocks', 'mayor'), isCode('conflict', /already has a related dependency on .*remove it first/));
    assert.equal(await commits(), withEdge, 'neither wrote a commit');
    assert.deepEqual((await ledger.show(from.id)).dependencies?.map((d) => [d.dependsOnId, d.type]), [[to.id, 'related']]);
    const counted = await ledger.count();

    // SQL-looking text is stored as text
    const evil = "Robert'); DROP TABLE issues;-- \\ %_";
    const b = await ledger.create({ title: evil, description: evil, labels: [evil.slice(0, 50)] }, 'mayor');
    assert.equal((await ledger.show(b.id)).title, evil);
    assert.ok((await ledger.search("drop table")).some((x) => x.id === b.id));
    assert.equal(await ledger.count(), counted + 1);
  });

  test('ephemeral rows never create commits', async () => {
    const before = await commits();
    await ledger.setEphemeral('heartbeat', 'deacon', { at: 1 });
    await ledger.setEphemeral('heartbeat', 'deacon', { at: 2 });
    assert.deepEqual((await ledger.getEphemeral('heartbeat', 'deacon'))?.value, { at: 2 });
    const [st] = await raw.query('SELECT * FROM dolt_status');
    assert.deepEqual(st, [], 'working set clean: ephemeral table is dolt_ignore\'d');
    await ledger.create({ title: 'after heartbeat' }, 'mayor');
    assert.equal(await commits(), before + 1);
    const [inHead] = await raw.query("SELECT COUNT(*) AS n FROM dolt_diff_summary('HEAD~1', 'HEAD') WHERE to_table_name LIKE 'gt_ephemeral%'");
    assert.equal(Number((inHead as Array<{ n: number }>)[0].n), 0);
  });

  test('JSONL export → import into an empty town → export is identical', async () => {
    const first = await ledger.exportJsonl();
    assert.ok(first.split('\n').length > 10);
    const other = await startTempDolt();
    try {
      const l2 = await Ledger.open(other.server.connection());
      const report = await l2.importJsonl(first, 'importer');
      assert.equal(report.created, first.trim().split('\n').length);
      assert.equal(report.danglingDependencies, 0);
      assert.equal(await l2.exportJsonl(), first);
      // ready/blocked agree after import
      assert.deepEqual((await l2.ready({ limit: 1000 })).map((b) => b.id), (await ledger.ready({ limit: 1000 })).map((b) => b.id));
      assert.deepEqual((await l2.blocked()).map((b) => b.id), (await ledger.blocked()).map((b) => b.id));
      // importing the same file again updates in place, still one commit
      const again = await l2.importJsonl(first, 'importer');
      assert.equal(again.created, 0);
      await l2.close();
    } finally {
      await other.dispose();
    }
  });

  test('a foreign write (plain SQL + DOLT_COMMIT) reaches the feed', async () => {
    const feed = new BeadFeed(town.server.connection(), { pollMs: 100 });
    const events: BeadFeedEvent[] = [];
    feed.on('event', (e: BeadFeedEvent) => events.push(e));
    await feed.start();
    try {
      const target = await ledger.create({ title: 'to be touched' }, 'mayor');
      await raw.query('BEGIN');
      await raw.query(
        "INSERT INTO issues (id, title, description, design, acceptance_criteria, notes, close_reason, metadata, created_at, updated_at) VALUES ('hq-f0r', 'foreign', '', '', '', '', '', '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
      );
      await raw.query("UPDATE issues SET priority = 0 WHERE id = ?", [target.id]);
      await raw.query("INSERT INTO labels VALUES (?, 'foreign-label')", [target.id]);
      await raw.query("CALL DOLT_ADD('issues', 'labels')");
      await raw.query("CALL DOLT_COMMIT('-m', 'by hand', '--author', 'human <human@example.com>')");
      await raw.query('COMMIT');
      const deadline = Date.now() + 5000;
      while (!events.some((e) => e.message === 'by hand') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const ev = events.find((e) => e.message === 'by hand');
      assert.ok(ev, 'foreign commit delivered');
      assert.equal(ev.author, 'human');
      assert.ok(ev.changes.some((c) => c.kind === 'created' && c.id === 'hq-f0r'));
      const upd = ev.changes.find((c) => c.kind === 'updated' && c.id === target.id);
      assert.ok(upd && upd.kind === 'updated' && upd.fields.includes('priority'));
      assert.ok(ev.changes.some((c) => c.kind === 'labels-changed' && c.id === target.id && c.labels.includes('foreign-label')));
      // the app's own typed events too: dependency and comment
      const other = await ledger.create({ title: 'other' }, 'mayor');
      await ledger.addDependency(target.id, other.id, 'related', 'mayor');
      await ledger.addComment(target.id, 'hi', 'mayor');
      await ledger.closeBead(other.id, 'x', 'mayor');
      const until = Date.now() + 5000;
      const has = (k: string) => events.some((e) => e.changes.some((c) => c.kind === k));
      while (!(has('dependency-added') && has('comment-added') && has('closed')) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      assert.ok(has('dependency-added') && has('comment-added') && has('closed'));
    } finally {
      await feed.stop();
    }
  });

  test('a ledger with a newer schema is refused', async () => {
    await raw.query('INSERT INTO gt_schema_migrations (version, name) VALUES (?, ?)', [SCHEMA_VERSION + 1, 'from the future']);
    try {
      await assert.rejects(Ledger.open(town.server.connection()), isCode('conflict', /newer than this Gas Town Desktop understands/));
    } finally {
      await raw.query('DELETE FROM gt_schema_migrations WHERE version = ?', [SCHEMA_VERSION + 1]);
    }
  });
});
