// The queue's order and who is ready: pure functions of the requests, their branch heads and the
// clock, so `gt mq list` shows exactly the order the Refinery will use.
//
// Score (higher first), after the original engine's formula:
//   1000 + 100·(4 − priority) + 10·convoy age (h) + 1·request age (h) − min(50·attempts, 300)
// Age terms grow without bound while the retry penalty is capped, so a request that keeps failing
// drops back but can never starve; an old convoy pulls its requests forward.

import type { MergeRequest, MrPhase } from './types.ts';

const HOUR = 3_600_000;

export function scoreOf(mr: MergeRequest, now: number): number {
  const priority = Math.min(4, Math.max(0, Math.round(mr.priority)));
  const ageH = Math.max(0, (now - Date.parse(mr.createdAt)) / HOUR) || 0;
  const convoyAt = mr.meta.convoyCreatedAt ? Date.parse(mr.meta.convoyCreatedAt) : NaN;
  const convoyH = Number.isFinite(convoyAt) ? Math.max(0, (now - convoyAt) / HOUR) : 0;
  const penalty = Math.min(50 * Math.max(0, mr.meta.attempts || 0), 300);
  return 1000 + 100 * (4 - priority) + 10 * convoyH + ageH - penalty;
}

/** Highest score first; ties by creation time, then id, so the order is total and stable. */
export function orderByScore(mrs: MergeRequest[], now: number): MergeRequest[] {
  const scored = mrs.map((mr) => ({ mr, s: scoreOf(mr, now) }));
  scored.sort((a, b) => b.s - a.s || a.mr.createdAt.localeCompare(b.mr.createdAt) || a.mr.id.localeCompare(b.mr.id));
  return scored.map((x) => x.mr);
}

export type Readiness =
  | { ready: true; requeue: boolean }
  | { ready: false; phase: MrPhase; why: string; changed: boolean };

/**
 * Whether an open request can go into a batch, given its branch head now (null = branch gone).
 * `requeue` says it was waiting (conflict, missing branch) and its branch changed: record it queued.
 * `changed` says a waiting phase must be recorded (it just went missing).
 */
export function readiness(mr: MergeRequest, head: string | null): Readiness {
  const phase = mr.meta.phase;
  if (mr.meta.holdFor) return { ready: false, phase, why: `held until gt done puts ${mr.meta.holdFor} in review`, changed: false };
  if (head === null) {
    return { ready: false, phase: 'branch-missing', why: `branch ${mr.meta.branch} does not exist`, changed: phase !== 'branch-missing' };
  }
  if (phase === 'conflict') {
    if (head === mr.meta.head) return { ready: false, phase, why: `conflicts in ${(mr.meta.conflictFiles ?? []).join(', ')}`, changed: false };
    return { ready: true, requeue: true };
  }
  if (phase === 'branch-missing') return { ready: true, requeue: true };
  return { ready: true, requeue: phase !== 'queued' };
}

/**
 * How long a pass waits before it takes a batch (0: take it now). With fewer requests waiting than a
 * batch takes, the Refinery gathers for up to `gatherMs` after the oldest of them arrived: requests
 * that come in meanwhile land in the same batch, with one gate run, one merge build and one ledger
 * write for all of them instead of one each. `created`: when each waiting request was made (ISO).
 * A request whose time cannot be read does not wait.
 */
export function gatherWait(created: readonly string[], now: number, size: number, gatherMs: number): number {
  if (gatherMs <= 0 || created.length === 0 || created.length >= Math.max(1, Math.floor(size))) return 0;
  const oldest = Math.min(...created.map((c) => Date.parse(c)));
  if (!Number.isFinite(oldest)) return 0;
  return Math.max(0, Math.min(gatherMs, oldest + gatherMs - now));
}

/**
 * How many ready requests the next batch takes: the configured size, or, when more are waiting, all
 * of them up to `max` (a long queue is drained in fewer, bigger batches: one gate run, one build and
 * one write per phase for the whole batch; a red batch is bisected, k culprits cost ~k·log2(n) runs).
 */
export function batchSizeFor(ready: number, size: number, max: number): number {
  const base = Math.max(1, Math.floor(size));
  if (ready <= base) return base;
  return Math.min(ready, Math.max(base, Math.floor(max)));
}
