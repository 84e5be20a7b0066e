// The town's one restart policy: backoff with jitter inside bounds, the cap per window, the
// escalation once, the reset after a stable run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, initialRestartState, markFailed, markUp, RestartPolicy, type RestartPolicyOptions } from '../../main/lib/restart-policy.ts';

const o: RestartPolicyOptions = { baseMs: 100, maxMs: 1_000, cap: 3, windowMs: 60_000, stableMs: 10_000 };

test('backoff doubles, is jittered between half and all of its ceiling, and stops at maxMs', () => {
  assert.equal(backoffDelay(1, o, 0), 50);
  assert.equal(backoffDelay(1, o, 0.999), 100);
  assert.equal(backoffDelay(3, o, 0), 200);
  assert.equal(backoffDelay(3, o, 1), 400);
  assert.equal(backoffDelay(20, o, 1), 1_000);
  assert.equal(backoffDelay(20, o, 0), 500);
});

test('cap restarts inside the window, then one escalating give-up, then silent give-ups until reset', () => {
  let now = 1_000;
  const p = new RestartPolicy(o, 'thing', () => 0.5, () => now);
  p.up();
  const attempts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const d = p.failed();
    assert.equal(d.action, 'restart');
    if (d.action === 'restart') attempts.push(d.attempt);
    now += 100;
  }
  assert.deepEqual(attempts, [1, 2, 3]);
  const give = p.failed();
  assert.equal(give.action, 'give-up');
  assert.ok(give.action === 'give-up' && give.escalate && /thing failed 4 times in 1 minutes/.test(give.message));
  const again = p.failed();
  assert.ok(again.action === 'give-up' && !again.escalate, 'the escalation is raised once');
  p.reset();
  assert.equal(p.failed().action, 'restart');
});

test('failures older than the window do not count; a stable run forgets earlier ones', () => {
  let s = initialRestartState();
  let now = 0;
  for (let i = 0; i < 3; i++) s = markFailed(s, (now += 10), o, 0).state;
  // Past the window: the old three are forgotten.
  now += 61_000;
  const late = markFailed(s, now, o, 0);
  assert.ok(late.decision.action === 'restart' && late.decision.attempt === 1);
  // Three quick failures again, then a stable run: the next failure is attempt 1.
  s = late.state;
  for (let i = 0; i < 2; i++) s = markFailed(s, (now += 10), o, 0).state;
  s = markUp(s, now);
  const afterStable = markFailed(s, now + 10_000, o, 0);
  assert.ok(afterStable.decision.action === 'restart' && afterStable.decision.attempt === 1);
  // Not stable long enough: the three before count, this fourth one is past the cap.
  const notStable = markFailed(markUp(s, now), now + 5_000, o, 0);
  assert.equal(notStable.decision.action, 'give-up');
});
