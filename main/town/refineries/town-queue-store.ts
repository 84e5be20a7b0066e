// A rig's merge queue in the town: the ledger store, except that follow-up beads (rejection,
// conflict resolution) are created open and assigned to their polecat with the work loop's note
// (rig, polecat, and the request's branch) instead of being hooked at once. Hooking them is the
// FollowUpDispatch's job, which waits until that polecat is idle: a busy polecat holding two hooked
// beads would have its hook flip between them.
import type { MergeRequest, FollowUp } from '../../refinery/types.ts';
import { LedgerMergeQueueStore, type LedgerForQueue, type LedgerStoreOptions } from '../../refinery/ledger-store.ts';

export const FOLLOW_UP_LABEL = 'gt:refinery';

export class TownMergeQueueStore extends LedgerMergeQueueStore {
  constructor(
    ledger: LedgerForQueue,
    opts: LedgerStoreOptions & { rig: string },
    /** Called after a follow-up is written: try to hook it now. */
    private readonly followUpCreated: () => void,
  ) {
    super(ledger, opts);
  }

  override async createFollowUp(mr: MergeRequest, f: FollowUp): Promise<string> {
    const bead = await this.ledger.create({
      title: f.title.slice(0, 500),
      description: f.description,
      type: f.kind === 'conflict' ? 'task' : 'bug',
      priority: f.priority,
      prefix: this.opts.prefix,
      labels: [FOLLOW_UP_LABEL, `gt:${f.kind}`],
      ...(f.assignee ? { assignee: f.assignee } : {}),
      metadata: {
        mergeRequest: mr.id, branch: mr.meta.branch, ...(mr.meta.bead ? { bead: mr.meta.bead } : {}),
        // The fix belongs on the request's own branch: GUPP and `gt done` read the branch from here.
        gt: { rig: this.opts.rig, branch: mr.meta.branch, ...(f.assignee ? { polecat: f.assignee } : {}) },
      },
    }, this.opts.actor);
    await this.ledger.addDependency(bead.id, mr.id, 'discovered-from', this.opts.actor);
    this.followUpCreated();
    return bead.id;
  }
}
