// When a terminal's output is drawn. Pure (time, timers and animation frames injected).
//
// Drawing is what a page of many live terminals spends its frames on: each xterm that received
// bytes re-renders its rows in the next animation frame, so 16 streaming terminals cost 16 renders a
// frame and starve the one terminal the user is typing in. So:
// - the focused terminal (where keys go) is written at once, every byte, as before;
// - every other terminal collects what arrives and becomes due `backgroundMs` after its first held
//   byte (terminals that began at different times stay staggered);
// - the focused terminal's bytes come first: from the moment it is written until two animation
//   frames later (the frame that draws it, then the next one starts), terminals that become due
//   wait, and are written together once that is over; so an echo is drawn with no background
//   terminal's parse or render added to its frame. A focused terminal that streams does not
//   starve the others: they are written at the end of each such two-frame window. (Without a
//   frame source, due terminals are written when due.)
// - a key typed into the focused terminal opens that window early: from the key until its echo
//   arrives (at most `echoWaitMs`), terminals that become due wait too, so the echo's bytes do not
//   queue behind a background terminal's parse and render;
// - a terminal that collected `maxHeldBytes` is written at once, frame or not: memory stays
//   bounded, and the PTY host (which pauses a session at 100 KB unacknowledged; bytes are
//   acknowledged once drawn) never waits on the pacer, even in a hidden page that gets no frames;
// - gaining focus writes what a terminal holds at once.
// Nothing is reordered: held chunks are released in arrival order, as one write per release. Held bytes are dropped only
// when their terminal goes away or its screen is reset for a replay.
import { HeldBytes } from '../../preload/held-bytes.ts';

export interface PacerEffects {
  /** Writes bytes to the terminal now (xterm parses them and draws in its next frame). */
  write(id: string, data: Uint8Array): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Runs `fn` at the next animation frame (requestAnimationFrame). */
  requestFrame?: (fn: () => void) => void;
}

export class PaintPacer {
  private focused: string | null = null;
  private readonly held: HeldBytes;
  /** Terminals whose wait is over while the focused terminal's bytes are being drawn. */
  private readonly due = new Set<string>();
  /** The focused terminal was written and its frame has not passed yet. */
  private focusedDrawing = false;
  /** A key was typed into the focused terminal and its echo has not arrived (nor the wait ended). */
  private echoTimer: unknown = null;

  constructor(
    private readonly effects: PacerEffects,
    readonly backgroundMs = 250,
    readonly maxHeldBytes = 64 * 1024,
    readonly echoWaitMs = 100,
  ) {
    this.held = new HeldBytes((handle) => effects.clearTimer(handle));
  }

  /** A key was typed into terminal `id`: if it is the focused one, background terminals wait for its echo. */
  typed(id: string): void {
    if (id !== this.focused) return;
    if (this.echoTimer !== null) this.effects.clearTimer(this.echoTimer);
    this.echoTimer = this.effects.setTimer(() => {
      this.echoTimer = null;
      if (!this.focusedDrawing) this.releaseDue();
    }, this.echoWaitMs);
  }

  /** Bytes for terminal `id` to draw. */
  push(id: string, data: Uint8Array): void {
    if (!data.length) return;
    if (id === this.focused) {
      this.release(id);
      this.effects.write(id, data);
      this.echoArrived();
      this.holdForFocused();
      return;
    }
    if (this.held.add(id, data) >= this.maxHeldBytes) this.release(id);
    else if (!this.held.timed(id) && !this.due.has(id)) this.held.setTimer(id, this.effects.setTimer(() => this.becomeDue(id), this.backgroundMs));
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
    return this.held.bytes(id);
  }

  /** Draws everything `id` holds now, in one write. */
  release(id: string): void {
    this.due.delete(id);
    const data = this.held.take(id);
    if (data) this.effects.write(id, data);
  }

  /** Forgets what `id` holds without drawing it (its terminal is gone or being reset). */
  drop(id: string): void {
    this.due.delete(id);
    this.held.drop(id);
    if (this.focused === id) this.focused = null;
  }

  private echoArrived(): void {
    if (this.echoTimer === null) return;
    this.effects.clearTimer(this.echoTimer);
    this.echoTimer = null;
  }

  private releaseDue(): void {
    for (const id of [...this.due]) this.release(id);
  }

  private becomeDue(id: string): void {
    if (!this.held.bytes(id)) return;
    this.held.setTimer(id, null);
    if (this.focusedDrawing || this.echoTimer !== null) this.due.add(id);
    else this.release(id);
  }

  /** The focused terminal was written: due terminals wait until the frame after the one drawing it. */
  private holdForFocused(): void {
    const requestFrame = this.effects.requestFrame;
    if (!requestFrame) return this.releaseDue();
    if (this.focusedDrawing) return;
    this.focusedDrawing = true;
    requestFrame(() => requestFrame(() => {
      this.focusedDrawing = false;
      if (this.echoTimer === null) this.releaseDue();
    }));
  }
}
