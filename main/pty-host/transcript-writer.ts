// Appends a session's full output to <dir>/<id>.log, rotating to <id>.log.1 … .log.<keep> once a
// file passes maxBytes, so an agent's output can be read after the app restarts without the folder
// growing without bound. Writes are asynchronous and queued; `backlog` tells the session how far
// behind the disk is so it can pause its PTY instead of queueing without bound.

import { promises as fsp } from 'node:fs';
import path from 'node:path';

export interface TranscriptOptions {
  dir: string;
  id: string;
  maxBytes?: number;
  keep?: number;
}

export class TranscriptWriter {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private handle: fsp.FileHandle | null = null;
  private size = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private failed: Error | null = null;
  /** Called whenever the backlog drops to zero (the session may resume). */
  onDrain: (() => void) | null = null;

  constructor(opts: TranscriptOptions) {
    this.file = path.join(opts.dir, `${opts.id}.log`);
    this.maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
    this.keep = opts.keep ?? 2;
  }

  /** Bytes accepted but not yet on disk. */
  get backlog(): number {
    return this.queued;
  }

  get error(): Error | null {
    return this.failed;
  }

  append(chunk: Uint8Array): void {
    if (this.closed || this.failed || chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (!this.running) this.running = this.drain().finally(() => (this.running = null));
  }

  /** Flushes what is queued and closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
    await this.handle?.close().catch(() => {});
    this.handle = null;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        if (!this.handle) await this.open();
        // Write everything queued in one call: fewer syscalls while a session floods.
        const parts = this.queue;
        this.queue = [];
        const total = parts.reduce((n, p) => n + p.length, 0);
        const room = this.maxBytes - this.size;
        if (total <= room) {
          await this.writeAll(parts);
        } else {
          // Fill the current file to maxBytes exactly, rotate, and requeue the rest.
          const joined = Buffer.concat(parts);
          await this.writeAll([joined.subarray(0, Math.max(room, 0))]);
          await this.rotate();
          this.queue.unshift(joined.subarray(Math.max(room, 0)));
          this.queued -= Math.max(room, 0);
          continue;
        }
        this.queued -= total;
      }
      this.onDrain?.();
    } catch (err) {
      // A transcript that cannot be written must never stop the terminal: drop it and say so.
      this.failed = err as Error;
      this.queue = [];
      this.queued = 0;
      this.onDrain?.();
    }
  }

  private async writeAll(parts: Uint8Array[]): Promise<void> {
    const h = this.handle!;
    for (const p of parts) {
      let off = 0;
      while (off < p.length) {
        const { bytesWritten } = await h.write(p, off, p.length - off);
        off += bytesWritten;
      }
      this.size += p.length;
    }
  }

  private async open(): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    this.handle = await fsp.open(this.file, 'a', 0o600);
    this.size = (await this.handle.stat()).size;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    for (let i = this.keep; i >= 1; i--) {
      const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
      await fsp.rename(from, `${this.file}.${i}`).catch(() => {});
    }
    if (this.keep === 0) await fsp.rm(this.file, { force: true });
    this.size = 0;
  }
}
