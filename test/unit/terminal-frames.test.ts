import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TerminalFrames, type FrameLimits } from '../../main/web/terminal-frames.ts';

/** A clock of our own: timers fire when `advance` passes their time. */
function harness(limits: Partial<FrameLimits> = {}) {
  const sent: Array<[string, string]> = [];
  const timers = new Map<number, { at: number; fn: () => void }>();
  let now = 0;
  let next = 1;
  const frames = new TerminalFrames({
    send: (id, data) => sent.push([id, Buffer.from(data).toString()]),
    setTimer: (fn, ms) => { const h = next++; timers.set(h, { at: now + ms, fn }); return h; },
    clearTimer: (h) => { timers.delete(h as number); },
  }, { backgroundMs: 250, maxHeldBytes: 1000, keyHoldMs: 100, ...limits });
  const advance = (ms: number): void => {
    const end = now + ms;
    for (;;) {
      const dueTimers = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at);
      if (!dueTimers.length) break;
      const [h, t] = dueTimers[0];
      timers.delete(h);
      now = t.at;
      t.fn();
    }
    now = end;
  };
  return { frames, sent, timers, advance };
}
const b = (s: string): Uint8Array => Buffer.from(s);
const key = (id: string, reqId = 1): unknown => ({ t: 'req', id: reqId, name: 'terminalWrite', args: { id, data: 'k' } });
const attach = (id: string, reqId: number): unknown => ({ t: 'req', id: reqId, name: 'uiTerminalAttach', args: { id } });

test('before any key every terminal is coalesced: one frame per terminal 250 ms after its first byte, in order', () => {
  const { frames, sent, advance } = harness();
  frames.output('a', b('1'));
  advance(100);
  frames.output('b', b('x'));
  frames.output('a', b('2'));
  assert.deepEqual(sent, []);
  advance(150);
  assert.deepEqual(sent, [['a', '12']], 'a is due 250 ms after its first byte; b is not yet');
  advance(100);
  assert.deepEqual(sent, [['a', '12'], ['b', 'x']]);
});

test('the terminal typed into is sent at once, after what it held, and stays the foreground', () => {
  const { frames, sent, advance } = harness();
  frames.output('a', b('old'));
  frames.request(key('a'));
  assert.deepEqual(sent, [['a', 'old']], 'typing into a sends what it held at once');
  frames.output('a', b('echo'));
  frames.output('a', b('more'));
  assert.deepEqual(sent, [['a', 'old'], ['a', 'echo'], ['a', 'more']]);
  frames.output('b', b('x'));
  advance(249);
  assert.equal(sent.length, 3, 'the other terminal still waits');
  advance(1);
  assert.deepEqual(sent.at(-1), ['b', 'x']);
});

test('a terminal holding the byte limit is sent at once, timer or not', () => {
  const { frames, sent, timers } = harness({ maxHeldBytes: 10 });
  frames.output('c', b('12345'));
  assert.equal(timers.size, 1);
  frames.output('c', b('67890'));
  assert.deepEqual(sent, [['c', '1234567890']]);
  assert.equal(timers.size, 0, 'its timer is cleared with the send');
  assert.equal(frames.heldBytes('c'), 0);
});

test('after a key the background is held entirely until the echo goes out alone', () => {
  const { frames, sent, advance } = harness({ maxHeldBytes: 10 });
  frames.output('b', b('bb'));
  advance(200);
  frames.request(key('a'));
  advance(60);
  frames.output('c', b('0123456789'));
  assert.deepEqual(sent, [], 'b became due and c is full during the hold: both wait');
  frames.output('a', b('k'));
  assert.deepEqual(sent, [['a', 'k'], ['b', 'bb'], ['c', '0123456789']], 'the echo first, then what waited, in order');
});

test('the hold ends after keyHoldMs without an echo, and later keys do not extend it', () => {
  const { frames, sent, advance } = harness();
  frames.output('b', b('x'));
  advance(200);
  frames.request(key('a', 1));
  advance(60);
  frames.request(key('a', 2));
  advance(39);
  assert.deepEqual(sent, [], 'still within 100 ms of the first key');
  advance(1);
  assert.deepEqual(sent, [['b', 'x']], 'the hold ended 100 ms after the first key, not after the second');
});

test('an attach reply goes after every byte its terminal held, even during a key hold', () => {
  const { frames, sent } = harness();
  frames.request(key('a'));
  frames.request(attach('b', 7));
  frames.output('b', b('old'));
  frames.output('b', b('replay'));
  frames.output('c', b('other'));
  frames.replying(6);
  assert.deepEqual(sent, [], 'a reply to another request sends nothing');
  frames.replying(7);
  assert.deepEqual(sent, [['b', 'oldreplay']], 'only the attached terminal, all it held, in order');
  frames.replying(7);
  assert.equal(sent.length, 1, 'a request id is forgotten after its reply');
});

test('requests that are not keys or attaches change nothing', () => {
  const { frames, sent } = harness();
  frames.request({ t: 'req', id: 1, name: 'terminalAck', args: { id: 'a', bytes: 3 } });
  frames.request({ t: 'sub', events: [] });
  frames.request(null);
  frames.request({ t: 'req', id: 2, name: 'terminalWrite', args: null });
  frames.output('a', b('x'));
  assert.deepEqual(sent, [], 'a is not the foreground: an ack is not a key');
  frames.replying(1);
  assert.deepEqual(sent, []);
});

test('a closed connection drops its timers and sends nothing more', () => {
  const { frames, sent, timers, advance } = harness();
  frames.output('b', b('x'));
  frames.output('c', b('y'));
  frames.request(key('a'));
  frames.request(attach('b', 3));
  assert.equal(timers.size, 3, "b's and c's wait, and the key hold");
  frames.close();
  assert.equal(timers.size, 0);
  frames.output('a', b('late'));
  frames.output('d', b('late'));
  frames.replying(3);
  advance(1000);
  assert.deepEqual(sent, []);
  assert.equal(timers.size, 0, 'no timer started after close');
});
