// How long the BeadFeed waits before its next HEAD poll. A pure decision, tested without I/O.
//
// Invariants:
// - Right after another writer's commit was seen, or one is expected (a call that may write past
//   the ledger, e.g. a pull), the feed polls at `fastMs` for `settleMs`: a `bd` run's chain of
//   commits flows at full speed. (The town's own writes need no pace: each pokes the feed at once.)
// - Once `settleMs` has passed without a change, every empty poll doubles the wait, up to `idleMs`:
//   an idle town asks Dolt "anything new?" about once a second instead of seven times.
// - The delay is never below `fastMs` nor above max(fastMs, idleMs).

export interface FeedPacing {
  /** Poll interval while things are changing. */
  fastMs: number;
  /** The longest wait between polls when nothing changes (writers this process does not see, e.g. `bd`). */
  idleMs: number;
  /** How long after the last change or poke polling stays fast. */
  settleMs: number;
}

export const DEFAULT_FEED_PACING: FeedPacing = { fastMs: 150, idleMs: 1000, settleMs: 3000 };

/** The wait before the next poll, given the last wait and how long ago something last changed. */
export function nextPollDelay(previousMs: number, sinceChangeMs: number, p: FeedPacing): number {
  const ceiling = Math.max(p.fastMs, p.idleMs);
  if (sinceChangeMs < p.settleMs) return p.fastMs;
  return Math.min(ceiling, Math.max(p.fastMs, previousMs * 2));
}
