// The town's side of native/git-runner.c: git runs (and the Refinery's gates, main/refinery/gate-runner.ts)
// started by a small long-lived process, so the town's own (large) process never forks. A fork
// copies the parent's page tables: from a town of ~200 MB, each git run cost it ~2.5 ms of CPU, and
// a bead takes ~17 (docs/performance.md, "Tenth pass").
//
// Invariants:
// - Every run gets one result: the runner's answer, or — if the runner dies while it runs — a
//   failure that says so (`lost`; the run is not repeated: git may have done its work). A run that
//   asked for it (onStart) is told its pid as soon as it started, before its result.
// - The runner is used only when built and newer than its source (as bin/gt treats gt-client);
//   otherwise, while it is down and restarting (the town's one restart policy), or once it has
//   given up, runs go through execFile exactly as before. `GT_GIT_RUNNER=0` turns it off.
// - A run sees the environment it was given: the runner starts with one, and each run sends what
//   differs from it (set or unset). `run` takes a whole environment (a gate's); `runWithExtra` takes
//   only what a run adds to the runner's own (runGit's identity variables), so no caller copies the
//   whole of process.env per run (~30 µs each; a busy town runs git ~10 times a bead).
// - The runner keeps the town alive only while a run is in flight (its pipes are unref'd when idle).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpackedPath } from '../lib/unpacked-path.ts';
import { RESTART_POLICIES, RestartPolicy } from '../lib/restart-policy.ts';

export interface RunnerResult {
  /** git's exit code; null when it was killed or never started. */
  code: number | null;
  signal: string | null;
  /** Why git could not be started (an errno name), or null. */
  spawnError: string | null;
  timedOut: boolean;
  overLimit: boolean;
  /** An output went over the run's tail cap (RunOptions.tailBytes): only its last bytes are here. */
  truncated: boolean;
  /** The runner died while this ran (why, as in stderr): the outcome is unknown. */
  lost: string | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** What a run may ask for beyond argv, environment and timeout (git runs need none of it; gates do). */
export interface RunOptions {
  /** Its working folder (absent: the runner's own). */
  cwd?: string;
  /** Its own process group: at the timeout the whole group is killed (SIGKILL), and what is left of
   *  the group when the child exits is killed too. */
  ownGroup?: boolean;
  /** Keep each output's last this many bytes and never kill for output volume (absent: a run is
   *  killed when an output goes over 64 MiB, overLimit). */
  tailBytes?: number;
  /** stderr into the stdout pipe: one output, in write order (stderr comes back empty). */
  mergeOutput?: boolean;
  /** Called with the child's pid (its group's id with ownGroup) as soon as it started. */
  onStart?: (pid: number) => void;
  /** What runs, for the message if the runner dies under it (default: "git <subcommand>"). */
  what?: string;
}

/** Run flags of a request (native/git-runner.c's RUN_*). */
export const RUN_FLAGS = { group: 1, tail: 2, merged: 4, notify: 8 } as const;
/** Answer flags (its ANS_*). */
const ANS = { timedOut: 1, overLimit: 2, started: 4, truncated: 8 } as const;

const ROOT = unpackedPath(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'));
export const GIT_RUNNER_SOURCE = path.join(ROOT, 'native', 'git-runner.c');
export const GIT_RUNNER_BINARY = path.join(ROOT, 'native', 'build', 'git-runner');

/** The runner's binary when it is built and newer than its source (a packaged app ships both). */
export function builtRunner(binary = GIT_RUNNER_BINARY, source = GIT_RUNNER_SOURCE): string | null {
  try {
    const built = statSync(binary).mtimeMs;
    return !existsSync(source) || built > statSync(source).mtimeMs ? binary : null;
  } catch {
    return null;
  }
}

/** errno numbers the runner may report from posix_spawn, by name (Linux and macOS share these). */
const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 7: 'E2BIG', 8: 'ENOEXEC', 12: 'ENOMEM', 13: 'EACCES', 20: 'ENOTDIR', 24: 'EMFILE' };
const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/** git's subcommand in its arguments (after options such as `-C dir` and `-c name=value`). */
export function gitSubcommand(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-C' || args[i] === '-c') i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return args[0] ?? '';
}

/** What turns environment `from` into `from` plus `extra`: "NAME=value" for each variable it sets anew. */
export function extraChanges(from: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>> | undefined): string[] {
  const changes: string[] = [];
  if (extra) for (const [k, v] of Object.entries(extra)) if (from[k] !== v) changes.push(`${k}=${v}`);
  return changes;
}

/** What turns environment `from` into `to`: "NAME=value" to set, "NAME" to unset. */
export function environmentChanges(from: NodeJS.ProcessEnv, to: NodeJS.ProcessEnv): string[] {
  const changes: string[] = [];
  for (const [k, v] of Object.entries(to)) if (v !== undefined && from[k] !== v) changes.push(`${k}=${v}`);
  for (const [k, v] of Object.entries(from)) if (v !== undefined && to[k] === undefined) changes.push(k);
  return changes;
}

const U32_MAX = 0xffffffff;

/** One request frame: length, id, timeout, run flags, output cap, argc, envc, then the
 *  NUL-terminated strings (the working folder, "" for the runner's; argv; environment changes). */
export function encodeRequest(
  id: number, timeoutMs: number, argv: string[], envChanges: string[],
  run: { flags?: number; cap?: number; cwd?: string } = {},
): Buffer {
  const strings = [run.cwd ?? '', ...argv, ...envChanges].map((s) => {
    if (s.includes('\0')) throw new Error('git-runner: an argument, folder or environment value holds a NUL byte');
    return Buffer.from(`${s}\0`, 'utf8');
  });
  const head = Buffer.alloc(28);
  const body = strings.reduce((n, s) => n + s.length, 0);
  head.writeUInt32LE(24 + body, 0);
  head.writeUInt32LE(id, 4);
  head.writeUInt32LE(Math.min(U32_MAX, Math.max(0, Math.round(timeoutMs))), 8);
  head.writeUInt32LE(run.flags ?? 0, 12);
  head.writeUInt32LE(Math.min(U32_MAX, Math.max(0, Math.round(run.cap ?? 0))), 16);
  head.writeUInt32LE(argv.length, 20);
  head.writeUInt32LE(envChanges.length, 24);
  return Buffer.concat([head, ...strings]);
}

/** One frame from the runner: a run's result, or the notice that it started (with its pid). */
export type RunnerFrame = { id: number; result: RunnerResult } | { id: number; started: number };

/** Splits the runner's output into answers; keeps a partial frame for the next chunk. */
export class ResponseReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RunnerFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: RunnerFrame[] = [];
    let at = 0;
    while (this.pending.length - at >= 4) {
      const len = this.pending.readUInt32LE(at);
      if (this.pending.length - at - 4 < len) break;
      const f = at + 4;
      const code = this.pending.readInt32LE(f + 4);
      const signal = this.pending.readInt32LE(f + 8);
      const spawnErrno = this.pending.readInt32LE(f + 12);
      const flags = this.pending.readUInt32LE(f + 16);
      const outLen = this.pending.readUInt32LE(f + 20);
      const errLen = this.pending.readUInt32LE(f + 24);
      const outStart = f + 28;
      if (flags & ANS.started) out.push({ id: this.pending.readUInt32LE(f), started: code });
      else out.push({
        id: this.pending.readUInt32LE(f),
        result: {
          code: code < 0 ? null : code,
          signal: signal ? (SIGNAL_NAMES[signal] ?? `signal ${signal}`) : null,
          spawnError: spawnErrno ? (ERRNO_NAMES[spawnErrno] ?? `errno ${spawnErrno}`) : null,
          timedOut: (flags & ANS.timedOut) !== 0,
          overLimit: (flags & ANS.overLimit) !== 0,
          truncated: (flags & ANS.truncated) !== 0,
          lost: null,
          stdout: this.pending.subarray(outStart, outStart + outLen),
          stderr: this.pending.subarray(outStart + outLen, outStart + outLen + errLen),
        },
      });
      at = f + len;
    }
    this.pending = at ? Buffer.from(this.pending.subarray(at)) : this.pending;
    return out;
  }
}

interface Waiting {
  /** What runs ("git <subcommand>", "the gate"), for the message when the runner dies under it. */
  what: string;
  onStart?: (pid: number) => void;
  resolve: (r: RunnerResult) => void;
}

/** One runner process and its runs in flight. `run` returns null when the runner is not available
 *  (not built, off, restarting or given up): the caller then runs git itself. */
export class GitRunner {
  private child: ChildProcess | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private reader = new ResponseReader();
  private readonly restarts = new RestartPolicy(RESTART_POLICIES.gitRunner, 'the git runner');
  private downUntil = 0;
  private gaveUp = false;
  private closed = false;

  constructor(
    private readonly binary: string | null,
    /** The environment the runner starts with (runs send what differs from it). */
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The runner's pid while it runs (for the benches' CPU accounting). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Runs `argv` (argv[0] looked up on PATH) with environment `env`, killed after `timeoutMs` (0: never). */
  run(argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number, opts: RunOptions = {}): Promise<RunnerResult> | null {
    return this.send(argv, environmentChanges(this.env, env), timeoutMs, opts);
  }

  /** As run, in the runner's own environment plus `extra`. */
  runWithExtra(argv: string[], extra: Readonly<Record<string, string>> | undefined, timeoutMs: number, opts: RunOptions = {}): Promise<RunnerResult> | null {
    return this.send(argv, extraChanges(this.env, extra), timeoutMs, opts);
  }

  private send(argv: string[], envChanges: string[], timeoutMs: number, opts: RunOptions): Promise<RunnerResult> | null {
    const child = this.closed ? null : this.ensureChild();
    if (!child) return null;
    const id = this.nextId;
    this.nextId = this.nextId >= 0xfffffff0 ? 1 : this.nextId + 1;
    const flags = (opts.ownGroup ? RUN_FLAGS.group : 0) | (opts.tailBytes ? RUN_FLAGS.tail : 0)
      | (opts.mergeOutput ? RUN_FLAGS.merged : 0) | (opts.onStart ? RUN_FLAGS.notify : 0);
    const frame = encodeRequest(id, timeoutMs, argv, envChanges, { flags, cap: opts.tailBytes, cwd: opts.cwd });
    return new Promise((resolve) => {
      if (this.waiting.size === 0) this.hold(child, true);
      this.waiting.set(id, { what: opts.what ?? `git ${gitSubcommand(argv.slice(1))}`, onStart: opts.onStart, resolve });
      child.stdin!.write(frame);
    });
  }

  /** Stops the runner (its runs in flight still finish: it exits once they have); later runs are the
   *  caller's (run returns null). */
  close(): void {
    this.closed = true;
    this.child?.stdin?.end();
  }

  private ensureChild(): ChildProcess | null {
    if (this.child) return this.child;
    if (!this.binary || this.gaveUp || Date.now() < this.downUntil) return null;
    const child = spawn(this.binary, [], { stdio: ['pipe', 'pipe', 'inherit'], env: this.env });
    this.child = child;
    this.reader = new ResponseReader();
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) {
        if ('started' in frame) this.waiting.get(frame.id)?.onStart?.(frame.started);
        else this.answer(frame.id, frame.result);
      }
    });
    child.stdin!.on('error', () => undefined); // EPIPE when it died: 'close' below answers the runs
    child.on('error', () => this.down(child, 'could not start'));
    // 'close', not 'exit': it comes after every answer the runner wrote has been read.
    child.on('close', (code, signal) => this.down(child, signal ? `killed by ${signal}` : `exited with ${code}`));
    this.restarts.up();
    this.hold(child, false);
    return child;
  }

  private answer(id: number, result: RunnerResult): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0 && this.child) this.hold(this.child, false);
    w.resolve(result);
  }

  /** The runner is gone: its runs in flight fail with the reason; unless it was closed, it restarts
   *  after the policy's delay. */
  private down(child: ChildProcess, why: string): void {
    if (this.child !== child) return;
    this.child = null;
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      const lost = `the git runner ${why} while ${w.what} ran; its outcome is unknown`;
      w.resolve({
        code: null, signal: null, spawnError: null, timedOut: false, overLimit: false, truncated: false, lost,
        stdout: Buffer.alloc(0), stderr: Buffer.from(lost),
      });
    }
    if (this.closed) return;
    const decision = this.restarts.failed();
    if (decision.action === 'restart') this.downUntil = Date.now() + decision.delayMs;
    else {
      this.gaveUp = true;
      if (decision.escalate) process.stderr.write(`gt: ${decision.message}; git now runs from the town's own process\n`);
    }
  }

  /** Whether the runner's pipes keep the town's event loop alive (only while runs are in flight). */
  private hold(child: ChildProcess, on: boolean): void {
    const handles = [child, child.stdout, child.stdin] as Array<{ ref?: () => void; unref?: () => void } | null>;
    for (const h of handles) (on ? h?.ref : h?.unref)?.call(h);
  }
}
