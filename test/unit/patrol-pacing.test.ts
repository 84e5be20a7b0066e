import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextPatrolInterval, patrolCeiling } from '../../main/town/supervisors/patrol-pacing.ts';

test('periodic patrols nothing prompted double their wait from tickMs up to 8 × tickMs', () => {
  const waits: number[] = [];
  let d = 1000;
  for (let i = 0; i < 5; i++) waits.push((d = nextPatrolInterval(d, 1000)));
  assert.deepEqual(waits, [2000, 4000, 8000, 8000, 8000]);
});

test('the ceiling is 8 × tickMs, at most 10 s, never below tickMs', () => {
  assert.equal(patrolCeiling(100), 800);
  assert.equal(patrolCeiling(2000), 10_000);
  assert.equal(patrolCeiling(60_000), 60_000);
  assert.equal(nextPatrolInterval(60_000, 60_000), 60_000);
});

test('odd previous waits are brought back inside [tickMs, ceiling]', () => {
  assert.equal(nextPatrolInterval(0, 1000), 1000);
  assert.equal(nextPatrolInterval(1e9, 1000), 8000);
});
