// The town's open merge requests, held in memory (a BeadMirror): what `gt done` looks up for a
// branch and what each rig's Refinery lists on every pass. Reading them from Dolt went through the
// `issue_type` index, which holds every merge request the rig ever merged: the list cost grew with
// the rig's history (3 → 12 ms of Dolt's CPU from 0 to 3,000 merged; docs/performance.md, "Twelfth
// pass"), twice per bead.
//
// Invariants (BeadMirror's, plus):
//   - `of(prefix)` answers what `ledger.list({ type: 'merge-request', prefix, statuses: NOT_CLOSED })`
//     would: the rig's requests that are not closed, in the ledger's list order (priority, then age,
//     then id), as copies.
//   - Every write the merge queue makes goes through `reporting()`, so the set takes it at once; a
//     write that is not reported (another part of the town, `bd`) reaches it through the feed, which
//     drops the set when it differs, and the next read loads it again.
import type { Bead, BeadFeedEvent } from '../../../preload/types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { BeadMirror, NOT_CLOSED } from '../bead-mirror.ts';
import type { TownLedgerForQueue } from './town-queue-store.ts';

const isOpenRequest = (b: Bead): boolean => b.type === 'merge-request' && b.status !== 'closed';

/** The ledger's list order. */
function listOrder(a: Bead, b: Bead): number {
  return a.priority - b.priority || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class OpenMergeRequests {
  private readonly mirror: BeadMirror;

  constructor(ledger: Pick<Ledger, 'list'>) {
    this.mirror = new BeadMirror(() => ledger.list({ type: 'merge-request', statuses: NOT_CLOSED }), isOpenRequest);
  }

  /** The rig's (bead prefix's) merge requests that are not closed, in list order. */
  async of(prefix: string): Promise<Bead[]> {
    const own = `${prefix}-`;
    return (await this.mirror.beads((b) => b.id.startsWith(own) && isOpenRequest(b))).sort(listOrder);
  }

  /** Beads the town wrote (any kind: only merge requests are kept). */
  written(beads: Bead[]): void {
    this.mirror.written(beads);
  }

  onFeed(event: BeadFeedEvent): void {
    this.mirror.onFeed(event);
  }

  /** The merge queue's slice of the ledger, whose lists of open requests are answered from here and
   *  whose writes are reported here, and to `also` (the town's other mirrors: ReservedWork). */
  reporting(ledger: TownLedgerForQueue, also: (beads: Bead[]) => void = () => undefined): TownLedgerForQueue {
    const seen = <T extends Bead | Bead[]>(p: Promise<T>): Promise<T> => p.then((r) => {
      const beads = Array.isArray(r) ? r : [r as Bead];
      this.written(beads);
      also(beads);
      return r;
    });
    return {
      list: (filter = {}) => {
        const f = filter as { type?: string; prefix?: string; statuses?: string[] } & Record<string, unknown>;
        const rest = Object.keys(f).filter((k) => !['type', 'prefix', 'statuses'].includes(k) && f[k] !== undefined);
        const openOnly = f.statuses?.length === NOT_CLOSED.length && NOT_CLOSED.every((s) => f.statuses!.includes(s));
        return f.type === 'merge-request' && f.prefix && openOnly && !rest.length ? this.of(f.prefix) : ledger.list(filter);
      },
      show: (id, opts) => ledger.show(id, opts),
      getMany: (ids) => ledger.getMany(ids),
      create: (input, actor) => seen(ledger.create(input, actor)),
      update: (id, patch, actor) => seen(ledger.update(id, patch, actor)),
      updateMany: (items, actor) => seen(ledger.updateMany(items, actor)),
      closeBead: (id, reason, actor, also) => seen(ledger.closeBead(id, reason, actor, also)),
      reopen: (id, actor) => seen(ledger.reopen(id, actor)),
      addLabel: (id, label, actor) => seen(ledger.addLabel(id, label, actor)),
      addDependency: (issueId, dependsOnId, type, actor) => ledger.addDependency(issueId, dependsOnId, type, actor),
    };
  }
}
