// Raw attach on the CLI's socket (`gt attach`, `gt mayor`): after an `attach` request the
// connection carries a terminal's bytes both ways (see preload/wire.ts for the framing). Output is
// written to the socket exactly as the PTY host delivered it and acknowledged to the host only once
// the socket has handed it to the kernel, so a client that reads slowly slows the terminal through
// the host's ordinary flow control instead of growing a buffer here.
//
// The host pauses a terminal for ALL its viewers while one of them is behind. A viewer that stops
// reading altogether (a suspended `gt attach`, a frozen ssh link) must not freeze the agent, so a
// viewer stuck past STUCK_MS is cut loose: what it had outstanding is acknowledged, its output is
// skipped until its socket drains, and it is then resynchronised with a redraw of the screen.
import type { Socket } from 'node:net';
import { z } from 'zod';
import { TownError } from '../../preload/contract.ts';
import { AttachFrameDecoder, ATTACH_SIZE, type AttachReply } from '../../preload/wire.ts';
import { HIGH_WATERMARK_BYTES } from '../pty-host/protocol.ts';
import type { Town } from '../town/town.ts';

/** How much recent output an attach replays first: a few screens, bounded so attaching is instant. */
export const ATTACH_REPLAY_BYTES = 64 * 1024;
/** A viewer holding the terminal paused (host watermark reached) this long is skipped ahead. */
export const STUCK_MS = 2_000;
/** Clear the screen and home the cursor before a redraw, so the serialized screen lands cleanly. */
const REDRAW_PREFIX = '\x1b[H\x1b[2J';

export const AttachRequestSchema = z.object({
  t: z.literal('attach'),
  target: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.@/-]+$/, 'malformed agent address or terminal id'),
  cols: z.number().int().min(ATTACH_SIZE.minCols).max(ATTACH_SIZE.maxCols).optional(),
  rows: z.number().int().min(ATTACH_SIZE.minRows).max(ATTACH_SIZE.maxRows).optional(),
}).strict();

interface Target {
  terminal: string;
  agent: string | null;
  cols: number;
  rows: number;
  offset: number;
}

/** An agent address with a running session, else a terminal id; anything else is not_found. */
async function resolveTarget(town: Town, target: string): Promise<Target> {
  const session = town.work?.sessions.get(target);
  const terminals = await town.pty.list();
  const id = session?.terminal ?? target;
  const info = terminals.find((t) => t.id === id);
  if (!info) {
    const known = await town.work?.agents.find(target).catch(() => null);
    throw new TownError('not_found', known ? `${target} has no running session to attach to` : `no agent or terminal named ${target}`);
  }
  // A terminal id that is an agent's session is named by its agent (what people recognise).
  const agent = session ? target : (town.work?.sessions.list().find((s) => s.terminal === info.id)?.agent ?? null);
  return { terminal: info.id, agent, cols: info.cols, rows: info.rows, offset: info.offset ?? 0 };
}

export class TerminalAttachment {
  private readonly decoder = new AttachFrameDecoder();
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;
  private resized = false;
  /** Bytes written to the socket and not yet handed to the kernel (= not yet acknowledged). */
  private inFlight = 0;
  /** Bumped when a stuck viewer is cut loose: write callbacks of older generations ack nothing. */
  private generation = 0;
  private stuckTimer: NodeJS.Timeout | null = null;
  /** null: streaming; 'skipping': output dropped until the socket drains; 'redrawing': waiting for the screen. */
  private skip: 'skipping' | 'redrawing' | null = null;

  private constructor(
    private readonly town: Town,
    private readonly socket: Socket,
    private readonly consumer: string,
    private readonly target: Target,
  ) {}

  /**
   * Validates and resolves the request, answers `attached` (or throws a TownError, for the caller
   * to answer `error`), then streams: the replay first, live output after it.
   */
  static async open(town: Town, socket: Socket, consumer: string, raw: unknown): Promise<TerminalAttachment> {
    const parsed = AttachRequestSchema.safeParse(raw);
    if (!parsed.success) throw new TownError('invalid', `malformed attach request: ${parsed.error.issues[0].message}`);
    const req = parsed.data;
    const target = await resolveTarget(town, req.target);
    const a = new TerminalAttachment(town, socket, consumer, target);
    // Output of this consumer arrives as soon as the host replays; it is held until the reply
    // line has gone out, so the client sees the JSON reply first and raw bytes after it.
    let held: Uint8Array[] | null = [];
    a.unsubscribe.push(
      town.onTerminalData((c, id, data) => {
        if (c !== consumer || id !== target.terminal || a.closed) return;
        if (held) held.push(data);
        else a.output(data);
      }),
      town.onEvent((name, payload) => {
        // The host sends every byte before the exit: ending after pending writes loses nothing.
        if (name === 'terminalExit' && (payload as { id: string }).id === target.terminal) a.close('ended');
      }),
    );
    if (req.cols && req.rows && (req.cols !== target.cols || req.rows !== target.rows)) {
      town.pty.resize(target.terminal, req.cols, req.rows);
      a.resized = true;
    }
    try {
      const r = await town.pty.attach(consumer, target.terminal, Math.max(0, target.offset - ATTACH_REPLAY_BYTES));
      a.reply({ t: 'attached', terminal: target.terminal, agent: target.agent, replayed: r.replayed });
    } catch (err) {
      a.dispose();
      if (a.resized) town.pty.resize(target.terminal, target.cols, target.rows);
      throw err;
    }
    for (const data of held) a.output(data);
    held = null;
    return a;
  }

  /** Bytes from the client: frames of input, resizes and the detach. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch {
      // Framing cannot be resynchronised: drop the connection (the terminal keeps running).
      this.close('protocol error');
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      if (f.type === 'data') this.town.pty.write(this.target.terminal, f.data);
      else if (f.type === 'resize') {
        this.town.pty.resize(this.target.terminal, f.cols, f.rows);
        this.resized = true;
      } else return this.close('detached');
    }
  }

  /** Stops streaming (detach, client gone, terminal ended); the terminal itself keeps running. */
  close(why: 'detached' | 'ended' | 'client gone' | 'protocol error'): void {
    if (this.closed) return;
    this.closed = true;
    this.dispose();
    // Give the agent back the size it had: other viewers (the app, the web UI) laid it out for that.
    if (this.resized && why !== 'ended') this.town.pty.resize(this.target.terminal, this.target.cols, this.target.rows);
    if (!this.socket.destroyed) this.socket.end();
  }

  private dispose(): void {
    if (this.stuckTimer) clearTimeout(this.stuckTimer);
    this.stuckTimer = null;
    for (const u of this.unsubscribe.splice(0)) u();
    this.town.disconnect(this.consumer);
  }

  private reply(msg: AttachReply): void {
    this.socket.write(JSON.stringify(msg) + '\n');
  }

  private output(data: Uint8Array): void {
    if (this.socket.destroyed || this.closed) return;
    const { consumer, town } = this;
    const id = this.target.terminal;
    if (this.skip) {
      // Cut loose: the bytes are gone for this viewer; the redraw brings its screen back.
      town.pty.ack(consumer, id, data.length);
      if (this.skip === 'skipping' && this.socket.writableLength === 0) this.redraw();
      return;
    }
    const generation = this.generation;
    this.inFlight += data.length;
    // The callback runs once the bytes left for the kernel: that is what "written" means here.
    this.socket.write(data, (err) => {
      if (err || generation !== this.generation) return;
      this.inFlight -= data.length;
      town.pty.ack(consumer, id, data.length);
      if (this.inFlight < HIGH_WATERMARK_BYTES && this.stuckTimer) {
        clearTimeout(this.stuckTimer);
        this.stuckTimer = null;
      }
    });
    if (this.inFlight >= HIGH_WATERMARK_BYTES && !this.stuckTimer) this.stuckTimer = setTimeout(() => this.cutLoose(), STUCK_MS);
  }

  /** The viewer held the terminal paused too long: let the terminal go on without it. */
  private cutLoose(): void {
    this.stuckTimer = null;
    if (this.closed || this.inFlight < HIGH_WATERMARK_BYTES) return;
    this.generation++;
    this.town.pty.ack(this.consumer, this.target.terminal, this.inFlight);
    this.inFlight = 0;
    this.skip = 'skipping';
    this.socket.once('drain', () => this.redraw());
  }

  /** The viewer reads again: give it the current screen, then live output from there. */
  private redraw(): void {
    if (this.skip !== 'skipping' || this.closed) return;
    this.skip = 'redrawing';
    // Output the host sent before answering is part of the snapshot (it flushes first, and its
    // messages arrive in order): dropping it until the answer, then streaming, loses nothing.
    this.town.pty.snapshot(this.target.terminal).then(
      (snap) => {
        if (this.closed || this.socket.destroyed) return;
        this.skip = null;
        this.socket.write(REDRAW_PREFIX + snap.serialized);
      },
      () => this.close('ended'),
    );
  }
}
