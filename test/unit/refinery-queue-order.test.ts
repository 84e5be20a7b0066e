// Queue order and readiness: pure functions of the requests, their heads and the clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchSizeFor, gatherWait, orderByScore, readiness, scoreOf } from '../../main/refinery/queue-order.ts';
import type { MergeRequest, MergeRequestMeta } from '../../main/refinery/types.ts';

const NOW = Date.parse('2025-01-10T12:00:00Z');
const H = 3_600_000;

function mr(id: string, priority: number, ageH: number, meta: Partial<MergeRequestMeta> = {}): MergeRequest {
  return {
    id, title: id, priority, closed: false,
    createdAt: new Date(NOW - ageH * H).toISOString(),
    meta: { branch: `b/${id}`, base: 'main', phase: 'queued', attempts: 0, ...meta },
  };
}

test('priority beats age, age breaks ties, then creation order and id', () => {
  const order = orderByScore([mr('old-low', 3, 5), mr('new-high', 0, 0), mr('older-mid', 2, 2), mr('newer-mid', 2, 1)], NOW);
  assert.deepEqual(order.map((m) => m.id), ['new-high', 'older-mid', 'newer-mid', 'old-low']);
  const same = orderByScore([mr('b', 2, 0), mr('a', 2, 0)], NOW);
  assert.deepEqual(same.map((m) => m.id), ['a', 'b']);
});

test('an old convoy pulls its request forward', () => {
  const order = orderByScore([mr('fresh', 2, 1), mr('convoy', 2, 0, { convoyCreatedAt: new Date(NOW - 3 * H).toISOString() })], NOW);
  assert.deepEqual(order.map((m) => m.id), ['convoy', 'fresh']);
});

test('retries sink a request, but the penalty is capped so age wins in the end (no starvation)', () => {
  const retried = mr('retried', 2, 0, { attempts: 10 });
  assert.equal(scoreOf(retried, NOW), 1000 + 200 - 300);
  assert.deepEqual(orderByScore([retried, mr('fresh', 2, 0)], NOW).map((m) => m.id), ['fresh', 'retried']);
  const later = NOW + 400 * H;
  const freshLater = { ...mr('fresh2', 2, 0), createdAt: new Date(later).toISOString() };
  assert.deepEqual(orderByScore([freshLater, retried], later).map((m) => m.id), ['retried', 'fresh2']);
});

test('readiness: missing branches wait, conflicts wait until the branch changes', () => {
  assert.deepEqual(readiness(mr('a', 2, 0), 'h1'), { ready: true, requeue: false });
  const gone = readiness(mr('a', 2, 0), null);
  assert.equal(gone.ready, false);
  assert.ok(!gone.ready && gone.phase === 'branch-missing' && gone.changed);
  const stillGone = readiness(mr('a', 2, 0, { phase: 'branch-missing' }), null);
  assert.ok(!stillGone.ready && !stillGone.changed);
  assert.deepEqual(readiness(mr('a', 2, 0, { phase: 'branch-missing' }), 'h'), { ready: true, requeue: true });
  const conflict = mr('c', 2, 0, { phase: 'conflict', head: 'h1', conflictFiles: ['x.ts'] });
  const waiting = readiness(conflict, 'h1');
  assert.ok(!waiting.ready && /x\.ts/.test(waiting.why));
  assert.deepEqual(readiness(conflict, 'h2'), { ready: true, requeue: true });
  assert.deepEqual(readiness(mr('t', 2, 0, { phase: 'testing' }), 'h'), { ready: true, requeue: true }, 'in-flight after a crash: re-queued');
});

test('a held request (gt done not finished) is not ready, whatever its branch', () => {
  const held = mr('held', 2, 0, { holdFor: 'gt-1' });
  const r = readiness(held, 'a'.repeat(40));
  assert.equal(r.ready, false);
  assert.equal(r.ready === false && r.changed, false, 'nothing to record: it waits');
  assert.equal(readiness(mr('free', 2, 0), 'a'.repeat(40)).ready, true);
});

test('batch size: the configured size for a short queue; a long queue takes all that is ready, up to the max', () => {
  assert.equal(batchSizeFor(0, 4, 16), 4);
  assert.equal(batchSizeFor(3, 4, 16), 4);
  assert.equal(batchSizeFor(4, 4, 16), 4);
  assert.equal(batchSizeFor(9, 4, 16), 9);
  assert.equal(batchSizeFor(40, 4, 16), 16);
  assert.equal(batchSizeFor(40, 4, 2), 4, 'a max below the size never shrinks a batch');
  assert.equal(batchSizeFor(40, 0, 0), 1, 'at least one');
});

test('gathering a batch: fewer queued than a batch takes wait for more, up to gatherMs after the oldest', () => {
  const t0 = Date.parse('2026-12-05T08:00:00.000Z');
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  assert.equal(gatherWait([at(0)], t0 + 200, 4, 1000), 800, 'one request, 200 ms old: 800 ms more');
  assert.equal(gatherWait([at(300), at(0), at(500)], t0 + 600, 4, 1000), 400, 'counted from the oldest');
  assert.equal(gatherWait([at(0)], t0 + 1000, 4, 1000), 0, 'waited long enough');
  assert.equal(gatherWait([at(0)], t0 + 5000, 4, 1000), 0);
  assert.equal(gatherWait([at(0), at(1), at(2), at(3)], t0 + 10, 4, 1000), 0, 'a full batch goes at once');
  assert.equal(gatherWait([at(0)], t0, 4, 0), 0, 'gatherMs 0: never waits');
  assert.equal(gatherWait([], t0, 4, 1000), 0, 'nothing queued: nothing to wait for');
  assert.equal(gatherWait([at(0)], t0, 1, 1000), 0, 'a batch of one is full at once');
  assert.equal(gatherWait([at(5000)], t0, 4, 1000), 1000, 'a request from the future waits at most gatherMs');
  assert.equal(gatherWait(['not a time', at(0)], t0, 4, 1000), 0, 'an unreadable time does not wait');
});
