// One terminal session inside the PTY host: the node-pty process, output batching, the replay
// ring, the transcript, the lazily created screen model, and per-consumer flow control.
//
// Data path (bytes only, no decoding): node-pty Buffer → batch (≤ BATCH_INTERVAL_MS or
// BATCH_MAX_BYTES) → ring + transcript + one 'data' message naming every attached consumer.
// Each consumer acknowledges what it has rendered; the PTY is paused while any consumer has more
// than HIGH_WATERMARK_BYTES unacknowledged (or the transcript is behind) and resumed once every
// consumer is below LOW_WATERMARK_BYTES. Pausing stops reading the PTY, so the child blocks in
// write(): memory stays bounded and no other session is affected.
//
// Screens are read through the host's ScreenReads (one read at a time across sessions), so reading
// many busy sessions' screens at once does not hold the host away from writes and requests.
//
// The command runs under a draining leader (exit-drain.ts) so the kernel cannot discard its last
// output when it exits: the leader reports the exit status in-band and is released only once
// everything before that report has been read. `pid` is the leader's (the terminal session's id).

import pty from 'node-pty';
import {
  BATCH_INTERVAL_MS,
  BATCH_MAX_BYTES,
  HIGH_WATERMARK_BYTES,
  LOW_WATERMARK_BYTES,
  RING_BYTES,
  type FromHost,
  type ScreenSnapshot,
  type SessionSummary,
  type SpawnRequest,
} from './protocol.ts';
import { OutputRing } from './output-ring.ts';
import { TranscriptWriter } from './transcript-writer.ts';
import { ScreenModel } from './screen-model.ts';
import type { ScreenReads } from './screen-reads.ts';
import { hasChildren, isAlive, killTree, sweepSession } from './process-tree.ts';
import { wrapInLeader, type ExitMarkerScanner } from './exit-drain.ts';

/** The transcript may fall this far behind the PTY before the PTY is paused for it. */
const TRANSCRIPT_HIGH_BYTES = 4 * 1024 * 1024;
/** At most one 'activity' message per session per this interval (the status machine's input). */
const ACTIVITY_INTERVAL_MS = 250;
/** The final screen sent with the exit is rebuilt from at most this much of the last output. */
const FINAL_SCREEN_BYTES = 64 * 1024;

export interface SessionDeps {
  post(msg: FromHost): void;
  /** The host's one queue of screen reads (screen-reads.ts). */
  screenReads: ScreenReads;
  transcriptDir: string;
  onGone(id: string): void;
}

export class PtySession {
  readonly id: string;
  readonly title: string;
  private readonly proc: pty.IPty;
  private cols: number;
  private rows: number;
  private readonly ring = new OutputRing(RING_BYTES);
  private readonly transcript: TranscriptWriter;
  private screen: ScreenModel | null = null;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchTimer: NodeJS.Timeout | null = null;
  private lastFlushAt = 0;
  /** consumer → bytes sent but not yet acknowledged. */
  private readonly unacked = new Map<string, number>();
  private pausedByFlow = false;
  private pausedByTranscript = false;
  private ptyPaused = false;
  private lastOutputAt = Date.now();
  private lastActivityPost = 0;
  private activityTimer: NodeJS.Timeout | null = null;
  private killing = false;
  /** Strips the leader's exit marker from the output and holds the command's exit status. */
  private readonly marker: ExitMarkerScanner | null;
  /** While paused, a command that has exited must still be reported: watch for it. */
  private childWatch: NodeJS.Timeout | null = null;
  private childGone = false;
  private exited = false;
  /** Gone from the host: its screen model is disposed and no read may create another. */
  private finished = false;
  private readonly exitWaiters: Array<() => void> = [];

  constructor(spec: SpawnRequest, private readonly deps: SessionDeps) {
    this.id = spec.id;
    this.title = spec.title;
    this.cols = spec.cols;
    this.rows = spec.rows;
    this.transcript = new TranscriptWriter({ dir: deps.transcriptDir, id: spec.id });
    this.transcript.onDrain = () => {
      if (this.pausedByTranscript) {
        this.pausedByTranscript = false;
        this.applyPause();
      }
    };
    const leader = wrapInLeader(spec.command, spec.args);
    this.marker = leader?.marker ?? null;
    // encoding: null → onData delivers raw Buffers; decoding is the consumer's (xterm's) job.
    this.proc = pty.spawn(leader?.file ?? spec.command, leader?.args ?? spec.args, {
      name: 'xterm-256color',
      cols: spec.cols,
      rows: spec.rows,
      cwd: spec.cwd,
      env: spec.env,
      encoding: null,
    } as pty.IPtyForkOptions);
    if (spec.consumer) this.unacked.set(spec.consumer, 0);
    this.proc.onData((d) => this.onPtyData(d as unknown as Buffer));
    this.proc.onExit(({ exitCode, signal }) => this.onExit(exitCode, signal ?? 0));
  }

  get pid(): number {
    return this.proc.pid;
  }

  summary(): SessionSummary {
    return {
      id: this.id,
      pid: this.proc.pid,
      cols: this.cols,
      rows: this.rows,
      title: this.title,
      offset: this.ring.end + this.batchBytes,
      paused: this.ptyPaused,
      lastOutputAt: this.lastOutputAt,
    };
  }

  write(data: string | Uint8Array): void {
    if (this.exited) return;
    this.proc.write(typeof data === 'string' ? data : (Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as string));
  }

  resize(cols: number, rows: number): void {
    if (this.exited) return;
    this.cols = cols;
    this.rows = rows;
    this.proc.resize(cols, rows);
    this.screen?.resize(cols, rows);
  }

  /** Replays the ring from `fromOffset` to `consumer`, then streams live output to it. */
  attach(consumer: string, fromOffset: number | null): { replayed: number; offset: number } {
    this.flush();
    const replay = this.ring.readFrom(fromOffset);
    this.unacked.set(consumer, replay.length);
    if (replay.length > 0) this.deps.post({ t: 'data', id: this.id, to: [consumer], data: replay });
    this.evaluateFlow();
    return { replayed: replay.length, offset: this.ring.end };
  }

  detach(consumer: string): void {
    if (this.unacked.delete(consumer)) this.evaluateFlow();
  }

  ack(consumer: string, bytes: number): void {
    const pending = this.unacked.get(consumer);
    if (pending === undefined || !(bytes > 0)) return;
    this.unacked.set(consumer, Math.max(0, pending - bytes));
    this.evaluateFlow();
  }

  /** The screen as it is when the read's turn comes (after the reads asked for before it). */
  snapshot(): Promise<ScreenSnapshot> {
    return this.deps.screenReads.run(async () => {
      if (this.finished) throw new Error(`terminal session ${this.id} has ended`);
      this.flush();
      this.screen ??= new ScreenModel(this.cols, this.rows);
      return this.screen.snapshot(this.ring);
    });
  }

  /** Signals the whole process tree; resolves once the session has exited (or gave up waiting). */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.exited) return;
    this.killing = true;
    // A paused PTY cannot deliver its exit: let it drain.
    this.ptyPaused = false;
    this.proc.resume();
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    await killTree(this.proc.pid, signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  }

  private onPtyData(chunk: Buffer): void {
    const m = this.marker;
    if (!m || m.exit) return this.onOutput(chunk);
    for (const part of m.scan(chunk)) this.onOutput(part);
    if (m.exit && !this.exited) {
      // Everything the command wrote came before its exit marker, so it has all been read: the
      // leader may go now (it ignores the polite signals at this point, by design).
      try {
        process.kill(this.proc.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private onOutput(chunk: Buffer): void {
    this.lastOutputAt = Date.now();
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_MAX_BYTES) {
      this.flush();
    } else if (!this.batchTimer) {
      // Leading edge: the first output after a quiet spell (a keystroke's echo) goes out at once;
      // what follows within BATCH_INTERVAL_MS is coalesced.
      const since = this.lastOutputAt - this.lastFlushAt;
      if (since >= BATCH_INTERVAL_MS) this.flush();
      else this.batchTimer = setTimeout(() => this.flush(), BATCH_INTERVAL_MS - since);
    }
    this.noteActivity();
  }

  private flush(): void {
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
      this.batchTimer = null;
    }
    if (this.batchBytes === 0) return;
    this.lastFlushAt = Date.now();
    // One exact-size copy per batch: detaches from node-pty's read buffers and gives the IPC
    // layer a single contiguous Uint8Array.
    const data = this.batch.length === 1 ? Buffer.from(this.batch[0]) : Buffer.concat(this.batch, this.batchBytes);
    // Reset before posting, so anything re-entrant starts a fresh batch.
    this.batch = [];
    this.batchBytes = 0;
    this.ring.push(data);
    this.transcript.append(data);
    if (this.transcript.backlog > TRANSCRIPT_HIGH_BYTES) this.pausedByTranscript = true;
    if (this.unacked.size > 0) {
      const to = [...this.unacked.keys()];
      for (const c of to) this.unacked.set(c, this.unacked.get(c)! + data.length);
      this.deps.post({ t: 'data', id: this.id, to, data });
    }
    this.evaluateFlow();
  }

  private evaluateFlow(): void {
    let max = 0;
    for (const n of this.unacked.values()) if (n > max) max = n;
    if (!this.pausedByFlow && max > HIGH_WATERMARK_BYTES) this.pausedByFlow = true;
    else if (this.pausedByFlow && max < LOW_WATERMARK_BYTES) this.pausedByFlow = false;
    this.applyPause();
  }

  private applyPause(): void {
    const want = !this.killing && !this.exited && !this.childGone && (this.pausedByFlow || this.pausedByTranscript);
    if (want === this.ptyPaused) return;
    this.ptyPaused = want;
    this.watchChild(want);
    if (want) this.proc.pause();
    else this.proc.resume();
    this.deps.post({ t: 'flow', id: this.id, paused: want });
  }

  /**
   * While paused, notice the command's end quickly and resume, so its last output (bounded: the
   * kernel's buffer, which the leader's exit marker waits behind) is read and its exit reported
   * even if the consumer never catches up.
   */
  private watchChild(paused: boolean): void {
    if (paused && !this.childWatch) {
      this.childWatch = setInterval(() => {
        const pid = this.proc.pid;
        if (isAlive(pid) && (!this.marker || hasChildren(pid))) return;
        this.childGone = true;
        this.applyPause();
      }, 50);
    } else if (!paused && this.childWatch) {
      clearInterval(this.childWatch);
      this.childWatch = null;
    }
  }

  private noteActivity(): void {
    const now = Date.now();
    if (now - this.lastActivityPost >= ACTIVITY_INTERVAL_MS) {
      this.postActivity();
    } else {
      // Trailing post, so the last burst's time is reported too.
      this.activityTimer ??= setTimeout(() => this.postActivity(), ACTIVITY_INTERVAL_MS - (now - this.lastActivityPost));
    }
  }

  private postActivity(): void {
    if (this.activityTimer) {
      clearTimeout(this.activityTimer);
      this.activityTimer = null;
    }
    this.lastActivityPost = Date.now();
    this.deps.post({ t: 'activity', id: this.id, lastOutputAt: this.lastOutputAt, offset: this.ring.end + this.batchBytes });
  }

  private onExit(leaderCode: number, leaderSignal: number): void {
    if (this.exited) return;
    // The leader died without reporting (killed): a possible half-marker held back is output.
    const held = this.marker?.drain();
    if (held) this.onOutput(held);
    this.exited = true;
    this.flush();
    // The command's own status when the leader reported it; otherwise the leader's.
    const cmd = this.marker?.exit ?? { exitCode: leaderSignal && !leaderCode ? null : leaderCode, signal: leaderSignal || null };
    if (this.activityTimer) clearTimeout(this.activityTimer);
    this.watchChild(false);
    const reason = this.killing ? 'killed' : cmd.signal ? `signal ${cmd.signal}` : 'exited';
    void this.finalScreen().then((screen) => {
      this.deps.post({ t: 'exit', id: this.id, exitCode: cmd.exitCode, signal: cmd.signal, reason, ...(screen ? { screen } : {}) });
      this.finish();
    });
  }

  /** The last screen as text (what an agent CLI said before it quit), or undefined. */
  private async finalScreen(): Promise<string | undefined> {
    if (this.ring.end === 0) return undefined;
    try {
      return await this.deps.screenReads.run(async () => {
        this.screen ??= new ScreenModel(this.cols, this.rows);
        return (await this.screen.snapshot(this.ring, FINAL_SCREEN_BYTES)).text || undefined;
      });
    } catch {
      return undefined;
    }
  }

  private finish(): void {
    this.finished = true;
    this.screen?.dispose();
    this.screen = null;
    void this.transcript.close();
    // Anything the shell left behind (a background job that ignores SIGHUP) goes with it.
    sweepSession(this.proc.pid);
    this.deps.onGone(this.id);
    for (const w of this.exitWaiters.splice(0)) w();
  }

  /** The host is going away: kill everything, synchronously where we must. */
  async dispose(): Promise<void> {
    await this.kill('SIGTERM');
    await this.transcript.close();
  }
}
