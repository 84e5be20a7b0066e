// The Refinery's vocabulary: merge requests as the queue sees them, their phases, the store the
// queue is kept in, the options a rig gives its Refinery, and the events it emits.

export { MR_PHASES, TERMINAL_PHASES } from '../../preload/requests/merge-queue-types.ts';
export type { GateOutcome, MergeRequest, MergeRequestMeta, MrPhase, QueueEntry, RefineryEvent } from '../../preload/requests/merge-queue-types.ts';
import type { GateOutcome, MergeRequest, MergeRequestMeta, MrPhase } from '../../preload/requests/merge-queue-types.ts';

export interface NewMergeRequest {
  title: string;
  priority: number;
  meta: MergeRequestMeta;
}

/** One phase to record (MergeQueueStore.record's arguments). */
export interface PhaseRecord {
  id: string;
  phase: MrPhase;
  patch: Partial<MergeRequestMeta>;
  note: string;
  /** The work bead the request delivers, as the pass holds the request (its meta.bead; none: ''): a
   *  store that closes it with the request's landing need not read the request first. Recorded only
   *  while the request still delivers it. */
  bead?: string;
}

export interface FollowUp {
  kind: 'conflict' | 'rejection';
  title: string;
  description: string;
  /** Polecat to sling it to; null leaves it unassigned for any idle polecat. */
  assignee: string | null;
  priority: number;
}

/**
 * Where merge requests live. The Town implements it over the Ledger (ledger-store.ts); tests and
 * a town-less refinery use json-file-store.ts. One store holds one rig's queue.
 */
export interface MergeQueueStore {
  /** Open (not closed) merge requests of this rig. */
  listOpen(): Promise<MergeRequest[]>;
  get(id: string): Promise<MergeRequest | null>;
  create(req: NewMergeRequest): Promise<MergeRequest>;
  /**
   * Records a phase: merges `patch` into the metadata, sets `meta.phase`, closes the request when
   * the phase is terminal and reopens it when it is not. `note` is a human-readable line for the
   * request's history (a comment in the ledger).
   */
  record(id: string, phase: MrPhase, patch: Partial<MergeRequestMeta>, note: string): Promise<MergeRequest>;
  /**
   * Optional: records several phases at once, as `record` would one by one, in one write (one commit
   * in the ledger; all or nothing). The Refinery uses it for a whole batch when the store has it.
   */
  recordMany?(entries: PhaseRecord[]): Promise<MergeRequest[]>;
  /** Creates a bead (resolution or rejection) for the request's polecat; returns its id. */
  createFollowUp(mr: MergeRequest, followUp: FollowUp): Promise<string>;
}

export interface GateConfig {
  /** Run with `sh -c` in the refinery's worktree. */
  command: string;
  timeoutMs: number;
}

export interface RefineryOptions {
  /** Bare or normal repository holding the target and the request branches. */
  repoDir: string;
  /** The Refinery's own worktree (created if absent). */
  workDir: string;
  targetBranch?: string;
  gate: GateConfig;
  batchSize?: number;
  /** With more than batchSize requests ready, a batch takes up to this many (default: batchSize). */
  maxBatchSize?: number;
  /** Remote name the target is pushed to after landing (and synced from before each batch). */
  origin?: string;
  /** Identity of the merge commits. */
  identity?: { name: string; email: string };
  /** How long run() sleeps when the queue is empty (a submit wakes it at once). */
  pollMs?: number;
  /** With fewer requests queued than batchSize, wait up to this long after the oldest arrived for
   *  more to join its batch (gatherWait in queue-order.ts); default 0: take them at once. */
  gatherMs?: number;
  /**
   * How long a gate runs before its requests are written `testing` (default 2000 ms; 0: before it
   * starts). A quicker gate writes nothing between the request's queued and terminal records: the
   * pass's phases are events (refinery.ts, header).
   */
  recordTestingAfterMs?: number;
    /** Clock, for the queue score (tests). */
  now?: () => number;
}

export interface GateResult {
  outcome: GateOutcome;
  exitCode: number | null;
  /** Tail of stdout+stderr interleaved, capped. */
  output: string;
  durationMs: number;
}

/** What one processOnce() did, for callers and tests. */
export interface PassReport {
  /** `gather`: requests are queued, and the pass waits `waitMs` for more to join their batch. */
  kind: 'idle' | 'batch' | 'blocked' | 'gather';
  waitMs?: number;
  batch?: string;
  merged: string[];
  rejected: string[];
  conflicts: string[];
  deferred: string[];
  missing: string[];
  flaky: boolean;
  gateRuns: number;
  problem?: string;
}
