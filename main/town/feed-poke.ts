// Which TownApi calls make the ledger feed poll at its fast pace once they ran (expectChanges).
//
// Invariant: a call that may commit to the ledger past the Ledger's own writes — the federation's
// pulls, merges and the commons' board (DOLT_FETCH / DOLT_MERGE / DOLT_COMMIT on connections of
// their own) — nudges the feed after it ran, so those commits are seen at the fast pace rather than
// the idle one. Every other call writes through the Ledger, whose commits reach the feed at once
// (ownCommit), so it does not: a busy town's dozens of `gt` calls a second would otherwise keep the
// feed asking Dolt for HEAD seven times a second. A handler that someday commits another way is
// still seen, at the idle pace (within `idleMs`, a second by default).
import type { RequestName } from '../../preload/contract.ts';
import { federationRequests } from '../../preload/requests/federation.ts';

const WRITES_PAST_THE_LEDGER: ReadonlySet<string> = new Set(Object.keys(federationRequests));

/** Whether a call of `name` nudges the ledger feed once it ran. */
export function pokesFeed(name: RequestName): boolean {
  return WRITES_PAST_THE_LEDGER.has(name);
}
