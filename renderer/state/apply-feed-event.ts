import type { Bead, BeadFeedEvent } from '../../preload/types.ts';

/** Applies one feed event to the list; the feed is the only source of live updates. */
export function applyFeedEvent(beads: Bead[], event: BeadFeedEvent): Bead[] {
  let next = beads;
  for (const change of event.changes) {
    if (change.kind === 'created' || change.kind === 'updated' || change.kind === 'closed') {
      const rest = next.filter((b) => b.id !== change.id);
      next = [change.bead, ...rest];
    } else if (change.kind === 'deleted') {
      next = next.filter((b) => b.id !== change.id);
    }
  }
  return next;
}
