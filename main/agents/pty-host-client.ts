// The Town's handle on the PTY host process: starts it, restarts it when it dies, and turns the
// message protocol (main/pty-host/protocol.ts) into promises and events.
//
// Invariant: `sessions` holds exactly the sessions alive in the current host as far as the host's
// messages have told: an id enters when its spawn's reply is handled (synchronously, in the same
// message handler, so an exit that follows the reply in the same read is applied after it), leaves
// with its 'exit' message, and the whole set empties when the host goes. Every session is spawned
// through this client, so `requireSession` answers from it with no round trip to the host.
//
// Events:
//   'data'     (consumer: string, id: string, data: Uint8Array)  output for one attached consumer
//   'exit'     (exit: TerminalExit, screen?: string)              a session ended (incl. host death);
//                                                                 screen: its last screen as text
//   'state'    (state: PtyHostState)                              starting / ready / restarting / stopped
//   'activity' ({ id, lastOutputAt, offset })                     throttled output activity
//   'flow'     (id: string, paused: boolean)                      a session paused/resumed by flow control
//   'log'      ({ level, message })                               host-side problems worth logging
//   'escalation' ({ message })                                    the restart cap was hit: no more restarts

import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TownError } from '../../preload/contract.ts';
import type { TerminalExit } from '../../preload/types.ts';
import { isFromHost, type FromHost, type HostRequest, type ReplyResult, type ScreenSnapshot, type SessionSummary, type SpawnRequest, type ToHost } from '../pty-host/protocol.ts';
import { killTreeSync, sweepSession } from '../pty-host/process-tree.ts';
import { hostEntry, PTY_HOST_NODE_FLAGS } from '../pty-host/host-bundle.ts';
import { scrubEnv } from './agent-env.ts';
import { RESTART_POLICIES, RestartPolicy } from '../lib/restart-policy.ts';

export interface HostProcess {
  readonly pid: number | undefined;
  postMessage(msg: unknown): void;
  on(ev: 'message', cb: (msg: unknown) => void): void;
  on(ev: 'exit', cb: (code: number | null) => void): void;
  kill(): void;
}

export interface PtyHostLauncher {
  launch(): HostProcess;
}

/** What the Town asks for; the id and title are filled in when absent (see SpawnRequest). */
export type SpawnOptions = Omit<SpawnRequest, 'id' | 'title'> & { id?: string; title?: string };

export interface SessionInfo {
  id: string;
  pid: number;
  cols: number;
  rows: number;
  title: string;
  /** Total bytes produced so far (attach from here to get only new output). */
  offset?: number;
  /** Paused by flow control right now. */
  paused?: boolean;
  /** Epoch ms of the last output. */
  lastOutputAt?: number;
}

export type PtyHostState = 'starting' | 'ready' | 'restarting' | 'stopped';

export interface ActivityEvent {
  id: string;
  lastOutputAt: number;
  offset: number;
}

/** Where the host's entry point lives, next to this repo's other main/ code. */
export const HOST_MAIN_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'pty-host', 'host-main.ts');

/** The tsx ESM loader, as an absolute URL so `--import` works from any cwd. */
export function tsxLoaderUrl(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return pathToFileURL(path.resolve(path.dirname(HOST_MAIN_PATH), '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  }
}

/** Headless launcher: a forked Node running the host's prebuilt bundle when it is fresh, else
 *  host-main.ts through tsx (main/pty-host/host-bundle.ts); bytes via 'advanced' IPC. */
export function nodeForkLauncher(): PtyHostLauncher {
  return {
    launch(): HostProcess {
      const sourceDir = path.dirname(HOST_MAIN_PATH);
      const entry = hostEntry(sourceDir, path.resolve(sourceDir, '..', '..', 'dist', 'pty-host', 'host-main.cjs'));
      const child = fork(entry.file, [], {
        execArgv: [...PTY_HOST_NODE_FLAGS, ...(entry.needsLoader ? ['--import', tsxLoaderUrl()] : [])],
        serialization: 'advanced',
        // The host needs nothing of ours; sessions get their env from buildAgentEnv anyway.
        env: scrubEnv(process.env),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      // A host that died mid-send (EPIPE) is not an error of ours: its 'exit' drives the restart.
      child.on('error', () => {});
      return {
        get pid() {
          return child.pid;
        },
        postMessage(msg: unknown) {
          if (child.connected) child.send(msg as object, () => {});
        },
        on(ev: 'message' | 'exit', cb: (arg: never) => void) {
          if (ev === 'message') child.on('message', cb as (m: unknown) => void);
          else child.on('exit', (code) => (cb as (c: number | null) => void)(code));
        },
        kill() {
          child.kill('SIGKILL');
        },
      } as HostProcess;
    },
  };
}

interface Pending {
  resolve(v: ReplyResult): void;
  reject(e: Error): void;
  /** Runs with a successful reply inside the message handler, before any later message. */
  settled?(v: ReplyResult): void;
}

// Generous: a loaded 2-core machine has taken over 20 s to start the host (a `gt up` failed on it).
// A host that cannot start exits: it is restarted, and past the restart cap the waiters fail at once.
const START_TIMEOUT_MS = 60_000;
const HEARTBEAT_MS = 1_000;
/** A host that answers no ping for this long is hung: kill it, which triggers the restart. */
const HEARTBEAT_DEAD_MS = 10_000;

export interface PtyHostEvents {
  data: [consumer: string, id: string, data: Uint8Array];
  exit: [exit: TerminalExit, screen?: string];
  state: [PtyHostState];
  activity: [ActivityEvent];
  flow: [id: string, paused: boolean];
  log: [{ level: string; message: string }];
  escalation: [{ message: string }];
}

export class PtyHostClient extends EventEmitter<PtyHostEvents> {
  private readonly transcriptDir: string;
  private readonly launcher: PtyHostLauncher;
  private proc: HostProcess | null = null;
  private hostPid: number | null = null;
  private _state: PtyHostState = 'stopped';
  private nextReq = 1;
  private readonly pending = new Map<number, Pending>();
  /** Sessions alive in the current host: reported as exited if the host dies. */
  private readonly sessions = new Map<string, SessionInfo>();
  /** Consumers that may be attached to a session (an attach or a spawn for them was sent, and no
   *  detach from all since): a consumer that never attached (every `gt` call's connection) is not
   *  detached through the host when it goes. */
  private readonly consumers = new Set<string>();
  private readyWaiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private lastPong = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  /** The town's one restart policy (main/lib/restart-policy.ts): jittered backoff, a cap per window. */
  private readonly restarts = new RestartPolicy(RESTART_POLICIES.ptyHost, 'the PTY host');
  private stopping = false;

  constructor(opts: { transcriptDir: string; launcher?: PtyHostLauncher }) {
    super();
    this.transcriptDir = path.resolve(opts.transcriptDir);
    this.launcher = opts.launcher ?? nodeForkLauncher();
  }

  get pid(): number | null {
    return this.hostPid;
  }

  get state(): PtyHostState {
    return this._state;
  }

  async start(): Promise<void> {
    if (this._state === 'ready') return;
    if (this._state === 'starting' || this._state === 'restarting') return this.whenReady();
    this.stopping = false;
    this.restarts.reset();
    mkdirSync(this.transcriptDir, { recursive: true });
    this.setState('starting');
    this.launch();
    await this.whenReady();
  }

  /** Kills every session's whole process tree and the host. Leaves no process behind. */
  async stop(): Promise<void> {
    if (this._state === 'stopped' && !this.proc) return;
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const proc = this.proc;
    if (proc) {
      const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
      if (this._state === 'ready') {
        await Promise.race([this.request({ t: 'shutdown', req: 0 }).catch(() => null), delay(8_000)]);
      }
      proc.kill();
      await Promise.race([exited, delay(5_000)]);
    }
    this.onHostGone('pty host stopped');
    this.setState('stopped');
  }

  async spawn(opts: SpawnOptions): Promise<SessionInfo> {
    const id = opts.id ?? `t-${randomBytes(6).toString('hex')}`;
    if (!opts.command) throw new TownError('invalid', 'spawn: command is required');
    await this.whenReady();
    if (opts.consumer) this.consumers.add(opts.consumer);
    const summary = (await this.request({
      t: 'spawn',
      req: 0,
      spawn: {
        id,
        command: opts.command,
        args: opts.args ?? [],
        cwd: opts.cwd,
        // Defence in depth: whoever built the env, these never reach a session.
        env: scrubEnv(opts.env),
        cols: opts.cols,
        rows: opts.rows,
        title: opts.title ?? path.basename(opts.command),
        ...(opts.consumer ? { consumer: opts.consumer } : {}),
      },
    }, (result) => this.sessions.set(id, toInfo(result as SessionSummary)))) as SessionSummary;
    return this.sessions.get(id) ?? toInfo(summary);
  }

  /** Throws not_found unless `id` is a session alive in the current host (unavailable when the host
   *  is stopped). Answered from the client's own record of spawns and exits: no round trip, so it
   *  can sit on every key's path. */
  requireSession(id: string): void {
    if (this._state === 'stopped') throw new TownError('unavailable', 'pty host is not running');
    if (!this.sessions.has(id)) throw new TownError('not_found', `no terminal ${id}`);
  }

  write(id: string, data: string | Uint8Array): void {
    this.send({ t: 'write', id, data });
  }

  resize(id: string, cols: number, rows: number): void {
    const s = this.sessions.get(id);
    if (s) {
      s.cols = cols;
      s.rows = rows;
    }
    this.send({ t: 'resize', id, cols, rows });
  }

  /** Signals the session's whole process tree (default SIGTERM, then SIGKILL after a grace). */
  async kill(id: string, signal = 'SIGTERM'): Promise<void> {
    await this.whenReady();
    await this.request({ t: 'kill', req: 0, id, signal });
  }

  async list(): Promise<SessionInfo[]> {
    await this.whenReady();
    return ((await this.request({ t: 'list', req: 0 })) as SessionSummary[]).map(toInfo);
  }

  async snapshot(id: string): Promise<ScreenSnapshot> {
    await this.whenReady();
    return (await this.request({ t: 'snapshot', req: 0, id })) as ScreenSnapshot;
  }

  /** Replays the session's recent output (from `fromOffset` if still held) to `consumer`, then streams live. */
  async attach(consumer: string, id: string, fromOffset?: number): Promise<{ replayed: number; offset: number }> {
    await this.whenReady();
    this.consumers.add(consumer);
    return (await this.request({ t: 'attach', req: 0, consumer, id, fromOffset: fromOffset ?? null })) as { replayed: number; offset: number };
  }

  /** The consumer has rendered `bytes` more bytes of this session (flow control). */
  ack(consumer: string, id: string, bytes: number): void {
    if (bytes > 0) this.send({ t: 'ack', consumer, id, bytes });
  }

  /** Stops streaming to `consumer` (from one session, or from all when id is omitted; nothing to
   *  send for a consumer that never attached). */
  detach(consumer: string, id?: string): void {
    if (id === undefined && !this.consumers.delete(consumer)) return;
    this.send({ t: 'detach', consumer, id: id ?? null });
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  private setState(s: PtyHostState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('state', s);
  }

  private whenReady(): Promise<void> {
    if (this._state === 'ready') return Promise.resolve();
    if (this._state === 'stopped') return Promise.reject(new TownError('unavailable', 'pty host is not running'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        reject(new TownError('unavailable', 'pty host did not become ready'));
      }, START_TIMEOUT_MS);
      this.readyWaiters.push(waiter);
    });
  }

  private send(msg: ToHost): void {
    if (this._state === 'ready' && this.proc) this.proc.postMessage(msg);
  }

  private request(msg: HostRequest, settled?: (v: ReplyResult) => void): Promise<ReplyResult> {
    const proc = this.proc;
    if (!proc || this._state !== 'ready') return Promise.reject(new TownError('unavailable', 'pty host is not running'));
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject, ...(settled ? { settled } : {}) });
      proc.postMessage({ ...msg, req });
    });
  }

  private launch(): void {
    let proc: HostProcess;
    try {
      proc = this.launcher.launch();
    } catch (err) {
      this.emit('log', { level: 'error', message: `pty host failed to launch: ${(err as Error).message}` });
      this.scheduleRestart();
      return;
    }
    this.proc = proc;
    this.hostPid = proc.pid ?? null;
    proc.on('message', (m) => {
      if (this.proc === proc && isFromHost(m)) this.onMessage(m);
    });
    proc.on('exit', (code) => {
      if (this.proc !== proc) return;
      this.proc = null;
      this.hostPid = null;
      this.stopHeartbeat();
      if (this.stopping) return;
      this.emit('log', { level: 'error', message: `pty host exited unexpectedly (code ${code})` });
      this.onHostGone('pty host died');
      this.setState('restarting');
      this.scheduleRestart();
    });
    proc.postMessage({ t: 'init', transcriptDir: this.transcriptDir } satisfies ToHost);
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    const decision = this.restarts.failed();
    if (decision.action === 'give-up') {
      if (decision.escalate) this.emit('escalation', { message: decision.message });
      for (const w of this.readyWaiters.splice(0)) w.reject(new TownError('unavailable', decision.message));
      this.setState('stopped');
      return;
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.launch();
    }, decision.delayMs);
  }

  /** The host is gone (died or stopped): fail what waited on it, report and reap its sessions. */
  private onHostGone(reason: string): void {
    for (const p of this.pending.values()) p.reject(new TownError('unavailable', reason));
    this.pending.clear();
    for (const s of this.sessions.values()) {
      // The PTY closed with the host; a job that ignored SIGHUP would otherwise live on.
      killTreeSync(s.pid);
      sweepSession(s.pid);
      const exit: TerminalExit = { id: s.id, exitCode: null, signal: null, reason };
      this.emit('exit', exit);
    }
    this.sessions.clear();
    if (this.stopping) for (const w of this.readyWaiters.splice(0)) w.reject(new TownError('unavailable', reason));
  }

  private onMessage(m: FromHost): void {
    switch (m.t) {
      case 'data':
        for (const consumer of m.to) this.emit('data', consumer, m.id, m.data);
        return;
      case 'reply': {
        const p = this.pending.get(m.req);
        if (!p) return;
        this.pending.delete(m.req);
        if (m.ok) {
          p.settled?.(m.result);
          p.resolve(m.result);
        }
        else p.reject(TownError.from(m.error));
        return;
      }
      case 'exit': {
        this.sessions.delete(m.id);
        const exit: TerminalExit = { id: m.id, exitCode: m.exitCode, signal: m.signal, reason: m.reason };
        this.emit('exit', exit, m.screen);
        return;
      }
      case 'activity':
        this.emit('activity', { id: m.id, lastOutputAt: m.lastOutputAt, offset: m.offset } satisfies ActivityEvent);
        return;
      case 'flow':
        this.emit('flow', m.id, m.paused);
        return;
      case 'ready':
        this.hostPid = m.pid;
        this.restarts.up();
        this.setState('ready');
        this.startHeartbeat();
        for (const w of this.readyWaiters.splice(0)) w.resolve();
        return;
      case 'log':
        this.emit('log', { level: m.level, message: m.message });
        return;
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.lastPong = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastPong > HEARTBEAT_DEAD_MS) {
        this.emit('log', { level: 'error', message: 'pty host stopped answering; killing it' });
        this.proc?.kill();
        return;
      }
      this.request({ t: 'ping', req: 0 }).then(
        () => (this.lastPong = Date.now()),
        () => {},
      );
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

function toInfo(s: SessionSummary): SessionInfo {
  return { id: s.id, pid: s.pid, cols: s.cols, rows: s.rows, title: s.title, offset: s.offset, paused: s.paused, lastOutputAt: s.lastOutputAt };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
