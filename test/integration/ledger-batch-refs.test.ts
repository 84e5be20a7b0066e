// createMany with references inside the batch (real Dolt): a parent, its children and their chain
// and metadata naming each other's ids in ONE commit; a reference to a later item writes nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/errors.ts';
import { ledgerFixture } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();

describe('createMany with batch references', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const commits = async (): Promise<number> => {
    const [rows] = await t.raw.query('SELECT COUNT(*) AS n FROM dolt_log');
    return Number((rows as Array<{ n: number }>)[0].n);
  };

  test('a parent, its chained children and metadata naming them: one commit', async () => {
    const before = await commits();
    const [work, root, a, b] = await t.ledger.createMany([
      { title: 'work', prefix: 'mo' },
      { title: 'root', prefix: 'mo', type: 'molecule', dependencies: [{ ref: 0, type: 'related' }], metadata: { molecule: { steps: 2 } }, metadataRefs: [{ path: ['molecule', 'for'], ref: 0 }] },
      { title: 'step a', parentRef: 1, metadataRefs: [{ path: ['step', 'molecule'], ref: 1 }] },
      { title: 'step b', parentRef: 1, dependencies: [{ ref: 2 }], metadataRefs: [{ path: ['step', 'molecule'], ref: 1 }] },
    ], 'tester');
    assert.equal(await commits(), before + 1, 'one commit');
    assert.equal(a.id, `${root.id}.1`);
    assert.equal(b.id, `${root.id}.2`);
    assert.deepEqual(root.metadata, { molecule: { steps: 2, for: work.id } });
    assert.deepEqual(b.metadata, { step: { molecule: root.id } });
    const edges = await t.ledger.dependencyEdges();
    assert.ok(edges.some((e) => e.issueId === b.id && e.dependsOnId === a.id && e.type === 'blocks'), 'b waits for a');
    assert.ok(edges.some((e) => e.issueId === a.id && e.dependsOnId === root.id && e.type === 'parent-child'));
    assert.ok(edges.some((e) => e.issueId === root.id && e.dependsOnId === work.id && e.type === 'related'));
    assert.equal((await t.ledger.show(b.id)).status, 'open');
    assert.deepEqual((await t.ledger.blocked()).map((x) => x.id).filter((id) => id === b.id), [b.id], 'b is blocked by a');
  });

  test('a reference to a later item (or any in a single create) is refused and writes nothing', async () => {
    const before = await commits();
    const count = await t.ledger.count();
    await assert.rejects(t.ledger.createMany([{ title: 'early', parentRef: 1 }, { title: 'late' }], 'tester'), (e: unknown) => e instanceof TownError && e.code === 'invalid' && /earlier item/.test(e.message));
    await assert.rejects(t.ledger.create({ title: 'alone', dependencies: [{ ref: 0 }] }, 'tester'), (e: unknown) => e instanceof TownError && e.code === 'invalid');
    assert.equal(await commits(), before);
    assert.equal(await t.ledger.count(), count);
  });
});
