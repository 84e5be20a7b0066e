// The MergeQueueStore over the town's Ledger: a merge request is a bead of type `merge-request`
// under the rig's prefix whose `metadata` is the MergeRequestMeta. Each recorded phase is one
// ledger write (one Dolt commit authored by the refinery), so `dolt log` / the bead's history
// is the request's recorded phases (the Refinery records where a request rests and a long gate,
// not its passage through a quick pass: refinery.ts, header).
//
// Bead status follows the phase: queued / conflict / branch-missing → open; batched / testing /
// flaky → in_progress; merged / rejected → closed with that close reason.

import { TownError } from '../../preload/contract.ts';
import { BEAD_STATUSES, type Bead, type BeadStatus } from '../../preload/types.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { MR_PHASES, TERMINAL_PHASES, type FollowUp, type MergeQueueStore, type MergeRequest, type MergeRequestMeta, type MrPhase, type NewMergeRequest, type PhaseRecord } from './types.ts';

/** The few Ledger methods the queue needs (a structural slice, so the store is easy to read). */
export type LedgerForQueue = Pick<Ledger, 'create' | 'list' | 'show' | 'getMany' | 'update' | 'updateMany' | 'closeBead' | 'reopen' | 'addDependency'>;

/** One bead's part of a ledger.updateMany write. */
export type LedgerItem = Parameters<Ledger['updateMany']>[0][number];

export interface LedgerStoreOptions {
  /** The rig's bead prefix: its merge requests and follow-ups are created under it. */
  prefix: string;
  /** Commit author of the refinery's writes, e.g. `gastown/refinery`. */
  actor: string;
  /** The rig's name, recorded on requests it creates (as `gt done` does). */
  rig?: string;
}

export const MR_LABEL = 'gt:merge-request';

function statusFor(phase: MrPhase): BeadStatus {
  if (TERMINAL_PHASES.includes(phase)) return 'closed';
  if (phase === 'batched' || phase === 'testing' || phase === 'flaky') return 'in_progress';
  return 'open';
}

/** A bead as a merge request; null when its metadata is not one (hand-made bead of that type). */
export function beadToMergeRequest(b: Bead): MergeRequest | null {
  const m = b.metadata as Partial<MergeRequestMeta>;
  if (b.type !== 'merge-request' || typeof m?.branch !== 'string') return null;
  const phase = (MR_PHASES as readonly string[]).includes(String(m.phase)) ? (m.phase as MrPhase) : b.status === 'closed' ? 'rejected' : 'queued';
  return {
    id: b.id,
    title: b.title,
    priority: b.priority,
    createdAt: b.createdAt,
    closed: b.status === 'closed',
    meta: { ...m, branch: m.branch, base: typeof m.base === 'string' ? m.base : 'main', phase, attempts: Number(m.attempts) || 0 },
  };
}

export class LedgerMergeQueueStore implements MergeQueueStore {
  constructor(
    protected readonly ledger: LedgerForQueue,
    protected readonly opts: LedgerStoreOptions,
  ) {}

  async listOpen(): Promise<MergeRequest[]> {
    // Only the unfinished ones are read (the closed ones grow with every request the rig merged).
    const beads = await this.ledger.list({ type: 'merge-request', prefix: this.opts.prefix, statuses: BEAD_STATUSES.filter((s) => s !== 'closed') });
    const out: MergeRequest[] = [];
    for (const b of beads) {
      if (b.status === 'closed') continue;
      const mr = beadToMergeRequest(b);
      if (!mr) continue;
      // A terminal phase on an open bead (a close written in two steps by an older version, or by hand): finish it.
      if (TERMINAL_PHASES.includes(mr.meta.phase)) {
        await this.ledger.closeBead(b.id, mr.meta.phase, this.opts.actor);
        continue;
      }
      out.push(mr);
    }
    return out;
  }

  async get(id: string): Promise<MergeRequest | null> {
    try {
      return beadToMergeRequest(await this.ledger.show(id));
    } catch (e) {
      if (e instanceof TownError && (e.code === 'not_found' || e.code === 'invalid')) return null;
      throw e;
    }
  }

  async create(req: NewMergeRequest): Promise<MergeRequest> {
    const bead = await this.ledger.create({
      title: req.title.slice(0, 500),
      type: 'merge-request',
      priority: req.priority,
      prefix: this.opts.prefix,
      labels: [MR_LABEL],
      description: `Merge ${req.meta.branch} into ${req.meta.base}${req.meta.bead ? ` (delivers ${req.meta.bead})` : ''}.`,
      // No assignee: the work loop treats an in_progress bead assigned to a polecat as its hook.
      metadata: clean({ ...(this.opts.rig ? { rig: this.opts.rig } : {}), ...req.meta }),
    }, this.opts.actor);
    return beadToMergeRequest(bead)!;
  }

  async record(id: string, phase: MrPhase, patch: Partial<MergeRequestMeta>, note: string): Promise<MergeRequest> {
    const current = await this.ledger.show(id);
    const mr = beadToMergeRequest(current);
    if (!mr) throw new TownError('not_found', `${id} is not a merge request`);
    const metadata = clean({ ...mr.meta, ...patch, phase, note: note.slice(0, 2000) });
    const status = statusFor(phase);
    if (current.status === 'closed' && status !== 'closed') await this.ledger.reopen(id, this.opts.actor);
    // The terminal phase's metadata and the close are one write (one commit).
    if (status === 'closed') return beadToMergeRequest(await this.ledger.closeBead(id, phase, this.opts.actor, { metadata }))!;
    const statusPatch = current.status === status ? {} : { status };
    return beadToMergeRequest(await this.ledger.update(id, { metadata, ...statusPatch }, this.opts.actor))!;
  }

  /** Several phases in one write (one commit `update <ids>`): each request gets what `record` would
   *  write (reopened, closed with the phase as its reason, or updated), built in the write from the
   *  request as it reads it there (no read before the write). */
  async recordMany(entries: PhaseRecord[]): Promise<MergeRequest[]> {
    if (!entries.length) return [];
    const written = await this.ledger.updateMany(this.phaseItems(entries), this.opts.actor);
    const byId = new Map(written.map((b) => [b.id, b]));
    return entries.map((e) => beadToMergeRequest(byId.get(e.id)!)!);
  }

  /** The updateMany items that record these phases: each patch built in the write from the request's
   *  bead (not_found refuses the write when one is not a merge request; a `bead` given that is not the
   *  request's any more, a conflict). */
  protected phaseItems(entries: PhaseRecord[]): LedgerItem[] {
    return entries.map((e) => {
      const status = statusFor(e.phase);
      return {
        id: e.id,
        patch: (current: Bead | null) => {
          const mr = current ? beadToMergeRequest(current) : null;
          if (!current || !mr) throw new TownError('not_found', `${e.id} is not a merge request`);
          if (e.bead !== undefined && (mr.meta.bead ?? '') !== e.bead) throw new TownError('conflict', `${e.id} delivers ${mr.meta.bead ?? 'no bead'} now, not ${e.bead}`);
          const metadata = clean({ ...mr.meta, ...e.patch, phase: e.phase, note: e.note.slice(0, 2000) });
          // Closed → open/in progress is a reopen, in the same write.
          return { metadata, ...(current.status === status ? {} : { status }) };
        },
        ...(status === 'closed' ? { closeReason: e.phase } : {}),
      };
    });
  }

  async createFollowUp(mr: MergeRequest, f: FollowUp): Promise<string> {
    const bead = await this.ledger.create({
      title: f.title.slice(0, 500),
      description: f.description,
      type: f.kind === 'conflict' ? 'task' : 'bug',
      priority: f.priority,
      prefix: this.opts.prefix,
      labels: ['gt:refinery', `gt:${f.kind}`],
      // Slung back to its polecat (hooked); unassigned it waits for any idle polecat.
      ...(f.assignee ? { assignee: f.assignee, status: 'hooked' as const } : {}),
      metadata: { mergeRequest: mr.id, branch: mr.meta.branch, ...(mr.meta.bead ? { bead: mr.meta.bead } : {}) },
    }, this.opts.actor);
    await this.ledger.addDependency(bead.id, mr.id, 'discovered-from', this.opts.actor);
    return bead.id;
  }
}

/** Drops undefined keys (a patch key set to undefined removes it) and returns a plain JSON object. */
function clean(meta: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(meta)) as Record<string, unknown>;
}
