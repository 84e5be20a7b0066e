import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTerminalFrame, encodeTerminalFrame } from '../../preload/wire.ts';
import { applyFeedEvent } from '../../renderer/state/apply-feed-event.ts';
import type { Bead } from '../../preload/types.ts';

test('terminal frames carry raw bytes unchanged, including invalid UTF-8 and split characters', () => {
  const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0xe2, 0x82]); // invalid bytes and half of '€'
  const { id, data } = decodeTerminalFrame(encodeTerminalFrame('term-7', bytes));
  assert.equal(id, 'term-7');
  assert.deepEqual([...data], [...bytes]);
});

test('a truncated frame is an error, not garbage', () => {
  assert.throws(() => decodeTerminalFrame(new Uint8Array([10, 65])), /truncated/);
});

const bead = (id: string, title: string): Bead => ({
  id, title, description: '', type: 'task', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'x',
  createdAt: '', updatedAt: '', closedAt: null, closeReason: '', labels: [], metadata: {},
});

test('the bead list applies feed events: create adds, update replaces, delete removes', () => {
  let list = [bead('hq-aaa', 'one')];
  list = applyFeedEvent(list, { commit: 'c1', author: 'a', message: 'm', changes: [{ kind: 'created', id: 'hq-bbb', bead: bead('hq-bbb', 'two') }] });
  assert.deepEqual(list.map((b) => b.id), ['hq-bbb', 'hq-aaa']);
  list = applyFeedEvent(list, { commit: 'c2', author: 'a', message: 'm', changes: [{ kind: 'updated', id: 'hq-aaa', bead: bead('hq-aaa', 'ONE'), fields: ['title'] }] });
  assert.equal(list.find((b) => b.id === 'hq-aaa')?.title, 'ONE');
  assert.equal(list.length, 2);
  list = applyFeedEvent(list, { commit: 'c3', author: 'a', message: 'm', changes: [{ kind: 'deleted', id: 'hq-bbb' }] });
  assert.deepEqual(list.map((b) => b.id), ['hq-aaa']);
});
