// updateMany (real Dolt): several beads changed in ONE commit authored by the actor, all or nothing —
// a failed compare-and-set on any of them writes nothing; a patch derived in the write sees the bead
// as it is then (a change made after the caller's own read is kept); it also reads only what was
// asked (ready({ ids }) looks among the given beads and nowhere else).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/errors.ts';
import { ledgerFixture, recordWrites } from '../helpers/ledger-fixture.ts';

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

  test("closing and reopening blockers in one write: dependents and a parent's children end as after one write each, with one dependencies lookup for the batch", async () => {
    const blocked = async (ids: string[]) => {
      const [rows] = await t.raw.query('SELECT id, is_blocked FROM issues WHERE id IN (?)', [ids]);
      return Object.fromEntries((rows as Array<{ id: string; is_blocked: number }>).map((r) => [r.id, Number(r.is_blocked)]));
    };
    // d is blocked by b1 and b2; the parent p is blocked by b3, so its child c is blocked too.
    const [b1, b2, b3, d, p] = await t.ledger.createMany(['b1', 'b2', 'b3', 'd', 'p'].map((title) => ({ title, prefix: 'bs' })), 'tester');
    const c = await t.ledger.create({ title: 'c', prefix: 'bs', parent: p.id }, 'tester');
    for (const [x, y] of [[d.id, b1.id], [d.id, b2.id], [p.id, b3.id]]) await t.ledger.addDependency(x, y, 'blocks', 'tester');
    const all = [d.id, p.id, c.id];
    assert.deepEqual(await blocked(all), { [d.id]: 1, [p.id]: 1, [c.id]: 1 });
    const lookups = (statements: string[]) => statements.filter((s) => /^\s*SELECT DISTINCT issue_id AS id FROM dependencies/.test(s)).length;

    const closed = await recordWrites(t.ledger, () => t.ledger.updateMany([b1, b2, b3].map((b) => ({ id: b.id, patch: { status: 'closed' as const }, closeReason: 'done' })), 'tester'));
    assert.deepEqual(await blocked(all), { [d.id]: 0, [p.id]: 0, [c.id]: 0 }, 'every blocker closed: all free');
    // One lookup of what the three block, then one of the children per level whose flags changed
    // ({d, p}, then {c}): 3, where a recompute per closed bead made 6.
    assert.equal(lookups(closed.statements), 3, closed.statements.join('\n'));

    await t.ledger.updateMany([{ id: b1.id, patch: { status: 'open' } }, { id: b3.id, patch: { status: 'open' } }, { id: b2.id, patch: { title: 'b2 renamed' } }], 'tester');
    assert.deepEqual(await blocked(all), { [d.id]: 1, [p.id]: 1, [c.id]: 1 }, 'b1 and b3 reopened: d, p and its child blocked again');

    await t.ledger.updateMany([{ id: b1.id, patch: { status: 'closed' }, closeReason: 'done' }, { id: b3.id, patch: { status: 'in_progress' } }], 'tester');
    assert.deepEqual(await blocked(all), { [d.id]: 0, [p.id]: 1, [c.id]: 1 }, 'b1 closed, b3 still not: d free, p and c blocked');
    assert.deepEqual((await t.ledger.ready({ ids: all, limit: 10 })).map((x) => x.id), [d.id]);
  });

  test('a derived patch is built in the write from the bead as it is then: a change made after the caller read it is kept; null leaves a bead alone; a refusal writes nothing', async () => {
    const [x, y, z] = await t.ledger.createMany([
      { title: 'dx', prefix: 'dp', metadata: { gt: { rig: 'r' } } }, { title: 'dy', prefix: 'dp' }, { title: 'dz', prefix: 'dp' },
    ], 'tester');
    const [seen] = await t.ledger.getMany([x.id]);
    // Another writer (bd, a human) changes x after the caller's read.
    await t.ledger.update(x.id, { metadata: { ...seen.metadata, other: 'kept' }, addLabels: ['later'] }, 'someone');
    const built: Array<string | null> = [];
    const before = (await log()).length;
    const out = await t.ledger.updateMany([
      { id: x.id, patch: (b) => { built.push(b ? JSON.stringify(b.metadata) : null); return { metadata: { ...b!.metadata, mine: b!.labels.join(',') } }; } },
      { id: y.id, patch: () => null },
      { id: 'dp-missing', patch: (b) => (b ? { title: 'never' } : null) },
      { id: z.id, patch: (b) => ({ status: 'closed', metadata: { was: b!.status } }), closeReason: 'derived' },
    ], 'tester');
    assert.deepEqual(built, [JSON.stringify({ gt: { rig: 'r' }, other: 'kept' })], 'built once, from the bead as the other writer left it');
    assert.deepEqual(out.map((b) => b.id), [x.id, y.id, z.id], 'the bead left alone is in the answer, the missing one is not');
    assert.deepEqual((await t.ledger.show(x.id)).metadata, { gt: { rig: 'r' }, other: 'kept', mine: 'later' });
    assert.deepEqual(out[0].metadata, { gt: { rig: 'r' }, other: 'kept', mine: 'later' }, 'the answer is what was written');
    assert.equal((await t.ledger.show(y.id)).updatedAt, y.updatedAt, 'y unchanged');
    const zNow = await t.ledger.show(z.id);
    assert.equal(zNow.status, 'closed');
    assert.equal(zNow.closeReason, 'derived');
    assert.deepEqual(zNow.metadata, { was: 'open' });
    const commits = await log();
    assert.equal(commits.length, before + 1, 'one commit');
    assert.match(commits[0].message, new RegExp(`^close ${x.id} ${y.id} dp-missing ${z.id}$`), 'named a close: a derived patch closed a bead');

    // A derived patch that refuses (the bead moved on) refuses the whole write.
    await t.ledger.update(y.id, { status: 'hooked', assignee: 'r/polecats/other' }, 'someone');
    const refused = (await log()).length;
    await assert.rejects(
      t.ledger.updateMany([
        { id: x.id, patch: { title: 'not written' } },
        { id: y.id, patch: (b) => { if (b!.status !== 'open') throw new TownError('conflict', 'taken'); return { status: 'hooked' }; } },
      ], 'tester'),
      (e: unknown) => e instanceof TownError && e.code === 'conflict',
    );
    assert.equal((await log()).length, refused, 'nothing written');
    assert.equal((await t.ledger.show(x.id)).title, 'dx');
    // A derived patch that builds an invalid patch is refused like a static one.
    await assert.rejects(t.ledger.updateMany([{ id: x.id, patch: () => ({ priority: 99 }) }], 'tester'), (e: unknown) => e instanceof TownError && e.code === 'invalid');
  });

  test('ready({ ids }) answers among those beads only', async () => {
    const [a, b, c] = await t.ledger.createMany([{ title: 'ra', prefix: 'rd' }, { title: 'rb', prefix: 'rd' }, { title: 'rc', prefix: 'rd' }], 'tester');
    await t.ledger.update(b.id, { status: 'hooked', assignee: 'someone' }, 'tester');
    assert.deepEqual((await t.ledger.ready({ ids: [c.id, b.id, a.id], limit: 10 })).map((x) => x.id).sort(), [a.id, c.id].sort());
    assert.deepEqual((await t.ledger.ready({ ids: [], limit: 10 })).map((x) => x.id), []);
    assert.ok((await t.ledger.ready({ limit: 100 })).length > 2, 'without ids: every ready bead');
  });
});
