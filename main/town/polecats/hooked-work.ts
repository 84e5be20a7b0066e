// The beads polecats hold (hooked or in progress, assigned to a polecat), held in memory (a
// BeadMirror): what `gt done` starts from (done.ts) instead of reading the bead, and what the
// Witness's GUPP pass looks at on every patrol (witness.ts) instead of listing them, and what tells
// it a convoy is unfinished without reading its beads (holdsAny, convoyUnfinished). Asking Dolt
// cost one labelled read of the bead per `gt done` and one list per patrol (~1.1 statements of ~19
// a bead at 30 agents, docs/performance.md "Eighteenth pass").
//
// Invariants (BeadMirror's, whose written/onFeed it is, plus):
//   - `all()` answers what `ledger.list({ statuses: ['hooked', 'in_progress'] })` would, less the
//     beads not assigned to a polecat, as of the last load plus the writes reported since (written)
//     and the commits the feed delivered since (onFeed); `get(id)` answers what `ledger.getOne(id)`
//     would for such a bead, and null for any other (the caller reads the ledger as before).
//   - The town's own hooks report here (a sling's hook, `gt done`'s write: its bead goes to review
//     and leaves, the next bead is hooked and joins). A hook the town writes without reporting it
//     (the Witness's re-dispatch, a follow-up) is a change the set does not hold: the feed's report of
//     it drops the set, and the next read loads it again (one list of the held beads).
//   - A change the town is not told of (a human's `bd update`, a title edited in the UI) is seen once
//     the feed delivers its commit (≤ its poll interval: 150 ms while the town is busy, 1 s idle).
//     `gt done` decides nothing on the bead it could not take back: its write is a compare-and-set on
//     the bead's status and assignee (a bead closed or taken meanwhile is a conflict, as before), and
//     the read it replaces came before the git work, a window of the same kind. The Witness repairs
//     nothing from what is held alone: it reads the bead again under the rig's lock (keepWorking), and
//     the feed's delivery of another writer's hook wakes it for the patrol that sees it.
import type { Bead } from '../../../preload/types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { BeadMirror } from '../bead-mirror.ts';
import { parseAddress } from './agent-store.ts';

const heldByPolecat = (b: Bead): boolean =>
  (b.status === 'hooked' || b.status === 'in_progress') && !!b.assignee && parseAddress(b.assignee)?.role === 'polecat';

export class HookedWork extends BeadMirror {
  constructor(ledger: Pick<Ledger, 'list'>) {
    super(() => ledger.list({ statuses: ['hooked', 'in_progress'], assigned: true }), heldByPolecat);
  }

  /** Every bead a polecat holds (copies, in the ledger's list order as loaded). */
  all(): Promise<Bead[]> {
    return this.beads(heldByPolecat);
  }

  /** Whether a polecat holds any of these beads (no copies: the Witness asks it of a convoy's beads). */
  holdsAny(ids: Iterable<string>): Promise<boolean> {
    return this.some(ids, heldByPolecat);
  }

  /** The bead, when a polecat holds it (a copy); else null. */
  async get(id: string): Promise<Bead | null> {
    const [bead] = await this.beads((b) => b.id === id && heldByPolecat(b));
    return bead ?? null;
  }
}
