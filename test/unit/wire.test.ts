import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTerminalFrame, encodeTerminalFrame } from '../../preload/wire.ts';

test('terminal frames carry raw bytes unchanged, including invalid UTF-8 and split characters', () => {
  const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0xe2, 0x82]); // invalid bytes and half of '€'
  const { id, data } = decodeTerminalFrame(encodeTerminalFrame('term-7', bytes));
  assert.equal(id, 'term-7');
  assert.deepEqual([...data], [...bytes]);
});

test('a truncated frame is an error, not garbage', () => {
  assert.throws(() => decodeTerminalFrame(new Uint8Array([10, 65])), /truncated/);
});
