// Which TownApi calls make the ledger feed look at Dolt at once (poke).
//
// Invariant: every call pokes the feed after it ran ("it may have written": the feed then shows the
// write at once instead of at its idle pace), except terminal I/O on the hot path — typing,
// acknowledging drawn bytes, resizing — which never writes the ledger and runs dozens of times a
// second while terminals stream (each poke is a Dolt read, and pokes keep the feed polling fast).
import type { RequestName } from '../../preload/contract.ts';

const TERMINAL_STREAM_REQUESTS: ReadonlySet<RequestName> = new Set<RequestName>(['terminalWrite', 'terminalAck', 'terminalResize']);

/** Whether a call of `name` pokes the ledger feed once it ran. */
export function pokesFeed(name: RequestName): boolean {
  return !TERMINAL_STREAM_REQUESTS.has(name);
}
