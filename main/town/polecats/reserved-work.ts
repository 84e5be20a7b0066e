// Open work beads reserved for an agent (assigned while still open), held in memory (a BeadMirror):
// what `gt done` asks before it hooks a polecat's next bead in the same session (done.ts,
// claimNextBead). The town makes such a bead when its merge queue sends a bead in review back to the
// polecat that made it, or writes a follow-up for it (refineries/town-queue-store.ts), and when a
// follow-up's session fails to start (FollowUpDispatch puts it back to open); FollowUpDispatch hooks
// it once the polecat is idle, so a polecat holding one must go idle, not on to other work. A human
// (`gt bead update --assignee`, `bd`) may make one too. Asking Dolt on every `gt done` cost one list
// (a join-planned SELECT, ~7 ms of Dolt) per bead; nearly always empty.
//
// Invariants (BeadMirror's, plus):
//   - `of(agent)` answers what `ledger.list({ status: 'open', assignee: agent })` filtered to work
//     types would, as of the last load plus the writes reported since (written) and the commits the
//     feed delivered since (onFeed).
//   - Every write of the merge queue is reported (OpenMergeRequests.reporting's `also`), and so are
//     FollowUpDispatch's hook and its way back to open: the town's own reservations are seen at once.
//   - A reservation the town is not told of (a human's, through the TownApi or `bd`) is seen once the
//     feed delivers its commit (≤ its poll interval: 150 ms while the town is busy, 1 s idle); reading
//     the ledger at `gt done`'s start left a window of the same kind (the git work runs before the write).
//   - A bead that stopped being reserved by a write not reported here (hooked by a sling) may still
//     be answered until the feed delivers it: the polecat then goes idle instead of on, and the
//     Witness feeds it (never the other way round).
import type { Bead, BeadFeedEvent } from '../../../preload/types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { BeadMirror } from '../bead-mirror.ts';
import { NOT_WORK_TYPES } from '../../ledger/bead-reads.ts';
import { isWorkType } from './work-beads.ts';

const isReserved = (b: Bead): boolean => b.status === 'open' && !!b.assignee && isWorkType(b);

export class ReservedWork {
  private readonly mirror: BeadMirror;

  constructor(ledger: Pick<Ledger, 'list'>) {
    this.mirror = new BeadMirror(() => ledger.list({ status: 'open', assigned: true, notTypes: NOT_WORK_TYPES }), isReserved);
  }

  /** The open work beads reserved for this agent. */
  async of(agent: string): Promise<Bead[]> {
    return this.mirror.beads((b) => isReserved(b) && b.assignee === agent);
  }

  /** Beads the town wrote (the ledger's answer to the write): the held set takes them. */
  written(beads: Bead[]): void {
    this.mirror.written(beads);
  }

  onFeed(event: BeadFeedEvent): void {
    this.mirror.onFeed(event);
  }
}
