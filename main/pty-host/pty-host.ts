// The PTY host's dispatcher: owns every session, answers requests, routes commands. Transport-
// agnostic: host-main.ts wires it to process.send (child_process.fork) or to Electron's parentPort.

import { statSync, accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { PtySession } from './session.ts';
import { ScreenReads } from './screen-reads.ts';
import { killTreeSync } from './process-tree.ts';
import { PROTOCOL_VERSION, type FromHost, type ReplyResult, type SpawnRequest, type ToHost } from './protocol.ts';

const SIGNALS = new Set(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGSTOP', 'SIGCONT']);

class HostError extends Error {
  constructor(
    readonly code: 'invalid' | 'not_found' | 'conflict' | 'internal',
    message: string,
  ) {
    super(message);
  }
}

export class PtyHost {
  private readonly sessions = new Map<string, PtySession>();
  /** Every session's screen reads, one at a time, each after the event loop polled for I/O. */
  private readonly screenReads = new ScreenReads((fn) => setImmediate(fn));

  constructor(
    private readonly post: (msg: FromHost) => void,
    private readonly transcriptDir: string,
  ) {}

  ready(): void {
    this.post({ t: 'ready', version: PROTOCOL_VERSION, pid: process.pid });
  }

  handle(msg: ToHost): void {
    try {
      switch (msg.t) {
        case 'write':
          this.sessions.get(msg.id)?.write(msg.data);
          return;
        case 'resize':
          if (validSize(msg.cols, msg.rows)) this.sessions.get(msg.id)?.resize(msg.cols, msg.rows);
          return;
        case 'ack':
          this.sessions.get(msg.id)?.ack(msg.consumer, msg.bytes);
          return;
        case 'init':
          return;
        case 'detach':
          if (msg.id === null) for (const s of this.sessions.values()) s.detach(msg.consumer);
          else this.sessions.get(msg.id)?.detach(msg.consumer);
          return;
        default:
          void this.answer(msg.req, () => this.request(msg));
      }
    } catch (err) {
      this.post({ t: 'log', level: 'error', message: `pty host: ${(err as Error).message}` });
    }
  }

  private async answer(req: number, fn: () => Promise<ReplyResult> | ReplyResult): Promise<void> {
    try {
      this.post({ t: 'reply', req, ok: true, result: await fn() });
    } catch (err) {
      const code = err instanceof HostError ? err.code : 'internal';
      this.post({ t: 'reply', req, ok: false, error: { code, message: (err as Error).message } });
    }
  }

  private async request(msg: Exclude<ToHost, { t: 'write' | 'resize' | 'ack' | 'detach' | 'init' }>): Promise<ReplyResult> {
    switch (msg.t) {
      case 'spawn':
        return this.spawn(msg.spawn);
      case 'kill': {
        if (!SIGNALS.has(msg.signal)) throw new HostError('invalid', `unknown signal: ${msg.signal}`);
        await this.get(msg.id).kill(msg.signal as NodeJS.Signals);
        return null;
      }
      case 'list':
        return [...this.sessions.values()].map((s) => s.summary());
      case 'snapshot':
        return this.get(msg.id).snapshot();
      case 'attach':
        return this.get(msg.id).attach(msg.consumer, msg.fromOffset);
      case 'ping':
        return { pong: Date.now() };
      case 'shutdown':
        await this.shutdown();
        return null;
    }
  }

  private get(id: string): PtySession {
    const s = this.sessions.get(id);
    if (!s) throw new HostError('not_found', `no terminal session ${JSON.stringify(id)}`);
    return s;
  }

  private spawn(spec: SpawnRequest) {
    if (this.sessions.has(spec.id)) throw new HostError('conflict', `terminal session ${JSON.stringify(spec.id)} already exists`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(spec.id)) throw new HostError('invalid', `bad terminal session id ${JSON.stringify(spec.id)}`);
    if (!validSize(spec.cols, spec.rows)) throw new HostError('invalid', `bad terminal size ${spec.cols}x${spec.rows}`);
    let isDir = false;
    try {
      isDir = statSync(spec.cwd).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) throw new HostError('invalid', `working directory does not exist: ${spec.cwd}`);
    if (!resolveCommand(spec.command, spec.env.PATH ?? '', spec.cwd)) throw new HostError('invalid', `command not found: ${spec.command}`);
    const session = new PtySession(spec, {
      post: this.post,
      screenReads: this.screenReads,
      transcriptDir: this.transcriptDir,
      onGone: (id) => this.sessions.delete(id),
    });
    this.sessions.set(spec.id, session);
    return session.summary();
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.dispose()));
  }

  /** Last resort from a process 'exit' handler: nothing may be awaited there. */
  killAllSync(): void {
    for (const s of this.sessions.values()) killTreeSync(s.pid);
  }
}

function validSize(cols: number, rows: number): boolean {
  return Number.isInteger(cols) && Number.isInteger(rows) && cols >= 2 && cols <= 1000 && rows >= 1 && rows <= 500;
}

/** node-pty forks before exec, so a missing command would only show as an odd exit: check first. */
function resolveCommand(command: string, pathVar: string, cwd: string): string | null {
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : pathVar.split(path.delimiter).filter(Boolean).map((d) => path.join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // next
    }
  }
  return null;
}
