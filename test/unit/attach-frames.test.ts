// The client → server framing of `gt attach` (preload/wire.ts): frames survive any cut of the
// byte stream, data stays raw bytes, and malformed input is an error rather than garbage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttachFrameDecoder, encodeAttachData, encodeAttachFrame, MAX_ATTACH_PAYLOAD, type AttachFrame } from '../../preload/wire.ts';

const join = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

test('data, resize and detach frames round-trip, however the stream is cut', () => {
  const frames: AttachFrame[] = [
    { type: 'data', data: new Uint8Array([0xff, 0x00, 0xe2, 0x82, 0x1d]) }, // invalid UTF-8, half a '€', the detach key as data
    { type: 'resize', cols: 300, rows: 2 },
    { type: 'data', data: new TextEncoder().encode('ls -la\r') },
    { type: 'detach' },
  ];
  const stream = join(frames.map(encodeAttachFrame));
  for (const cut of [1, 2, 3, 5, 7, stream.length]) {
    const d = new AttachFrameDecoder();
    const got: AttachFrame[] = [];
    for (let at = 0; at < stream.length; at += cut) got.push(...d.push(stream.subarray(at, at + cut)));
    assert.deepEqual(got, frames, `cut every ${cut} bytes`);
    assert.equal(d.buffered, 0);
  }
});

test('large input is split into frames no bigger than the limit and reassembles exactly', () => {
  const big = new Uint8Array(MAX_ATTACH_PAYLOAD * 2 + 17).map((_, i) => i % 251);
  const frames = encodeAttachData(big);
  assert.equal(frames.length, 3);
  const got = new AttachFrameDecoder().push(join(frames));
  const data = join(got.map((f) => (f.type === 'data' ? f.data : new Uint8Array(0))));
  assert.deepEqual(data, big);
});

test('malformed frames are errors: unknown type, oversized data, bad resize, non-empty detach', () => {
  assert.throws(() => new AttachFrameDecoder().push(new Uint8Array([9, 0, 0, 0, 0])), /unknown attach frame type 9/);
  assert.throws(() => new AttachFrameDecoder().push(new Uint8Array([1, 0, 0x10, 0, 1])), /over the 65536 limit/);
  assert.throws(() => new AttachFrameDecoder().push(new Uint8Array([2, 0, 0, 0, 3, 1, 2, 3])), /4 bytes/);
  assert.throws(() => new AttachFrameDecoder().push(new Uint8Array([2, 0, 0, 0, 4, 0, 0, 0, 24])), /bad terminal size 0x24/);
  assert.throws(() => new AttachFrameDecoder().push(new Uint8Array([3, 0, 0, 0, 1, 0])), /must be empty/);
  assert.throws(() => encodeAttachFrame({ type: 'resize', cols: 80, rows: 9999 }), /bad terminal size/);
  assert.throws(() => encodeAttachFrame({ type: 'data', data: new Uint8Array(MAX_ATTACH_PAYLOAD + 1) }), /split it/);
});
