import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_NAMES } from '../../preload/contract.ts';
import { federationRequests } from '../../preload/requests/federation.ts';
import { pokesFeed } from '../../main/town/feed-poke.ts';

test('only calls that may commit past the Ledger (the federation\'s) nudge the feed; the work loop\'s do not', () => {
  const nudging = REQUEST_NAMES.filter((n) => pokesFeed(n)).sort();
  assert.deepEqual(nudging, Object.keys(federationRequests).sort());
  assert.ok(pokesFeed('sync') && pokesFeed('wlClaim'), 'a pull and a claim on the commons commit on their own connections');
  for (const n of ['done', 'cliRun', 'hook', 'terminalWrite', 'terminalAck', 'uiSnapshot'] as const) {
    if ((REQUEST_NAMES as readonly string[]).includes(n)) assert.equal(pokesFeed(n), false, n);
  }
  assert.ok(REQUEST_NAMES.length > nudging.length + 10);
});
