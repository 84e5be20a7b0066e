// Wisps on a real Dolt server: creating, commenting, burning and expiring a wisp leave no Dolt commit
// and a clean working set; squashing one makes exactly one commit (the squasher's) and a real bead
// with the wisp's id, labels and comments; the TTL sweep removes an old wisp and keeps a fresh one.
// When a bd 1.0.5 is available, bd reads the town's wisp from its own wisp tables.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdEnvironment, writeBeadsDir } from '../../main/ledger/bd-env.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/errors.ts';
import { bdJson, findBd } from '../helpers/bd.ts';
import { ledgerFixture } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();
const bd = findBd();

describe('wisps', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const head = async (): Promise<string> => {
    const [rows] = await t.raw.query("SELECT HASHOF('HEAD') AS h");
    return (rows as Array<{ h: string }>)[0].h;
  };
  const dirty = async (): Promise<unknown[]> => (await t.raw.query('SELECT table_name FROM dolt_status'))[0] as unknown[];

  test('a wisp leaves no Dolt commit: create, comment, list, burn', async () => {
    const before = await head();
    const w = await t.ledger.createWisp({ title: 'patrol step: check the refinery', type: 'task', labels: ['patrol'] }, 'deacon');
    assert.match(w.id, /^hq-[0-9a-z]{3,8}$/);
    assert.deepEqual(w.labels, ['patrol']);
    assert.equal(w.createdBy, 'deacon');
    await t.ledger.commentWisp(w.id, 'refinery ok', 'deacon');
    assert.deepEqual((await t.ledger.showWisp(w.id)).comments?.map((c) => [c.author, c.text]), [['deacon', 'refinery ok']]);
    assert.ok((await t.ledger.listWisps()).some((x) => x.id === w.id));
    assert.ok(!(await t.ledger.list()).some((x) => x.id === w.id), 'a wisp is not a bead');
    await assert.rejects(t.ledger.show(w.id), (e: unknown) => e instanceof TownError && e.code === 'not_found');
    if (bd.path) {
      const home = mkdtempSync(join(tmpdir(), 'gt-bd-home-'));
      try {
        const beadsDir = join(t.dolt.dir, '.beads');
        writeBeadsDir(beadsDir, t.dolt.server.connection().database);
        const [shown] = await bdJson<Array<{ id: string; title: string; ephemeral?: boolean }>>(bd.path, ['show', w.id], bdEnvironment(t.dolt.server.connection(), beadsDir), home);
        assert.equal(shown.title, 'patrol step: check the refinery', 'bd reads the wisp from its wisp tables');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    } else {
      console.log(`# ledger-wisps: the bd read of a wisp ${bd.reason}`);
    }
    assert.equal(await t.ledger.burnWisp(w.id, 'deacon'), true);
    assert.equal(await t.ledger.burnWisp(w.id, 'deacon'), false, 'burning twice finds nothing');
    await assert.rejects(t.ledger.showWisp(w.id), (e: unknown) => e instanceof TownError && e.code === 'not_found');
    assert.equal(await head(), before, 'no commit for any of it');
    assert.deepEqual(await dirty(), [], 'and no committed table left dirty');
    const [hist] = await t.raw.query('SELECT COUNT(*) AS n FROM dolt_log WHERE message LIKE ?', [`%${w.id}%`]);
    assert.equal(Number((hist as Array<{ n: number }>)[0].n), 0);
  });

  test('squashing a wisp makes one commit and a real bead with its id, labels and comments', async () => {
    const w = await t.ledger.createWisp({ title: 'scratch that became real', labels: ['keep'], priority: 1, description: 'notes' }, 'deacon');
    await t.ledger.commentWisp(w.id, 'worth keeping', 'deacon');
    const before = await head();
    const bead = await t.ledger.squashWisp(w.id, 'mayor');
    assert.equal(bead.id, w.id);
    assert.equal(bead.title, 'scratch that became real');
    assert.equal(bead.priority, 1);
    assert.deepEqual(bead.labels, ['keep']);
    const shown = await t.ledger.show(w.id);
    assert.deepEqual(shown.comments?.map((c) => c.text), ['worth keeping']);
    const [log] = await t.raw.query("SELECT committer, message FROM dolt_log WHERE commit_hash <> ? ORDER BY date DESC LIMIT 5", [before]);
    const newer = (log as Array<{ committer: string; message: string }>).filter((r) => r.message.includes(w.id));
    assert.deepEqual(newer, [{ committer: 'mayor', message: `squash ${w.id}` }], 'exactly one commit, by the squasher');
    assert.notEqual(await head(), before);
    await assert.rejects(t.ledger.showWisp(w.id), (e: unknown) => e instanceof TownError && e.code === 'not_found');
    assert.deepEqual(await dirty(), []);
    await assert.rejects(t.ledger.squashWisp(w.id, 'mayor'), (e: unknown) => e instanceof TownError && e.code === 'not_found');
  });

  test('the time-to-live sweep removes an old wisp, keeps a fresh one, and commits nothing', async () => {
    const old = await t.ledger.createWisp({ title: 'old patrol step' }, 'deacon');
    const fresh = await t.ledger.createWisp({ title: 'fresh patrol step' }, 'deacon');
    await t.raw.query('UPDATE wisps SET updated_at = ? WHERE id = ?', ['2000-01-01 00:00:00.000', old.id]);
    const before = await head();
    const removed = await t.ledger.sweepWisps({ ttlMs: 24 * 3600 * 1000 });
    assert.deepEqual(removed, [old.id]);
    assert.ok((await t.ledger.listWisps()).some((x) => x.id === fresh.id));
    assert.ok(!(await t.ledger.listWisps()).some((x) => x.id === old.id));
    assert.equal(await head(), before);
    // A clock a week ahead expires the fresh one too.
    assert.deepEqual(await t.ledger.sweepWisps({ ttlMs: 24 * 3600 * 1000, now: new Date(Date.now() + 7 * 24 * 3600 * 1000) }), [fresh.id]);
    await assert.rejects(t.ledger.sweepWisps({ ttlMs: -1 }), (e: unknown) => e instanceof TownError && e.code === 'invalid');
  });

  test('bad input is refused clearly', async () => {
    await assert.rejects(t.ledger.createWisp({ title: '' }, 'deacon'), (e: unknown) => e instanceof TownError && e.code === 'invalid');
    await assert.rejects(t.ledger.showWisp('not an id'), (e: unknown) => e instanceof TownError && e.code === 'invalid');
    await assert.rejects(t.ledger.commentWisp('hq-zzzzzz', 'x', 'deacon'), (e: unknown) => e instanceof TownError && e.code === 'not_found');
  });
});
