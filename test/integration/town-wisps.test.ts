// gt wisp against a running town (gt up as a real process): create, list, show, comment and burn
// leave the ledger's Dolt HEAD where it was; squash makes one commit by the caller and a bead that
// `gt bead show` finds; sweep removes wisps past the time-to-live; bad input is a clear error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { readConfig, readSecrets } from '../../main/town/config.ts';
import { townPaths } from '../../main/town/paths.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import type { Bead, BeadHistoryEntry } from '../../preload/types.ts';
import { startTestTown, type TestTown } from './town-fixture.ts';

const skip = doltAvailable();

describe('gt wisp on a running town', { skip: skip ?? false }, () => {
  let t: TestTown;
  let raw: mysql.Connection;
  const head = async (): Promise<string> => {
    const [rows] = await raw.query("SELECT HASHOF('HEAD') AS h");
    return (rows as Array<{ h: string }>)[0].h;
  };

  before(async () => {
    t = await startTestTown();
    const paths = townPaths(t.dir);
    const status = await t.json<{ dolt: { port: number } }>(['status']);
    const secrets = readSecrets(paths);
    raw = await mysql.createConnection({
      host: '127.0.0.1', port: status.dolt.port, user: secrets.doltUser, password: secrets.doltPassword, database: readConfig(paths).dolt.database,
    });
  });
  after(async () => {
    await raw?.end();
    await t?.cleanup();
  });

  test('wisps leave no commit; squash makes one; sweep removes old ones', async () => {
    const before = await head();
    const w = await t.json<Bead>(['wisp', 'create', '--title', 'patrol step', '--label', 'patrol']);
    const scratch = await t.json<Bead>(['wisp', 'create', '--title', 'scratch']);
    assert.equal((await t.gt(['wisp', 'comment', w.id, 'looked fine'])).code, 0);
    const listed = await t.json<Bead[]>(['wisp', 'list']);
    assert.deepEqual(listed.map((x) => x.id).sort(), [w.id, scratch.id].sort());
    const shown = await t.json<Bead>(['wisp', 'show', w.id]);
    assert.deepEqual(shown.comments?.map((c) => [c.author, c.text]), [['overseer', 'looked fine']]);
    assert.equal((await t.gt(['wisp', 'burn', scratch.id])).code, 0);
    const burnAgain = await t.gt(['wisp', 'burn', scratch.id]);
    assert.equal(burnAgain.code, 1);
    assert.match(burnAgain.stderr, new RegExp(`no wisp ${scratch.id}`));
    assert.equal(await head(), before, 'no Dolt commit for wisps');

    const bead = await t.json<Bead>(['wisp', 'squash', w.id]);
    assert.equal(bead.id, w.id);
    assert.notEqual(await head(), before);
    const history = await t.json<BeadHistoryEntry[]>(['bead', 'history', w.id]);
    // One commit (history lists it once per table it touched: the row, labels, comments).
    assert.deepEqual([...new Set(history.map((h) => `${h.commit} ${h.author} ${h.message}`))], [`${history[0].commit} overseer squash ${w.id}`]);
    assert.ok(history.some((h) => h.kind === 'created'));
    assert.deepEqual((await t.json<Bead>(['bead', 'show', w.id])).labels, ['patrol']);

    const old = await t.json<Bead>(['wisp', 'create', '--title', 'old step']);
    await raw.query("UPDATE wisps SET updated_at = '2000-01-01 00:00:00.000' WHERE id = ?", [old.id]);
    const swept = await t.json<{ removed: string[] }>(['wisp', 'sweep']);
    assert.deepEqual(swept.removed, [old.id]);
    const bad = await t.gt(['wisp', 'sweep', '--older-than', 'soon']);
    assert.equal(bad.code, 2, "invalid input");
    assert.match(bad.stderr, /--older-than must be a number of hours/);
    const noTitle = await t.gt(['wisp', 'create']);
    assert.equal(noTitle.code, 2, "invalid input");
    assert.match(noTitle.stderr, /--title is required/);
  });
});
