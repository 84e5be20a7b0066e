import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_NAMES, type RequestName } from '../../preload/contract.ts';
import { federationRequests } from '../../preload/requests/federation.ts';
import { pokesFeed } from '../../main/town/feed-poke.ts';

test('only calls that may commit past the Ledger (the federation\'s) nudge the feed; the work loop\'s do not', () => {
  const nudging = REQUEST_NAMES.filter((n) => pokesFeed(n)).sort();
  assert.deepEqual(nudging, Object.keys(federationRequests).sort());
  assert.ok(pokesFeed('sync') && pokesFeed('wlClaim'), 'a pull and a claim on the commons commit on their own connections');
  // The work loop's and the UI's hot calls (names checked by the compiler).
  const quiet: RequestName[] = ['done', 'cliRun', 'hook', 'terminalWrite', 'terminalAck', 'uiSnapshot'];
  for (const n of quiet) assert.equal(pokesFeed(n), false, n);
  assert.ok(REQUEST_NAMES.length > nudging.length + 10);
});
