// Mail reaches running agents: a new message bead addressed to an agent with a live session is
// announced in its terminal through its nudge queue (typed when it is idle or waiting, never into
// its work). Agents without a session read it at their next prime, as before.
//
// Invariants:
//   - One announcement per message, only for `created` message beads (not for reads or replies'
//     closes), only to the recipient, never to the overseer (a person, not a session).
//   - Pure decision (announcementsFor) + thin wiring (the feed in, the nudge queue out).
import type { BeadFeedEvent } from '../../../preload/types.ts';

export interface Announcement {
  agent: string;
  id: string;
  text: string;
}

export function announcementsFor(event: BeadFeedEvent, hasSession: (agent: string) => boolean): Announcement[] {
  const out: Announcement[] = [];
  for (const c of event.changes) {
    if (c.kind !== 'created' || c.bead.type !== 'message' || !c.bead.assignee) continue;
    const to = c.bead.assignee;
    if (to === 'overseer' || !hasSession(to)) continue;
    const from = (c.bead.metadata as { from?: string }).from ?? c.bead.createdBy;
    out.push({ agent: to, id: c.bead.id, text: `You have new mail from ${from}: "${c.bead.title.slice(0, 120)}". Read it with: gt mail read ${c.bead.id}` });
  }
  return out;
}
