// The merge queue's vocabulary as every process sees it: merge requests, their phases, the visible
// queue and the Refinery's events. The Refinery (main/refinery/types.ts) re-exports these, so the
// queue and the contract cannot drift apart.

/**
 * Where a merge request stands.
 * - queued: waiting in the queue (also: back in it after a restart, a moved target, a retry).
 * - batched / testing: taken into the current batch / its gate is running (in-flight phases: on
 *   restart they are re-derived from the target branch, never trusted).
 * - merged, rejected: terminal; the request's bead is closed.
 * - conflict: blocked; a resolution bead was created; re-queued when its branch changes.
 * - flaky: the batch's gate failed once then passed on retry; the request then lands (merged).
 * - branch-missing: its branch does not exist; re-queued if it reappears.
 */
export const MR_PHASES = ['queued', 'batched', 'testing', 'merged', 'rejected', 'conflict', 'flaky', 'branch-missing'] as const;
export type MrPhase = (typeof MR_PHASES)[number];

export const TERMINAL_PHASES: readonly MrPhase[] = ['merged', 'rejected'];

/** What a merge-request bead keeps in its `metadata` (written by `gt done`, `gt mq submit` and the Refinery). */
export interface MergeRequestMeta {
  /** The rig whose queue it is in. */
  rig?: string;
  branch: string;
  /** The target branch the request is for (the rig's target). */
  base: string;
  /** The work bead the request delivers, if any. */
  bead?: string;
  /** The polecat (agent address) that made the branch; follow-up beads go back to it. */
  polecat?: string;
  convoy?: string;
  /** ISO time the convoy was created: older convoys go first (no starvation). */
  convoyCreatedAt?: string;
  phase: MrPhase;
  /** How many batches this request failed in (score penalty, capped). */
  attempts: number;
  /** The branch head last looked at (the one that merged, conflicted or was rejected). */
  head?: string;
  /** Batch id (the target sha the batch was built on) while batched/testing. */
  batch?: string;
  mergedAs?: string;
  conflictFiles?: string[];
  resolutionBead?: string;
  rejectionBead?: string;
  /** Tail of the gate output that rejected it (or of the flaky first run). */
  gateOutput?: string;
  reason?: string;
  flakyRuns?: number;
  note?: string;
  updatedAt?: string;
  /** Set by `gt done` on a request it creates, until the same write that puts this bead in review
   *  removes it: the Refinery does not batch a held request (a lost race leaves nothing to land). */
  holdFor?: string;
}

export interface MergeRequest {
  id: string;
  title: string;
  /** 0 (highest) … 4 (lowest), as on every bead. */
  priority: number;
  createdAt: string;
  closed: boolean;
  meta: MergeRequestMeta;
}

/** One line of the visible queue (`gt mq list --json`). */
export interface QueueEntry {
  position: number;
  id: string;
  title: string;
  branch: string;
  phase: MrPhase;
  priority: number;
  attempts: number;
  score: number;
  ready: boolean;
  /** Why it is not ready (conflict, branch-missing), when it is not. */
  waiting?: string;
}

export type GateOutcome = 'pass' | 'fail' | 'timeout' | 'unavailable' | 'aborted';

export type RefineryEvent =
  | { type: 'phase'; rig?: string; id: string; branch: string; phase: MrPhase; detail: string; meta: MergeRequestMeta }
  | { type: 'batch'; batch: string; ids: string[]; target: string }
  | { type: 'gate'; batch: string; tip: string; ids: string[]; outcome: GateOutcome; durationMs: number; run: number }
  | { type: 'landed'; target: string; from: string; to: string; ids: string[] }
  | { type: 'problem'; kind: 'gate-unavailable' | 'target-red' | 'target-moved' | 'origin' | 'worktree' | 'internal'; message: string };

/** The TownApi event `mergeQueue`: a Refinery event and the rig it happened on. */
export type MergeQueueEvent = RefineryEvent & { rig: string };

/**
 * One request in `gt mq list`: the open ones in queue order (position, score), then finished ones
 * (merged, rejected: position and score null), most recent first.
 */
export interface MqEntry {
  rig: string;
  position: number | null;
  id: string;
  title: string;
  branch: string;
  phase: MrPhase;
  priority: number;
  attempts: number;
  score: number | null;
  ready: boolean;
  waiting?: string;
  bead?: string;
  polecat?: string;
  mergedAs?: string;
  reason?: string;
  updatedAt?: string;
}

/** `gt mq show`: the request and the rig whose queue holds it. */
export interface MqRequest extends MergeRequest {
  rig: string;
}
