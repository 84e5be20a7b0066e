// Which TownApi calls make the ledger feed poll at its fast pace once they ran (expectChanges).
//
// Invariant: every call nudges the feed after it ran ("it may have written outside the ledger": the
// feed then polls at its fast pace instead of its idle one; the ledger's own commits reach it at
// once, bead-feed.ts), except terminal I/O on the hot path — typing,
// acknowledging drawn bytes, resizing — which never writes the ledger and runs dozens of times a
// second while terminals stream (a nudge keeps the feed polling fast, each poll a Dolt read).
import type { RequestName } from '../../preload/contract.ts';

const TERMINAL_STREAM_REQUESTS: ReadonlySet<RequestName> = new Set<RequestName>(['terminalWrite', 'terminalAck', 'terminalResize']);

/** Whether a call of `name` nudges the ledger feed once it ran. */
export function pokesFeed(name: RequestName): boolean {
  return !TERMINAL_STREAM_REQUESTS.has(name);
}
