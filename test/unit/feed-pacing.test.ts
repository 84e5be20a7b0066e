import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FEED_PACING, nextPollDelay, type FeedPacing } from '../../main/ledger/feed-pacing.ts';

const p: FeedPacing = { fastMs: 150, idleMs: 1000, settleMs: 3000 };

describe('feed pacing', () => {
  it('polls fast while a change is recent, whatever the last wait', () => {
    assert.equal(nextPollDelay(150, 0, p), 150);
    assert.equal(nextPollDelay(1000, 2999, p), 150);
  });

  it('doubles the wait once settled, up to idleMs', () => {
    const waits: number[] = [];
    let d = p.fastMs;
    for (let i = 0; i < 6; i++) waits.push((d = nextPollDelay(d, 10_000, p)));
    assert.deepEqual(waits, [300, 600, 1000, 1000, 1000, 1000]);
  });

  it('a change after backing off goes straight back to fast', () => {
    assert.equal(nextPollDelay(1000, 5, p), 150);
  });

  it('never goes below fastMs nor above the ceiling, even with odd inputs', () => {
    assert.equal(nextPollDelay(0, 10_000, p), 150);
    assert.equal(nextPollDelay(50_000, 10_000, p), 1000);
    // idleMs below fastMs: a fixed interval of fastMs.
    assert.equal(nextPollDelay(150, 10_000, { fastMs: 150, idleMs: 100, settleMs: 0 }), 150);
  });

  it('the defaults keep the old fast interval and poll at least once a second idle', () => {
    assert.equal(DEFAULT_FEED_PACING.fastMs, 150);
    assert.ok(DEFAULT_FEED_PACING.idleMs <= 1000);
  });
});
