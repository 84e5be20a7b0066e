// One restart policy for everything the town restarts: the Dolt server, the PTY host, agent
// sessions (the Witness), the supervisors themselves (Deacon, Boot) and the git runner. Pure: time and randomness
// are passed in, nothing here touches a process or a timer.
//
// Invariants:
//   - The n-th failure inside the window waits ceiling/2 + random·ceiling/2 (equal jitter), where
//     ceiling = min(maxMs, baseMs · 2^(n-1)): never zero after a failure, never above maxMs, and
//     many towns (or agents) restarting together drift apart.
//   - At most `cap` restarts inside `windowMs`: failure cap+1 gives up (decision 'give-up', reported
//     once, with the escalation text) and every later failure gives up silently until reset().
//   - A run that stayed up `stableMs` forgets the failures before it (the backoff starts over).
//   - Failures older than `windowMs` never count.

export interface RestartPolicyOptions {
  /** First delay's ceiling. */
  baseMs: number;
  /** Largest delay. */
  maxMs: number;
  /** Restarts allowed inside the window; the next failure gives up. */
  cap: number;
  windowMs: number;
  /** Up this long counts as healthy: earlier failures are forgotten. */
  stableMs: number;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number }
  | { action: 'give-up'; failures: number; escalate: boolean; message: string };

export interface RestartState {
  /** When each counted failure happened (inside the window). */
  failures: number[];
  /** When the current run started (null while down). */
  upSince: number | null;
  /** The cap was hit; no restart until reset(). */
  capped: boolean;
}

export const initialRestartState = (): RestartState => ({ failures: [], upSince: null, capped: false });

/** The delay before restart number `attempt` (1-based), with `random` in [0, 1). */
export function backoffDelay(attempt: number, o: Pick<RestartPolicyOptions, 'baseMs' | 'maxMs'>, random: number): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random * (ceiling / 2));
}

/** The thing came up (started, or a restart succeeded). */
export function markUp(s: RestartState, now: number): RestartState {
  return { ...s, upSince: now };
}

/** The thing failed (exited, crashed, a start failed): restart after a delay, or give up. */
export function markFailed(s: RestartState, now: number, o: RestartPolicyOptions, random: number, what = 'it'): { state: RestartState; decision: RestartDecision } {
  const stable = s.upSince !== null && now - s.upSince >= o.stableMs;
  const failures = [...(stable ? [] : s.failures.filter((t) => now - t < o.windowMs)), now];
  if (s.capped) return { state: { failures, upSince: null, capped: true }, decision: { action: 'give-up', failures: failures.length, escalate: false, message: `${what} is not restarted again (cap reached)` } };
  if (failures.length > o.cap) {
    const minutes = Math.round(o.windowMs / 60_000 * 10) / 10;
    return {
      state: { failures, upSince: null, capped: true },
      decision: { action: 'give-up', failures: failures.length, escalate: true, message: `${what} failed ${failures.length} times in ${minutes} minutes; not restarting again until someone resets it` },
    };
  }
  return { state: { failures, upSince: null, capped: false }, decision: { action: 'restart', delayMs: backoffDelay(failures.length, o, random), attempt: failures.length } };
}

/** A small stateful holder of the pure functions above, for components with one thing to restart. */
export class RestartPolicy {
  private s: RestartState = initialRestartState();

  constructor(
    readonly options: RestartPolicyOptions,
    private readonly what = 'it',
    private readonly random: () => number = Math.random,
    private readonly clock: () => number = Date.now,
  ) {}

  up(): void {
    this.s = markUp(this.s, this.clock());
  }

  failed(): RestartDecision {
    const r = markFailed(this.s, this.clock(), this.options, this.random(), this.what);
    this.s = r.state;
    return r.decision;
  }

  /** Failures counted inside the window (after the last stable run). */
  get failures(): number {
    return this.s.failures.length;
  }

  get capped(): boolean {
    return this.s.capped;
  }

  /** Someone looked (gt polecat reset, a manual restart): forget everything. */
  reset(): void {
    this.s = initialRestartState();
  }
}

/** Defaults per component, in one place. */
export const RESTART_POLICIES = {
  dolt: { baseMs: 250, maxMs: 15_000, cap: 5, windowMs: 10 * 60_000, stableMs: 60_000 },
  ptyHost: { baseMs: 200, maxMs: 10_000, cap: 10, windowMs: 10 * 60_000, stableMs: 30_000 },
  supervisor: { baseMs: 500, maxMs: 30_000, cap: 10, windowMs: 10 * 60_000, stableMs: 60_000 },
  /** While it is down git runs from the town's own process, so a restart need not hurry. */
  gitRunner: { baseMs: 1_000, maxMs: 60_000, cap: 5, windowMs: 10 * 60_000, stableMs: 60_000 },
} as const satisfies Record<string, RestartPolicyOptions>;
