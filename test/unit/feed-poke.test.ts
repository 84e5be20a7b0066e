import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_NAMES } from '../../preload/contract.ts';
import { pokesFeed } from '../../main/town/feed-poke.ts';

test('terminal I/O on the hot path does not poke the ledger feed; every other call does', () => {
  const quiet = REQUEST_NAMES.filter((n) => !pokesFeed(n)).sort();
  assert.deepEqual(quiet, ['terminalAck', 'terminalResize', 'terminalWrite']);
  assert.ok(pokesFeed('terminalOpen'), 'opening a terminal is not the hot path');
  assert.ok(REQUEST_NAMES.length > 10);
});
