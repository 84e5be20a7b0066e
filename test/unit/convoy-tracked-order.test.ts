// trackedOf (main/town/convoys/convoy-service.ts): a convoy's tracked beads in its own order, the
// ids its order does not name last (by id), only `tracks` dependencies; and a convoy of thousands
// sorted with the same answer as the order itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead, Dependency } from '../../preload/types.ts';
import { trackedOf } from '../../main/town/convoys/convoy-service.ts';

function convoy(tracks: string[], order: string[], other: string[] = []): Bead {
  const dep = (id: string, type: string): Dependency => ({ id: 0, issueId: 'cv-1', dependsOnId: id, type, createdAt: '', createdBy: 't' } as unknown as Dependency);
  return {
    id: 'cv-1', title: 'c', description: '', type: 'convoy', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 't',
    createdAt: '', updatedAt: '', closedAt: null, closeReason: '', labels: [], metadata: { order },
    dependencies: [...tracks.map((id) => dep(id, 'tracks')), ...other.map((id) => dep(id, 'blocks'))],
  } as Bead;
}

test("tracked beads come in the convoy's order, unnamed ones last by id, other dependencies left out", () => {
  assert.deepEqual(trackedOf(convoy(['b-3', 'b-1', 'b-9', 'b-2', 'b-0'], ['b-2', 'b-3', 'b-1', 'b-2'], ['x-1'])), ['b-2', 'b-3', 'b-1', 'b-0', 'b-9']);
  assert.deepEqual(trackedOf(convoy([], ['b-1'])), []);
});

test('a convoy of 5,000 beads in its order, shuffled in its dependencies', () => {
  const order = Array.from({ length: 5000 }, (_, i) => `b-${(i * 7919) % 5000}`);
  const shuffled = [...order].sort();
  assert.deepEqual(trackedOf(convoy(shuffled, order)), order);
});
