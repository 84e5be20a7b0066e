// The real bd v1.0.5 (server mode) on the town's ledger: a real Dolt server migrated by the Ledger,
// bd pointed at it with the environment `gt bd-env` prints. bd lists, shows, readies, creates,
// updates, closes, adds dependencies and comments; the Ledger reads what bd wrote, the feed reports
// bd's commits with bd's author, the working set stays clean, is_blocked stays right, and bd show
// agrees with the Ledger field by field. Without a bd 1.0.5 the suite says plainly it did not run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { bdEnvironment, writeBeadsDir } from '../../main/ledger/bd-env.ts';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import type { BeadFeedEvent } from '../../preload/types.ts';
import { bdJson, findBd, fromBd, fromTown, runBd } from '../helpers/bd.ts';
import { waitFor } from '../helpers/wait.ts';

const bd = findBd();
const skip = doltAvailable() ?? (bd.path ? null : bd.reason);
if (!bd.path) console.log(`# ledger-bd: ${bd.reason}`);

describe('real bd v1.0.5 on the town ledger', { skip: skip ?? false }, () => {
  let dolt: TempDolt;
  let ledger: Ledger;
  let feed: BeadFeed;
  let raw: mysql.Connection;
  let home: string;
  let env: Record<string, string>;
  const events: BeadFeedEvent[] = [];
  const BD = bd.path!;
  const run = (args: string[]) => runBd(BD, args, env, home);
  const json = <T,>(args: string[]) => bdJson<T>(BD, args, env, home);

  async function dirtyTables(): Promise<string[]> {
    const [rows] = await raw.query('SELECT table_name AS t FROM dolt_status');
    return (rows as Array<{ t: string }>).map((r) => r.t);
  }

  /** The feed event of bd's commit that touched `id`, once it arrived. */
  function feedFor(id: string, pred: (e: BeadFeedEvent) => boolean = () => true): Promise<BeadFeedEvent> {
    return waitFor(`a feed event for ${id}`, () => events.find((e) => e.changes.some((c) => c.id === id) && pred(e)), 30_000);
  }

  before(async () => {
    dolt = await startTempDolt();
    ledger = await Ledger.open(dolt.server.connection());
    raw = await mysql.createConnection({ ...dolt.server.connection(), dateStrings: true });
    feed = new BeadFeed(dolt.server.connection(), { pollMs: 100 });
    feed.on('event', (e: BeadFeedEvent) => events.push(e));
    await feed.start();
    home = mkdtempSync(join(tmpdir(), 'gt-bd-home-'));
    const beadsDir = join(dolt.dir, '.beads');
    writeBeadsDir(beadsDir, dolt.server.connection().database);
    env = bdEnvironment(dolt.server.connection(), beadsDir, 'bd-user');
  });
  after(async () => {
    await feed?.stop();
    await raw?.end();
    await ledger?.close();
    await dolt?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('bd list / ready / show read the town\'s beads', async () => {
    const a = await ledger.create({ title: 'town blocker', priority: 1, labels: ['infra'] }, 'mayor');
    const b = await ledger.create({ title: 'town blocked work', description: 'waits on the blocker' }, 'mayor');
    await ledger.addDependency(b.id, a.id, 'blocks', 'mayor');
    const listed = await json<Array<Record<string, unknown>>>(['list']);
    assert.deepEqual(listed.map((x) => x.id).sort(), [a.id, b.id].sort());
    const ready = await json<Array<Record<string, unknown>>>(['ready']);
    assert.deepEqual(ready.map((x) => x.id), [a.id], 'bd ready hides the bead the town marked blocked');
    const text = await run(['ready']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(a.id));
    const [shown] = await json<Array<Record<string, unknown>>>(['show', b.id, '--include-comments']);
    assert.deepEqual(fromBd(shown), fromTown(await ledger.show(b.id)));
  });

  test('bd create / update / dep add / comments add / close land in the ledger and the feed, as bd-user', async () => {
    const blocker = await ledger.create({ title: 'closed by bd later' }, 'mayor');
    const created = await json<{ id: string }>(['create', 'made by bd', '-p', '1', '-d', 'bd wrote this', '-l', 'from-bd']);
    const mine = await ledger.show(created.id);
    assert.equal(mine.title, 'made by bd');
    assert.equal(mine.priority, 1);
    assert.equal(mine.createdBy, 'bd-user');
    assert.deepEqual(mine.labels, ['from-bd']);
    const createEvent = await feedFor(created.id);
    assert.equal(createEvent.author, 'bd-user');
    assert.deepEqual(await dirtyTables(), [], 'bd create leaves a clean working set');

    const up = await run(['update', created.id, '--status', 'in_progress']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await ledger.show(created.id)).status, 'in_progress');
    await feedFor(created.id, (e) => e.author === 'bd-user' && e.changes.some((c) => c.id === created.id && c.kind === 'updated'));

    const dep = await run(['dep', 'add', created.id, blocker.id]);
    assert.equal(dep.code, 0, dep.stderr);
    const withDep = await ledger.show(created.id);
    assert.deepEqual(withDep.dependencies?.map((d) => [d.dependsOnId, d.type]), [[blocker.id, 'blocks']]);
    assert.ok((await ledger.blocked()).some((x) => x.id === created.id), 'the ledger sees bd\'s edge as blocking');
    await feedFor(created.id, (e) => e.author === 'bd-user' && e.changes.some((c) => c.kind === 'dependency-added' && c.id === created.id));

    const comment = await run(['comments', 'add', created.id, 'hello from bd']);
    assert.equal(comment.code, 0, comment.stderr);
    const withComment = await ledger.show(created.id);
    assert.deepEqual(withComment.comments?.map((c) => [c.author, c.text]), [['bd-user', 'hello from bd']]);
    await feedFor(created.id, (e) => e.author === 'bd-user' && e.changes.some((c) => c.id === created.id && c.kind === 'comment-added'));
    assert.deepEqual(await dirtyTables(), [], 'bd comments add is committed (auto-commit on)');

    const close = await run(['close', blocker.id, '--reason', 'done by bd']);
    assert.equal(close.code, 0, close.stderr);
    const closed = await ledger.show(blocker.id);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.closeReason, 'done by bd');
    assert.ok(closed.closedAt);
    await feedFor(blocker.id, (e) => e.author === 'bd-user');
    assert.ok(!(await ledger.blocked()).some((x) => x.id === created.id), 'closing the blocker unblocked the dependent');
    assert.deepEqual(await dirtyTables(), []);

    // The town's invariants hold after bd's writes: nothing for the repair to fix.
    assert.equal(await ledger.recomputeBlocked('test'), 0);
    // bd show and the Ledger agree field by field.
    for (const id of [created.id, blocker.id]) {
      const [shown] = await json<Array<Record<string, unknown>>>(['show', id, '--include-comments']);
      assert.deepEqual(fromBd(shown), fromTown(await ledger.show(id)), id);
    }
  });

  test('the town writes after bd, and bd sees them', async () => {
    const t = await ledger.create({ title: 'town after bd' }, 'mayor');
    await ledger.closeBead(t.id, 'done by the town', 'mayor');
    const [shown] = await json<Array<Record<string, unknown>>>(['show', t.id]);
    assert.equal(shown.status, 'closed');
    assert.equal(shown.close_reason, 'done by the town');
  });
});
