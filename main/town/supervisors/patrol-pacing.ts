// How long the Witness waits before its next periodic patrol. A pure decision, tested without I/O.
//
// The periodic patrol is a safety net: everything that gives the Witness work (a bead change seen by
// the feed, a session's exit, a sling, `gt done`, a convoy, a cost control) wakes it directly. So:
// - after any such wake the periodic patrol runs again `tickMs` later;
// - each periodic patrol that nothing woke in between doubles the wait, up to `ceilingFor(tickMs)`
//   (8 × tickMs, at most 10 s, never below tickMs): an idle town patrols every few seconds instead
//   of every second, a busy one exactly as before.

/** The longest wait between periodic patrols for a given tick. */
export function patrolCeiling(tickMs: number): number {
  return Math.max(tickMs, Math.min(tickMs * 8, 10_000));
}

/** The wait after a periodic patrol that nothing else prompted. */
export function nextPatrolInterval(previousMs: number, tickMs: number): number {
  return Math.min(patrolCeiling(tickMs), Math.max(tickMs, previousMs * 2));
}
