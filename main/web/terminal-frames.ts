// When a terminal's output bytes are sent to one page over its WebSocket. Pure (timers injected).
//
// All of a page's terminals share one WebSocket, so a frame sent goes behind every frame sent
// before it, and the page handles each on its main thread: with 16 terminals streaming, a key's
// echo queued behind ~300 background frames a second. So, per connection:
// - the foreground terminal (the one the page last typed into) is sent at once, every chunk, after
//   anything it still held (one frame);
// - every other terminal holds what arrives and is sent as one frame `backgroundMs` after its first
//   held byte (terminals that began at different times stay staggered), or at once when it holds
//   `maxHeldBytes` (below the PTY host's 100 KB flow-control mark: the page can draw and acknowledge
//   a terminal before its PTY pauses);
// - a key holds the background entirely: from a key until the foreground's next output is sent (its
//   echo), at most `keyHoldMs`, no other terminal's frame is sent, so the echo goes out alone;
//   terminals that became due (or full) meanwhile are sent when the hold ends. Keys during a hold do
//   not extend it (a terminal that never echoes cannot starve the others);
// - the reply to a terminal's attach goes after every byte held for that terminal: the page's
//   StreamOffsets takes the replay to be the tail of what arrived before the reply
//   (`replying` sends what the terminal holds; the caller sends the reply right after).
// Per terminal nothing is reordered or dropped while the connection lives; `close` forgets what is
// held and clears every timer, and nothing is sent after it.
import { HeldBytes } from '../../preload/held-bytes.ts';

export interface FrameEffects {
  /** Sends one frame of `id`'s output now. */
  send(id: string, data: Uint8Array): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface FrameLimits {
  backgroundMs: number;
  maxHeldBytes: number;
  keyHoldMs: number;
}

export const FRAME_LIMITS: FrameLimits = { backgroundMs: 250, maxHeldBytes: 64 * 1024, keyHoldMs: 100 };

export class TerminalFrames {
  private foreground: string | null = null;
  private readonly held: HeldBytes;
  /** Terminals whose wait is over (or that are full) while a key holds the background. */
  private readonly due = new Set<string>();
  /** Pending from a key until its echo is sent or `keyHoldMs` passed. */
  private keyHold: unknown = null;
  /** Attach requests in flight: request id → terminal id. */
  private readonly attaches = new Map<number, string>();
  private closed = false;

  constructor(
    private readonly effects: FrameEffects,
    readonly limits: FrameLimits = FRAME_LIMITS,
  ) {
    this.held = new HeldBytes((handle) => effects.clearTimer(handle));
  }

  /** A request the page sent (parsed JSON, not yet validated): keys and attaches matter here. */
  request(msg: unknown): void {
    if (typeof msg !== 'object' || msg === null) return;
    const { t, id, name, args } = msg as { t?: unknown; id?: unknown; name?: unknown; args?: unknown };
    const terminal = (args as { id?: unknown } | null | undefined)?.id;
    if (t !== 'req' || typeof terminal !== 'string') return;
    if (name === 'terminalWrite') this.typed(terminal);
    else if ((name === 'uiTerminalAttach' || name === 'terminalAttach') && typeof id === 'number') this.attaching(id, terminal);
  }

  /** The page typed into `id`: it becomes the foreground, and the background waits for its echo. */
  typed(id: string): void {
    if (this.closed) return;
    this.foreground = id;
    this.send(id);
    if (this.keyHold === null) this.keyHold = this.effects.setTimer(() => this.endHold(), this.limits.keyHoldMs);
  }

  /** Output of terminal `id` from the town. */
  output(id: string, data: Uint8Array): void {
    if (this.closed || !data.length) return;
    const bytes = this.held.add(id, data);
    if (id === this.foreground) {
      this.send(id);
      this.endHold();
    } else if (bytes >= this.limits.maxHeldBytes) {
      this.becomeDue(id);
    } else if (!this.held.timed(id) && !this.due.has(id)) {
      this.held.setTimer(id, this.effects.setTimer(() => {
        this.held.setTimer(id, null);
        this.becomeDue(id);
      }, this.limits.backgroundMs));
    }
  }

  /** The page asked to attach terminal `id` in request `requestId`. */
  attaching(requestId: number, id: string): void {
    if (!this.closed) this.attaches.set(requestId, id);
  }

  /** The reply to request `requestId` is about to be sent: an attach's terminal sends what it holds first. */
  replying(requestId: number): void {
    const id = this.attaches.get(requestId);
    if (id === undefined) return;
    this.attaches.delete(requestId);
    this.send(id);
  }

  /** Bytes held for `id` and not yet sent. */
  heldBytes(id: string): number {
    return this.held.bytes(id);
  }

  /** The connection closed: forget everything, clear every timer, send nothing more. */
  close(): void {
    this.closed = true;
    this.held.clear();
    this.due.clear();
    this.attaches.clear();
    if (this.keyHold !== null) this.effects.clearTimer(this.keyHold);
    this.keyHold = null;
  }

  private becomeDue(id: string): void {
    if (this.keyHold !== null) this.due.add(id);
    else this.send(id);
  }

  private endHold(): void {
    if (this.keyHold === null) return;
    this.effects.clearTimer(this.keyHold);
    this.keyHold = null;
    for (const id of [...this.due]) this.send(id);
  }

  /** Sends everything `id` holds as one frame (clearing its timer). */
  private send(id: string): void {
    this.due.delete(id);
    const data = this.held.take(id);
    if (data && !this.closed) this.effects.send(id, data);
  }
}
