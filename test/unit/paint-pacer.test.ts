import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PaintPacer } from '../../renderer/terminals/paint-pacer.ts';

function harness(backgroundMs = 250, maxHeldBytes = 1000) {
  const writes: Array<[string, string]> = [];
  const timers = new Map<number, () => void>();
  let next = 1;
  const pacer = new PaintPacer({
    write: (id, data) => writes.push([id, Buffer.from(data).toString()]),
    setTimer: (fn) => { const h = next++; timers.set(h, fn); return h; },
    clearTimer: (h) => { timers.delete(h as number); },
  }, backgroundMs, maxHeldBytes);
  const fire = (): void => { const due = [...timers.values()]; timers.clear(); for (const fn of due) fn(); };
  return { pacer, writes, timers, fire };
}
const b = (s: string): Uint8Array => Buffer.from(s);

test('the focused terminal is written at once; others wait for their timer, in order', () => {
  const { pacer, writes, timers, fire } = harness();
  pacer.focus('a');
  pacer.push('a', b('1'));
  pacer.push('b', b('x'));
  pacer.push('b', b('y'));
  assert.deepEqual(writes, [['a', '1']]);
  assert.equal(timers.size, 1, 'one timer for b, started by its first byte');
  assert.equal(pacer.heldBytes('b'), 2);
  fire();
  assert.deepEqual(writes, [['a', '1'], ['b', 'xy']], 'what b held is one write, in order');
  assert.equal(pacer.heldBytes('b'), 0);
});

test('focus releases what a terminal held before its new bytes', () => {
  const { pacer, writes, timers } = harness();
  pacer.push('b', b('old'));
  pacer.focus('b');
  assert.deepEqual(writes, [['b', 'old']]);
  assert.equal(timers.size, 0, 'its timer is cleared');
  pacer.push('b', b('new'));
  assert.deepEqual(writes, [['b', 'old'], ['b', 'new']]);
  pacer.focus(null);
  pacer.push('b', b('later'));
  assert.equal(writes.length, 2, 'unfocused again: held');
});

test('a terminal that collected the byte limit is written at once', () => {
  const { pacer, writes, timers } = harness(250, 10);
  pacer.push('c', b('12345'));
  assert.equal(writes.length, 0);
  pacer.push('c', b('67890'));
  assert.deepEqual(writes, [['c', '1234567890']]);
  assert.equal(timers.size, 0);
});

test('drop forgets held bytes without writing them; empty chunks are ignored', () => {
  const { pacer, writes, timers, fire } = harness();
  pacer.push('d', b('gone'));
  pacer.push('e', new Uint8Array(0));
  assert.equal(pacer.heldBytes('e'), 0);
  pacer.drop('d');
  assert.equal(timers.size, 0);
  fire();
  assert.deepEqual(writes, []);
});

function framedHarness(maxHeldBytes = 1000) {
  const writes: Array<[string, string]> = [];
  const timers = new Map<number, () => void>();
  const frames: Array<() => void> = [];
  let next = 1;
  const pacer = new PaintPacer({
    write: (id, data) => writes.push([id, Buffer.from(data).toString()]),
    setTimer: (fn) => { const h = next++; timers.set(h, fn); return h; },
    clearTimer: (h) => { timers.delete(h as number); },
    requestFrame: (fn) => { frames.push(fn); },
  }, 250, maxHeldBytes);
  const fire = (): void => { const due = [...timers.values()]; timers.clear(); for (const fn of due) fn(); };
  const frame = (): void => { const now = frames.splice(0); for (const fn of now) fn(); };
  return { pacer, writes, timers, frames, fire, frame };
}
const ids = (writes: Array<[string, string]>): string[] => writes.map(([id]) => id);

test('with frames, terminals due while the focused one is drawn wait until the frame after its frame', () => {
  const { pacer, writes, frames, fire, frame } = framedHarness();
  pacer.focus('f');
  pacer.push('a', b('a1'));
  pacer.push('b', b('b1'));
  pacer.push('f', b('echo'));
  assert.equal(frames.length, 1, 'one frame asked for');
  fire();
  pacer.push('a', b('a2'));
  assert.deepEqual(writes, [['f', 'echo']], 'due, but the echo is being drawn');
  frame();
  assert.deepEqual(ids(writes), ['f'], 'the frame that draws the echo draws no background terminal');
  pacer.push('f', b('more'));
  assert.equal(frames.length, 1, 'one window at a time');
  frame();
  assert.deepEqual(writes, [['f', 'echo'], ['f', 'more'], ['a', 'a1a2'], ['b', 'b1']], 'then all due, in order, even though the focused one wrote again');
  assert.equal(frames.length, 0);
  pacer.push('c', b('c1'));
  fire();
  assert.deepEqual(ids(writes).slice(-1), ['c'], 'with no focused bytes being drawn, written when due');
  assert.equal(pacer.heldBytes('a'), 0);
});

test('with frames, the byte limit still writes at once, and a waiting terminal that is dropped or focused leaves the queue', () => {
  const { pacer, writes, frames, fire, frame } = framedHarness(10);
  pacer.focus('f');
  pacer.push('f', b('echo'));
  pacer.push('a', b('12345'));
  pacer.push('b', b('x'));
  pacer.push('c', b('y'));
  fire();
  pacer.push('a', b('67890'));
  assert.deepEqual(writes.slice(1), [['a', '1234567890']], 'no frame needed at the limit (a hidden page gets none)');
  pacer.drop('b');
  pacer.focus('c');
  assert.deepEqual(ids(writes), ['f', 'a', 'c']);
  frame();
  frame();
  assert.equal(writes.length, 3, 'nothing left waiting');
  assert.equal(frames.length, 0);
  assert.equal(pacer.heldBytes('b'), 0);
});

test('a key typed into the focused terminal holds due terminals until its echo is drawn', () => {
  const { pacer, writes, timers, fire, frame } = framedHarness();
  pacer.focus('f');
  pacer.push('a', b('a1'));
  pacer.typed('f');
  assert.equal(timers.size, 2, "a's wait and the echo's");
  const echoWait = [...timers.entries()].at(-1)!;
  timers.delete(echoWait[0]);
  fire();
  assert.deepEqual(writes, [], 'a is due, but the echo has not arrived');
  pacer.push('f', b('k'));
  frame();
  assert.deepEqual(ids(writes), ['f'], 'the echo is written and drawn first');
  frame();
  assert.deepEqual(writes, [['f', 'k'], ['a', 'a1']], 'then the due terminal');
  pacer.typed('x');
  assert.equal(timers.size, 0, 'a key typed elsewhere than the focused terminal holds nothing');
});

test('without an echo, due terminals are written when the wait for it ends', () => {
  const { pacer, writes, timers, fire } = framedHarness();
  pacer.focus('f');
  pacer.typed('f');
  pacer.push('a', b('a1'));
  const [aWait, echoWait] = [...timers.entries()].sort((x, y) => y[0] - x[0]);
  timers.clear();
  aWait[1]();
  assert.deepEqual(writes, []);
  echoWait[1]();
  assert.deepEqual(writes, [['a', 'a1']]);
  fire();
});
