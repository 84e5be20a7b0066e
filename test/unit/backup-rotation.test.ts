// Backup rotation: the newest kept, and a mass deletion never rotates the last good copy away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRotation } from '../../main/town/supervision/dogs/backup-rotation.ts';
import { isDue } from '../../main/town/supervision/dogs/dog.ts';

const b = (name: string, at: number, beads: number, good = true) => ({ name, at, beads, good });

test('keeps keep-1 old ones beside the new one, oldest removed first', () => {
  const plan = planRotation([b('a', 1, 10), b('b', 2, 10), b('c', 3, 10)], 10, 2);
  assert.deepEqual(plan, { remove: ['b', 'a'], halted: false, good: true, reason: null });
});

test('more than half the beads gone: nothing removed, the new one not good', () => {
  const plan = planRotation([b('a', 1, 100), b('b', 2, 100)], 49, 1);
  assert.equal(plan.halted, true);
  assert.deepEqual(plan.remove, []);
  assert.equal(plan.good, false);
  assert.equal(planRotation([b('a', 1, 100)], 50, 1).halted, false, 'exactly half is not more than half');
  // Compared against the last GOOD backup, not a suspect one.
  assert.equal(planRotation([b('a', 1, 100), b('s', 2, 10, false)], 12, 1).halted, true);
});

test('dog schedules: never run is due at once; 0 means by hand', () => {
  assert.equal(isDue(1000, null, 5), true);
  assert.equal(isDue(1000, 0, 999), false);
  assert.equal(isDue(1000, 0, 1000), true);
  assert.equal(isDue(0, null, 5), false);
});

test('reaper: oldest transcripts first until under budget, never one in use', async () => {
  const { overBudget } = await import('../../main/town/supervision/dogs/reaper-dog.ts');
  const files = [{ path: 'a', size: 10, mtime: 1 }, { path: 'b', size: 10, mtime: 2 }, { path: 'c', size: 10, mtime: 3 }];
  assert.deepEqual(overBudget(files, 15, new Set()), ['a', 'b']);
  assert.deepEqual(overBudget(files, 15, new Set(['a'])), ['b', 'c']);
  assert.deepEqual(overBudget(files, 100, new Set()), []);
});
