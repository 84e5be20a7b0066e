// Runs a rig's gate command in the refinery worktree, in its own process group, with a timeout.
// On timeout (or abort) the WHOLE group is killed: a test runner's workers must not outlive it.
// When the gate's shell exits, any background process it left behind is killed too, so a stray
// child holding stdout open cannot make a finished gate look hung.

import { spawn } from 'node:child_process';
import type { GateConfig, GateResult } from './types.ts';

const OUTPUT_CAP = 64 * 1024;

export interface GateRunOptions {
  cwd: string;
  signal?: AbortSignal;
  /** Extra environment (e.g. the marker used to find a gate orphaned by a crash). */
  env?: Record<string, string>;
  /** Called with the group id once the gate started (to record it for crash recovery). */
  onStart?: (pgid: number) => void;
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
    const t = this.text.length > OUTPUT_CAP ? this.text.slice(-OUTPUT_CAP) : this.text;
    return this.dropped || this.text.length > OUTPUT_CAP ? `[…output truncated…]\n${t}` : t;
  }
}

export function runGate(gate: GateConfig, opts: GateRunOptions): Promise<GateResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const out = new Tail();
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const child = spawn('sh', ['-c', gate.command], {
      cwd: opts.cwd,
      detached: true, // own process group: killable as a whole
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    const finish = (r: Omit<GateResult, 'durationMs' | 'output'>, extra = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, output: out.toString() + extra, durationMs: Date.now() - started });
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
    child.on('error', (err) => finish({ outcome: 'unavailable', exitCode: null }, `\n[gate could not start: ${err.message}]`));
    child.on('exit', (code) => {
      // Reap leftovers of the group, then wait for the pipes to drain ('close').
      if (child.pid) killGroup(child.pid);
      child.once('close', () => {
        if (aborted) return finish({ outcome: 'aborted', exitCode: code }, '\n[gate aborted: the refinery is stopping]');
        if (timedOut) return finish({ outcome: 'timeout', exitCode: code }, `\n[gate timed out after ${gate.timeoutMs} ms; its process group was killed]`);
        // sh reports 127 (not found) / 126 (not executable) for a gate that cannot run at all:
        // a rig misconfiguration, not the fault of the requests being tested.
        if (code === 127 || code === 126) return finish({ outcome: 'unavailable', exitCode: code }, `\n[gate command cannot run (exit ${code}): ${gate.command}]`);
        finish({ outcome: code === 0 ? 'pass' : 'fail', exitCode: code });
      });
    });
  });
}
