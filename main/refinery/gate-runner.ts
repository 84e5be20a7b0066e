// Runs a rig's gate command in the refinery worktree, in its own process group, with a timeout.
// On timeout (or abort) the WHOLE group is killed: a test runner's workers must not outlive it.
// When the gate's shell exits, any background process it left behind is killed too, so a stray
// child holding stdout open cannot make a finished gate look hung.
//
// The gate is started by the town's git runner (main/git/git-runner.ts, native/git-runner.c: a
// small process that posix_spawns, so the town's large process never forks for a gate) when it is
// available; otherwise — not built, GT_GIT_RUNNER=0, restarting, given up — by node's spawn from the
// town's own process, as before. Both paths give the same GateResult for the same gate:
// - one function decides the outcome from what happened (gateOutcome: exit code, timed out,
//   aborted, could not start, runner lost), and one keeps the output's tail (tailText);
// - the gate's group id goes to onStart as soon as it started (recorded for crash recovery);
// - output is the last OUTPUT_CAP characters with a marker when more was dropped, never a reason
//   to kill the gate;
// - through the runner, stdout and stderr share one pipe (interleaved in write order); a runner
//   that dies under a gate kills the gate's group and answers 'unavailable' saying so (the gate is
//   not repeated here: the refinery's pass treats 'unavailable' as "try again later").

import { spawn } from 'node:child_process';
import type { GitRunner } from '../git/git-runner.ts';
import { sharedRunner } from '../git/run-git.ts';
import type { GateConfig, GateResult } from './types.ts';

const OUTPUT_CAP = 64 * 1024;
/** What the runner keeps of the output, in bytes: OUTPUT_CAP characters are at most 4 bytes each. */
const RUNNER_TAIL_BYTES = 4 * OUTPUT_CAP;
const TRUNCATED = '[…output truncated…]\n';

export interface GateRunOptions {
  cwd: string;
  signal?: AbortSignal;
  /** Extra environment (e.g. the marker used to find a gate orphaned by a crash). */
  env?: Record<string, string>;
  /** Called with the group id once the gate started (to record it for crash recovery). */
  onStart?: (pgid: number) => void;
  /** The runner to start it with (default: the town's one; null: node's spawn). For tests. */
  runner?: GitRunner | null;
}

/** How a gate's run ended, whichever way it was started. */
export interface GateExit {
  /** The shell's exit code; null when it was killed or never started. */
  code: number | null;
  timedOut: boolean;
  aborted: boolean;
  /** Why it could not be started ("spawn sh ENOENT"), or null. */
  spawnError: string | null;
  /** The runner died while the gate ran (why), or null. */
  lost?: string | null;
}

/** The gate's outcome, its exit code and the note appended to its output. Pure. */
export function gateOutcome(e: GateExit, gate: GateConfig): { outcome: GateResult['outcome']; exitCode: number | null; note: string } {
  if (e.spawnError) return { outcome: 'unavailable', exitCode: null, note: `\n[gate could not start: ${e.spawnError}]` };
  if (e.aborted) return { outcome: 'aborted', exitCode: e.code, note: '\n[gate aborted: the refinery is stopping]' };
  if (e.timedOut) return { outcome: 'timeout', exitCode: e.code, note: `\n[gate timed out after ${gate.timeoutMs} ms; its process group was killed]` };
  if (e.lost) return { outcome: 'unavailable', exitCode: null, note: `\n[${e.lost}; its process group was killed]` };
  // sh reports 127 (not found) / 126 (not executable) for a gate that cannot run at all:
  // a rig misconfiguration, not the fault of the requests being tested.
  if (e.code === 127 || e.code === 126) return { outcome: 'unavailable', exitCode: e.code, note: `\n[gate command cannot run (exit ${e.code}): ${gate.command}]` };
  return { outcome: e.code === 0 ? 'pass' : 'fail', exitCode: e.code, note: '' };
}

/** The last OUTPUT_CAP characters of `text`, marked when anything before them was dropped
 *  (`dropped`: some was dropped already). Pure. */
export function tailText(text: string, dropped: boolean): string {
  const t = text.length > OUTPUT_CAP ? text.slice(-OUTPUT_CAP) : text;
  return dropped || text.length > OUTPUT_CAP ? `${TRUNCATED}${t}` : t;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Keeps the last OUTPUT_CAP characters: a failing test's summary is at the end. */
class Tail {
  private text = '';
  private dropped = false;
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > OUTPUT_CAP * 2) {
      this.text = this.text.slice(-OUTPUT_CAP);
      this.dropped = true;
    }
  }
  toString(): string {
    return tailText(this.text, this.dropped);
  }
}

export function runGate(gate: GateConfig, opts: GateRunOptions): Promise<GateResult> {
  const started = Date.now();
  const env = { ...process.env, ...opts.env };
  const runner = opts.runner === undefined ? sharedRunner() : opts.runner;
  return viaRunner(runner, gate, opts, env, started) ?? viaSpawn(gate, opts, env, started);
}

/** The gate through the runner; null when the runner is not available (the caller spawns it). */
function viaRunner(runner: GitRunner | null, gate: GateConfig, opts: GateRunOptions, env: NodeJS.ProcessEnv, started: number): Promise<GateResult> | null {
  let pgid = 0;
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    if (pgid) killGroup(pgid);
  };
  const run = runner?.run(['sh', '-c', gate.command], env, Math.max(1, gate.timeoutMs), {
    cwd: opts.cwd,
    ownGroup: true,
    mergeOutput: true,
    tailBytes: RUNNER_TAIL_BYTES,
    what: 'the gate',
    onStart: (pid) => {
      pgid = pid;
      opts.onStart?.(pid);
      if (aborted) killGroup(pid);
    },
  });
  if (!run) return null;
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return run.then((r) => {
    opts.signal?.removeEventListener('abort', onAbort);
    // The runner died under the gate: its group lives on, orphaned; nobody will read its result.
    if (r.lost && pgid) killGroup(pgid);
    const { outcome, exitCode, note } = gateOutcome(
      { code: r.code, timedOut: r.timedOut, aborted, spawnError: r.spawnError ? `spawn sh ${r.spawnError}` : null, lost: r.lost },
      gate,
    );
    const output = tailText(r.stdout.toString('utf8') + r.stderr.toString('utf8'), r.truncated);
    return { outcome, exitCode, output: output + note, durationMs: Date.now() - started };
  });
}

/** The gate through node's spawn from the town's own process (a fork of it). */
function viaSpawn(gate: GateConfig, opts: GateRunOptions, env: NodeJS.ProcessEnv, started: number): Promise<GateResult> {
  return new Promise((resolve) => {
    const out = new Tail();
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const child = spawn('sh', ['-c', gate.command], {
      cwd: opts.cwd,
      detached: true, // own process group: killable as a whole
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    const finish = (e: Omit<GateExit, 'timedOut' | 'aborted'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const { outcome, exitCode, note } = gateOutcome({ ...e, timedOut, aborted }, gate);
      resolve({ outcome, exitCode, output: out.toString() + note, durationMs: Date.now() - started });
    };
    const onAbort = (): void => {
      aborted = true;
      if (child.pid) killGroup(child.pid);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) killGroup(child.pid);
    }, Math.max(1, gate.timeoutMs));
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.on('spawn', () => child.pid && opts.onStart?.(child.pid));
    child.on('error', (err) => finish({ code: null, spawnError: err.message }));
    child.on('exit', (code) => {
      // Reap leftovers of the group, then wait for the pipes to drain ('close').
      if (child.pid) killGroup(child.pid);
      child.once('close', () => finish({ code, spawnError: null }));
    });
  });
}
