import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BeadCreateInputSchema } from '../../main/ledger/ledger-schemas.ts';

test('a batch item may name an earlier item as parent, dependency or metadata value', () => {
  const p = BeadCreateInputSchema.parse({ title: 'step', parentRef: 0, dependencies: [{ ref: 1 }, { dependsOnId: 'hq-abc' }], metadataRefs: [{ path: ['step', 'molecule'], ref: 0 }] });
  assert.equal(p.parentRef, 0);
  assert.deepEqual(p.dependencies, [{ ref: 1, type: 'blocks' }, { dependsOnId: 'hq-abc', type: 'blocks' }]);
});

test('parent and parentRef together, a negative reference or an empty metadata path are refused', () => {
  assert.throws(() => BeadCreateInputSchema.parse({ title: 'x', parent: 'hq-abc', parentRef: 0 }), /parent or parentRef/);
  assert.throws(() => BeadCreateInputSchema.parse({ title: 'x', dependencies: [{ ref: -1 }] }));
  assert.throws(() => BeadCreateInputSchema.parse({ title: 'x', metadataRefs: [{ path: [], ref: 0 }] }));
});
