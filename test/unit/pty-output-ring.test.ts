import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputRing } from '../../main/pty-host/output-ring.ts';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const str = (b: Uint8Array) => Buffer.from(b).toString();

test('ring keeps the most recent bytes and addresses them by absolute offset', () => {
  const r = new OutputRing(10);
  r.push(bytes('abcdef'));
  r.push(bytes('ghij'));
  assert.equal(r.end, 10);
  assert.equal(str(r.readFrom(null)), 'abcdefghij');
  r.push(bytes('klm'));
  assert.equal(r.oldest, 3);
  assert.equal(r.size, 10);
  assert.equal(str(r.readFrom(null)), 'defghijklm');
  assert.equal(str(r.readFrom(8)), 'ijklm');
  assert.equal(str(r.readFrom(0)), 'defghijklm', 'an offset already dropped replays all that is left');
  assert.equal(r.readFrom(13).length, 0);
  assert.equal(r.readFrom(99).length, 0);
});

test('a chunk larger than the ring keeps only its tail', () => {
  const r = new OutputRing(4);
  r.push(bytes('xy'));
  r.push(bytes('0123456789'));
  assert.equal(r.end, 12);
  assert.equal(r.oldest, 8);
  assert.equal(str(r.readFrom(null)), '6789');
});

test('non-UTF-8 bytes pass through untouched', () => {
  const r = new OutputRing(8);
  const raw = new Uint8Array([0xff, 0xfe, 0xe2, 0x82]);
  r.push(raw);
  r.push(new Uint8Array([0xac, 0x00]));
  assert.deepEqual([...r.readFrom(null)], [0xff, 0xfe, 0xe2, 0x82, 0xac, 0x00]);
});
