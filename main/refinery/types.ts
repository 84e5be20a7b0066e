// The Refinery's vocabulary: merge requests as the queue sees them, their phases, the store the
// queue is kept in, the options a rig gives its Refinery, and the events it emits.

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

/** What the Refinery keeps in a merge-request bead's `metadata`. */
export interface MergeRequestMeta {
  branch: string;
  /** The target branch the request is for (the rig's target). */
  base: string;
  /** The work bead the request delivers, if any. */
  bead?: string;
  /** The polecat (agent name) that made the branch; follow-up beads go back to it. */
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
  updatedAt?: string;
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

export interface NewMergeRequest {
  title: string;
  priority: number;
  meta: MergeRequestMeta;
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
  /** Remote name the target is pushed to after landing (and synced from before each batch). */
  origin?: string;
  /** Identity of the merge commits. */
  identity?: { name: string; email: string };
  /** How long run() sleeps when the queue is empty (a submit wakes it at once). */
  pollMs?: number;
  /** Clock, for the queue score (tests). */
  now?: () => number;
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

export type RefineryEvent =
  | { type: 'phase'; rig?: string; id: string; branch: string; phase: MrPhase; detail: string; meta: MergeRequestMeta }
  | { type: 'batch'; batch: string; ids: string[]; target: string }
  | { type: 'gate'; batch: string; tip: string; ids: string[]; outcome: GateOutcome; durationMs: number; run: number }
  | { type: 'landed'; target: string; from: string; to: string; ids: string[] }
  | { type: 'problem'; kind: 'gate-unavailable' | 'target-red' | 'target-moved' | 'origin' | 'worktree' | 'internal'; message: string };

export type GateOutcome = 'pass' | 'fail' | 'timeout' | 'unavailable' | 'aborted';

export interface GateResult {
  outcome: GateOutcome;
  exitCode: number | null;
  /** Tail of stdout+stderr interleaved, capped. */
  output: string;
  durationMs: number;
}

/** What one processOnce() did, for callers and tests. */
export interface PassReport {
  kind: 'idle' | 'batch' | 'blocked';
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
