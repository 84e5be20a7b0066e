// updateMany (real Dolt): several beads changed in ONE commit authored by the actor, all or nothing —
// a failed compare-and-set on any of them writes nothing; it also reads only what was asked
// (ready({ ids }) looks among the given beads and nowhere else).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/errors.ts';
import { ledgerFixture } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();

describe('updateMany and ready among ids', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const log = async (): Promise<Array<{ committer: string; message: string }>> => {
    const [rows] = await t.raw.query('SELECT committer, message FROM dolt_log');
    return rows as Array<{ committer: string; message: string }>;
  };

  test('two beads hooked and marked in one commit by the actor', async () => {
    const [work, agent] = await t.ledger.createMany([{ title: 'work', prefix: 'um' }, { title: 'agent', prefix: 'um', type: 'agent', metadata: { state: 'idle' } }], 'tester');
    const before = (await log()).length;
    const [w, a] = await t.ledger.updateMany([
      { id: work.id, patch: { status: 'hooked', assignee: 'rig/polecats/a', expectStatus: ['open'] } },
      { id: agent.id, patch: { metadata: { state: 'working', hook: work.id } } },
    ], 'town/witness');
    const commits = await log();
    assert.equal(commits.length, before + 1, 'one commit');
    assert.match(commits[0].message, new RegExp(`^update ${work.id} ${agent.id}$`));
    assert.match(commits[0].committer, /town\/witness/);
    assert.equal(w.status, 'hooked');
    assert.deepEqual(a.metadata, { state: 'working', hook: work.id });
    assert.equal((await t.ledger.show(work.id)).assignee, 'rig/polecats/a');
  });

  test('a failed compare-and-set on one bead writes nothing to either', async () => {
    const [x, y] = await t.ledger.createMany([{ title: 'x', prefix: 'um' }, { title: 'y', prefix: 'um' }], 'tester');
    const before = (await log()).length;
    await assert.rejects(
      t.ledger.updateMany([
        { id: x.id, patch: { title: 'x changed' } },
        { id: y.id, patch: { status: 'hooked', assignee: 'someone', expectStatus: ['in_progress'] } },
      ], 'tester'),
      (e: unknown) => e instanceof TownError && e.code === 'conflict',
    );
    assert.equal((await log()).length, before, 'no commit');
    assert.equal((await t.ledger.show(x.id)).title, 'x', 'the first change was not kept');
    assert.equal((await t.ledger.show(y.id)).status, 'open');
  });

  test('the same bead twice, or a bead that does not exist, is refused and writes nothing', async () => {
    const [x] = await t.ledger.createMany([{ title: 'z', prefix: 'um' }], 'tester');
    const before = (await log()).length;
    await assert.rejects(t.ledger.updateMany([{ id: x.id, patch: { title: 'a' } }, { id: x.id, patch: { title: 'b' } }], 'tester'), (e: unknown) => e instanceof TownError && e.code === 'invalid');
    await assert.rejects(t.ledger.updateMany([{ id: x.id, patch: { title: 'a' } }, { id: 'um-nope', patch: { title: 'b' } }], 'tester'), (e: unknown) => e instanceof TownError && e.code === 'not_found');
    assert.equal((await log()).length, before);
    assert.equal((await t.ledger.show(x.id)).title, 'z');
  });

  test('ready({ ids }) answers among those beads only', async () => {
    const [a, b, c] = await t.ledger.createMany([{ title: 'ra', prefix: 'rd' }, { title: 'rb', prefix: 'rd' }, { title: 'rc', prefix: 'rd' }], 'tester');
    await t.ledger.update(b.id, { status: 'hooked', assignee: 'someone' }, 'tester');
    assert.deepEqual((await t.ledger.ready({ ids: [c.id, b.id, a.id], limit: 10 })).map((x) => x.id).sort(), [a.id, c.id].sort());
    assert.deepEqual((await t.ledger.ready({ ids: [], limit: 10 })).map((x) => x.id), []);
    assert.ok((await t.ledger.ready({ limit: 100 })).length > 2, 'without ids: every ready bead');
  });
});
