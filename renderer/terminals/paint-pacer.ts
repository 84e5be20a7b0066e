// When a terminal's output is drawn. Pure (time, timers and animation frames injected).
//
// Drawing is what a page of many live terminals spends its frames on: each xterm that received
// bytes re-renders its rows in the next animation frame, so 16 streaming terminals cost 16 renders a
// frame and starve the one terminal the user is typing in. So:
// - the focused terminal (where keys go) is written at once, every byte, as before;
// - every other terminal collects what arrives and becomes due `backgroundMs` after its first held
//   byte (terminals that began at different times stay staggered);
// - with a frame source, due terminals are written one per animation frame, oldest due first, so
//   the renders they cause are spread over frames instead of piling into one; a frame right after
//   the focused terminal was written writes none (its echo is drawn with no background render
//   beside it), but never two such frames in a row, so a streaming focused terminal cannot starve
//   the others. When frames come slower (a busy page) due terminals simply hold more bytes and
//   are drawn less often. Without a frame source, due terminals are written when due;
// - a terminal that collected `maxHeldBytes` is written at once, frame or not: memory stays
//   bounded, and the PTY host (which pauses a session at 100 KB unacknowledged; bytes are
//   acknowledged once drawn) never waits on the pacer, even in a hidden page that gets no frames;
// - gaining focus writes what a terminal holds at once.
// Nothing is reordered: held chunks are released in arrival order. Held bytes are dropped only
// when their terminal goes away or its screen is reset for a replay.

export interface PacerEffects {
  /** Writes bytes to the terminal now (xterm parses them and draws in its next frame). */
  write(id: string, data: Uint8Array): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Runs `fn` at the next animation frame (requestAnimationFrame). */
  requestFrame?(fn: () => void): void;
}

interface Held {
  chunks: Uint8Array[];
  bytes: number;
  timer: unknown;
}

export class PaintPacer {
  private focused: string | null = null;
  private readonly held = new Map<string, Held>();
  /** Terminals whose wait is over, oldest first, to be written one per frame. */
  private readonly due = new Set<string>();
  private frameRequested = false;
  /** The focused terminal was written since the last frame. */
  private focusedWrote = false;
  /** The last frame wrote no background terminal because of the focused one. */
  private yielded = false;

  constructor(
    private readonly effects: PacerEffects,
    readonly backgroundMs = 250,
    readonly maxHeldBytes = 64 * 1024,
  ) {}

  /** Bytes for terminal `id` to draw. */
  push(id: string, data: Uint8Array): void {
    if (!data.length) return;
    if (id === this.focused) {
      this.release(id);
      this.focusedWrote = true;
      this.effects.write(id, data);
      return;
    }
    let h = this.held.get(id);
    if (!h) {
      h = { chunks: [], bytes: 0, timer: null };
      this.held.set(id, h);
    }
    h.chunks.push(data);
    h.bytes += data.length;
    if (h.bytes >= this.maxHeldBytes) this.release(id);
    else if (h.timer === null && !this.due.has(id)) h.timer = this.effects.setTimer(() => this.becomeDue(id), this.backgroundMs);
  }

  /** Keys go to `id` now (null: to none of them). What it held is drawn at once. */
  focus(id: string | null): void {
    this.focused = id;
    if (id) this.release(id);
  }

  get focusedId(): string | null {
    return this.focused;
  }

  /** Bytes held for `id` and not yet drawn. */
  heldBytes(id: string): number {
    return this.held.get(id)?.bytes ?? 0;
  }

  /** Draws everything `id` holds now. */
  release(id: string): void {
    const h = this.held.get(id);
    this.forget(id);
    if (h) for (const chunk of h.chunks) this.effects.write(id, chunk);
  }

  /** Forgets what `id` holds without drawing it (its terminal is gone or being reset). */
  drop(id: string): void {
    this.forget(id);
    if (this.focused === id) this.focused = null;
  }

  private forget(id: string): void {
    const h = this.held.get(id);
    this.due.delete(id);
    if (!h) return;
    this.held.delete(id);
    if (h.timer !== null) this.effects.clearTimer(h.timer);
  }

  private becomeDue(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    h.timer = null;
    if (!this.effects.requestFrame) return this.release(id);
    this.due.add(id);
    this.askFrame();
  }

  private askFrame(): void {
    if (this.frameRequested || this.due.size === 0) return;
    this.frameRequested = true;
    this.effects.requestFrame!(() => this.frame());
  }

  /** One animation frame: at most one due terminal is written. */
  private frame(): void {
    this.frameRequested = false;
    if (this.focusedWrote && !this.yielded) {
      this.yielded = true;
    } else {
      this.yielded = false;
      const next = this.due.values().next();
      if (!next.done) this.release(next.value);
    }
    this.focusedWrote = false;
    this.askFrame();
  }
}
