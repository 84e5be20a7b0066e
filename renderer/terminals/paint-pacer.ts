// When a terminal's output is drawn. Pure (time and timers injected).
//
// Drawing is what a page of many live terminals spends its frames on: each xterm that received
// bytes re-renders its rows in the next animation frame, so 16 streaming terminals cost 16 renders a
// frame and starve the one terminal the user is typing in. So:
// - the focused terminal (where keys go) is written at once, every byte, as before;
// - every other terminal collects what arrives and is written at most once per `backgroundMs`
//   (its first byte starts the wait, so terminals that began at different times stay staggered);
// - a terminal that collected `maxHeldBytes` is written at once: memory stays bounded, and the
//   PTY host (which pauses a session at 100 KB unacknowledged; bytes are acknowledged once drawn)
//   never waits on the timer, so a fast stream keeps its speed;
// - gaining focus writes what a terminal holds at once.
// Nothing is reordered: held chunks are released in arrival order. Held bytes are dropped only
// when their terminal goes away or its screen is reset for a replay.

export interface PacerEffects {
  /** Writes bytes to the terminal now (xterm parses them and draws in its next frame). */
  write(id: string, data: Uint8Array): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

interface Held {
  chunks: Uint8Array[];
  bytes: number;
  timer: unknown;
}

export class PaintPacer {
  private focused: string | null = null;
  private readonly held = new Map<string, Held>();

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
    else h.timer ??= this.effects.setTimer(() => this.release(id), this.backgroundMs);
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
    if (!h) return;
    this.held.delete(id);
    if (h.timer !== null) this.effects.clearTimer(h.timer);
    for (const chunk of h.chunks) this.effects.write(id, chunk);
  }

  /** Forgets what `id` holds without drawing it (its terminal is gone or being reset). */
  drop(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    if (h.timer !== null) this.effects.clearTimer(h.timer);
    if (this.focused === id) this.focused = null;
  }
}
