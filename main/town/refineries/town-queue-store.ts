// A rig's merge queue in the town: the ledger store, plus what the work loop needs around it.
//
// Invariants:
// - A work bead is closed when its merge request lands (phase merged), never before: in the same
//   write (one commit) that records the request merged, for a batch as for a single request, so no
//   crash can leave one without the other. (Older versions closed the bead first, in a write of its
//   own: a bead still in review whose request is closed merged is closed by reconcileReviews, and a
//   request left open after its head landed is recorded merged again by the next pass.)
// - A rejected or conflicting request whose bead is in review sends that SAME bead back to the
//   polecat that made the branch: open, assigned to it, with the Refinery's account (gate output
//   tail, conflicting files) in the work note `rework`, which its prime shows. No new bead is made.
//   The FollowUpDispatch hooks it as soon as that polecat is idle (two hooked beads would make a
//   busy polecat's hook flip between them).
// - At most `reworkCap` times: the bead sent back that many times is held for a human instead
//   (status blocked, unassigned, label gt:needs-human, its last account kept) and one high
//   escalation says so; a gate and a polecat that disagree forever would otherwise loop unseen.
// - A request with no bead in review (a hand-made `gt mq submit`, a bead closed meanwhile) gets a
//   follow-up bead as before: open, assigned to its polecat if any, on the request's branch.
import type { Bead } from '../../../preload/types.ts';
import type { BeadUpdate, Ledger } from '../../ledger/ledger.ts';
import type { MergeRequest, FollowUp, MergeRequestMeta, MrPhase, PhaseRecord } from '../../refinery/types.ts';
import { beadToMergeRequest, LedgerMergeQueueStore, type LedgerForQueue, type LedgerItem, type LedgerStoreOptions } from '../../refinery/ledger-store.ts';
import { isInReview, withWorkNote, workNote } from '../polecats/work-beads.ts';

export const FOLLOW_UP_LABEL = 'gt:refinery';

export const NEEDS_HUMAN_LABEL = 'gt:needs-human';

export type TownLedgerForQueue = LedgerForQueue & Pick<Ledger, 'addLabel'>;

/** What the merge queue does with a bead coming back for the `reworks`-th time. Pure. */
export function reworkDecision(reworks: number, cap: number): 'send-back' | 'hold' {
  return reworks > cap ? 'hold' : 'send-back';
}

export interface ReworkHold {
  bead: string;
  title: string;
  mergeRequest: string;
  reworks: number;
  rig: string;
  reason: string;
}

export class TownMergeQueueStore extends LedgerMergeQueueStore {
  /** Beads to send back once their request's rejection or conflict is recorded (not before: a
   *  polecat fast enough to finish before that would otherwise reuse a request about to close). */
  private readonly toSendBack = new Map<string, { bead: Bead; followUp: FollowUp }>();

  constructor(
    private readonly townLedger: TownLedgerForQueue,
    opts: LedgerStoreOptions & { rig: string; reworkCap?: number; held?: (h: ReworkHold) => void },
    /** Called after a bead was sent back or a follow-up written: try to hook it now. */
    private readonly followUpCreated: () => void,
    /** Called after a work bead closed because its code landed (convoys may land, dependents start). */
    private readonly beadLanded: (bead: string) => void = () => undefined,
  ) {
    super(townLedger, opts);
    this.reworkCap = opts.reworkCap ?? 3;
    this.held = opts.held ?? (() => undefined);
  }

  private readonly reworkCap: number;
  /** Told when a bead is held for a human (the pool raises the escalation). */
  private readonly held: (h: ReworkHold) => void;

  override async record(id: string, phase: MrPhase, patch: Partial<MergeRequestMeta>, note: string): Promise<MergeRequest> {
    // Merged with its work bead's close: one write, as for a batch.
    if (phase === 'merged') return (await this.recordMany([{ id, phase, patch, note }]))[0];
    if (phase === 'rejected' || phase === 'conflict') return this.recordRejection(id, phase, patch, note);
    return super.record(id, phase, patch, note);
  }

  /**
   * A rejection or conflict and its bead's way back are one write (one commit): nobody reads the
   * request rejected while its bead still reads as in review. If that write is refused (the bead
   * moved meanwhile), the request is recorded alone and the bead is sent back as before, re-read.
   */
  private async recordRejection(id: string, phase: 'rejected' | 'conflict', patch: Partial<MergeRequestMeta>, note: string): Promise<MergeRequest> {
    const back = this.toSendBack.get(id);
    this.toSendBack.delete(id);
    const current = await this.get(id);
    const after: MergeRequest | null = current ? { ...current, meta: { ...current.meta, ...patch, phase } } : null;
    // Rejected by hand (`gt mq reject`): the bead goes back with the reason.
    const beadId = back?.bead.id ?? (phase === 'rejected' ? after?.meta.bead : undefined);
    const followUp = back?.followUp ?? (after ? rejectedByHand(after) : null);
    const way = after && beadId && followUp ? await this.wayBack(beadId, after, followUp) : null;
    let recorded: MergeRequest;
    if (way) {
      const [item] = this.phaseItems([{ id, phase, patch, note }]);
      const written = await this.townLedger.updateMany([item, way.item], this.opts.actor).catch(() => null);
      if (written) {
        recorded = beadToMergeRequest(written.find((b) => b.id === id)!)!;
        way.finish();
      } else {
        recorded = await super.record(id, phase, patch, note);
        await this.sendBack({ id: way.item.id } as Bead, recorded, followUp!);
      }
    } else {
      recorded = await super.record(id, phase, patch, note);
    }
    this.followUpCreated();
    return recorded;
  }

  /**
   * Phases in one write (one commit), a batch's or a single request's. For `merged`: each request's
   * work bead is closed in that same write (all or nothing: a crash cannot close one without the
   * other). Rejections and conflicts send beads back: they go through `record`, one by one.
   */
  override async recordMany(entries: PhaseRecord[]): Promise<MergeRequest[]> {
    if (entries.some((e) => e.phase === 'rejected' || e.phase === 'conflict')) {
      const out: MergeRequest[] = [];
      for (const e of entries) out.push(await this.record(e.id, e.phase, e.patch, e.note));
      return out;
    }
    const items = this.phaseItems(entries);
    // Each merged request's work bead (the one the pass holds it with; a request recorded without it,
    // e.g. one found already in the target, is read), closed in the same write if it is not closed yet:
    // built in the write from the bead as it reads it there (no read before the write).
    const unknown = entries.filter((e) => e.phase === 'merged' && e.bead === undefined).map((e) => e.id);
    const read = new Map(unknown.length ? (await this.townLedger.getMany(unknown)).map((b) => [b.id, (b.metadata as Partial<MergeRequestMeta>).bead ?? '']) : []);
    const landing = new Map<string, { mr: string; mergedAs: string | undefined }>();
    for (const e of entries) {
      const bead = e.phase === 'merged' ? e.bead ?? read.get(e.id) : undefined;
      if (bead && !entries.some((x) => x.id === bead)) landing.set(bead, { mr: e.id, mergedAs: e.patch.mergedAs });
    }
    // Whether the (last run of the) write closed each: a rerun decides again.
    const closing = new Map<string, boolean>();
    const closes: LedgerItem[] = [...landing].map(([bead, { mr, mergedAs }]) => ({
      id: bead,
      patch: (current: Bead | null) => {
        const close = !!current && current.status !== 'closed';
        closing.set(bead, close);
        return close ? landedPatch(current!) : null;
      },
      closeReason: landedReason(mr, mergedAs),
    }));
    // The work beads first: they close before (here: with) their requests (see the header).
    const written = await this.townLedger.updateMany([...closes, ...items], this.opts.actor);
    const byId = new Map(written.map((b) => [b.id, b]));
    for (const [bead, closed] of closing) if (closed) this.beadLanded(bead);
    return entries.map((e) => beadToMergeRequest(byId.get(e.id)!)!);
  }

  private async closeLanded(beadId: string, mr: string, mergedAs: string | undefined): Promise<void> {
    const bead = await this.townLedger.show(beadId).catch(() => null);
    if (!bead || bead.status === 'closed') return;
    await this.townLedger.closeBead(beadId, landedReason(mr, mergedAs), this.opts.actor, landedPatch(bead));
    this.beadLanded(beadId);
  }

  /**
   * Repairs what a crash between two writes may have left: a bead still in review whose request is
   * already closed (landed → close the bead; rejected → send it back). Run when the rig's Refinery starts.
   */
  async reconcileReviews(): Promise<void> {
    const held = await this.townLedger.list({ status: 'in_progress', assignee: `${this.opts.rig}/refinery` });
    for (const bead of held) {
      const id = workNote(bead).review?.mergeRequest;
      const mr = id ? await this.get(id) : null;
      if (!mr || !mr.closed) continue;
      if (mr.meta.phase === 'merged') await this.closeLanded(bead.id, mr.id, mr.meta.mergedAs);
      else {
        await this.sendBack(bead, mr, rejectedByHand(mr));
        this.followUpCreated();
      }
    }
  }

  override async createFollowUp(mr: MergeRequest, f: FollowUp): Promise<string> {
    const bead = mr.meta.bead ? await this.townLedger.show(mr.meta.bead).catch(() => null) : null;
    if (bead && isInReview(bead) && (workNote(bead).polecat ?? mr.meta.polecat)) {
      this.toSendBack.set(mr.id, { bead, followUp: f });
      return bead.id;
    }
    const created = await this.townLedger.create({
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
    await this.townLedger.addDependency(created.id, mr.id, 'discovered-from', this.opts.actor);
    this.followUpCreated();
    return created.id;
  }

  /** The bead in review goes back to its polecat, open, with the Refinery's account of why. */
  private async sendBack(stale: Pick<Bead, 'id'>, mr: MergeRequest, f: FollowUp): Promise<void> {
    const way = await this.wayBack(stale.id, mr, f);
    if (!way) return;
    await this.townLedger.update(way.item.id, way.item.patch, this.opts.actor);
    way.finish();
  }

  /**
   * The write that sends a bead in review back (compare-and-set from in_progress, its label in the
   * same write), and what follows it (the hold's notice); null when the bead is not, or no longer, this request's.
   */
  private async wayBack(beadId: string, mr: MergeRequest, f: FollowUp): Promise<{ item: { id: string; patch: BeadUpdate }; finish: () => void } | null> {
    const bead = await this.townLedger.show(beadId).catch(() => null);
    if (!bead || !isInReview(bead) || workNote(bead).review?.mergeRequest !== mr.id) return null;
    const polecat = workNote(bead).polecat ?? mr.meta.polecat!;
    const reworks = (workNote(bead).reworks ?? 0) + 1;
    const rework = { kind: f.kind, mergeRequest: mr.id, title: f.title, detail: f.description.slice(0, 24_000), at: new Date().toISOString() };
    // The label goes in the same write as the status: nobody reads the bead held without it.
    if (reworkDecision(reworks, this.reworkCap) === 'hold') {
      return {
        item: {
          id: bead.id,
          patch: { status: 'blocked', assignee: null, expectStatus: ['in_progress'], addLabels: [NEEDS_HUMAN_LABEL], metadata: withWorkNote(bead, { polecat, branch: mr.meta.branch, review: null, rework, reworks }) },
        },
        finish: () => this.held({ bead: bead.id, title: bead.title, mergeRequest: mr.id, reworks, rig: this.opts.rig ?? '', reason: f.title }),
      };
    }
    return {
      item: {
        id: bead.id,
        patch: { status: 'open', assignee: polecat, expectStatus: ['in_progress'], addLabels: [FOLLOW_UP_LABEL], metadata: withWorkNote(bead, { polecat, branch: mr.meta.branch, review: null, rework, reworks }) },
      },
      finish: () => undefined,
    };
  }
}

/** A landed work bead's close: one write, closed, and who did the work back on it (the Refinery held
 *  it while in review). Never in two: an in_progress bead assigned to a polecat, even for a moment,
 *  reads as its hook. */
function landedPatch(bead: Bead): { status: 'closed'; assignee?: string; metadata: Record<string, unknown> } {
  const polecat = workNote(bead).polecat;
  return { status: 'closed', ...(polecat && isInReview(bead) ? { assignee: polecat } : {}), metadata: withWorkNote(bead, { review: null, rework: null }) };
}

/** A landed work bead's close reason. */
function landedReason(mr: string, mergedAs: string | undefined): string {
  return `landed: merge request ${mr}${mergedAs ? ` merged as ${mergedAs.slice(0, 10)}` : ''}`;
}

/** The account of a rejection the Refinery did not explain through a follow-up (by hand, or found after a crash). */
function rejectedByHand(mr: MergeRequest): FollowUp {
  const why = mr.meta.reason ?? mr.meta.phase;
  return {
    kind: 'rejection', title: `Fix ${mr.meta.branch}: ${why}`, assignee: mr.meta.polecat ?? null, priority: mr.priority,
    description: `Merge request ${mr.id} (${mr.meta.branch}) was ${mr.meta.phase}: ${why}${mr.meta.gateOutput ? `\n\nOutput (tail):\n\n${mr.meta.gateOutput}` : ''}\n\nFix the branch and run \`gt done\` again.`,
  };
}
