// Open beads waiting in the sling queue (labelled gt:queued: explicit slings that found no room),
// held in memory (a BeadMirror): what the Witness's feed and `gt done`'s claims read first on every
// pick (next-work.ts). Nearly always empty, and asking Dolt cost one list (a label join, ~13 ms asked
// → answered at 30 agents) 0.3 times a bead.
//
// Invariants (BeadMirror's, plus):
//   - `all()` answers what `ledger.list({ label: QUEUED_LABEL, status: 'open' })` would, as of the last
//     load plus the writes reported since (written) and the commits the feed delivered since (onFeed).
//   - The town's own ways on and off the queue report here: `enqueue` (one write: the work note and
//     the label) and `leaveQueue` (the label removed once the bead is hooked or no longer held).
//   - A bead queued by a write not reported here (a human's `bd label add`) joins once the feed
//     delivers it: a change of labels on a bead not held that carries gt:queued drops the set.
//   - A bead hooked by a write not reported here may still be answered until the feed delivers it:
//     its pick is refused by the hook's compare-and-set from open (next-work.ts), as any lost race.
import type { Bead, BeadFeedEvent } from '../../../preload/types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { BeadMirror } from '../bead-mirror.ts';
import { QUEUED_LABEL } from './work-beads.ts';

const isQueued = (b: Bead): boolean => b.status === 'open' && b.labels.includes(QUEUED_LABEL);

export class QueuedSlings {
  private readonly mirror: BeadMirror;

  constructor(ledger: Pick<Ledger, 'list'>) {
    this.mirror = new BeadMirror(() => ledger.list({ label: QUEUED_LABEL, status: 'open' }), isQueued, (labels) => labels.includes(QUEUED_LABEL));
  }

  /** The open beads in the queue (callers order them: next-work.ts, by the time they were queued). */
  async all(): Promise<Bead[]> {
    return this.mirror.beads(isQueued);
  }

  /** Beads the town wrote (the ledger's answer to the write): the held set takes them. */
  written(beads: Bead[]): void {
    this.mirror.written(beads);
  }

  onFeed(event: BeadFeedEvent): void {
    this.mirror.onFeed(event);
  }
}

/** What the queue's ways on and off need from the work loop's context. */
interface QueueContext {
  ledger: Pick<Ledger, 'update' | 'removeLabel'>;
  queued?: QueuedSlings;
}

/** Puts an open bead in the sling queue for `rig`: its work note (rig, runtime, when, by whom) and
 *  the label in one write, refused unless the bead is still open. */
export async function enqueue(c: QueueContext, bead: Bead, metadata: Record<string, unknown>, actor: string): Promise<void> {
  const queued = await c.ledger.update(bead.id, { metadata, expectStatus: ['open'], addLabels: [QUEUED_LABEL] }, actor);
  c.queued?.written([queued]);
}

/** Takes a bead off the sling queue (its label), when it is on it: it was hooked, or is no longer
 *  to be dispatched. */
export async function leaveQueue(c: QueueContext, bead: Pick<Bead, 'id' | 'labels'>, actor: string): Promise<void> {
  if (!bead.labels.includes(QUEUED_LABEL)) return;
  c.queued?.written([await c.ledger.removeLabel(bead.id, QUEUED_LABEL, actor)]);
}
