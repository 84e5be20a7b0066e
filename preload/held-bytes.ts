// Bytes held back per terminal, each terminal with at most one pending timer. Shared by the page's
// PaintPacer (drawing) and the web host's TerminalFrames (sending), which differ only in when they
// let the bytes go. Pure: the timer handles are opaque and cleared through the injected function.
//
// Invariants: a terminal's chunks are kept in arrival order and taken as one array (all or none);
// taking or dropping a terminal clears its timer; an id with nothing held has no entry.
import { concatBytes } from './concat-bytes.ts';

interface Held {
  chunks: Uint8Array[];
  bytes: number;
  timer: unknown;
}

export class HeldBytes {
  private readonly held = new Map<string, Held>();

  constructor(private readonly clearTimer: (handle: unknown) => void) {}

  /** Holds `data` for `id`; returns how many bytes `id` now holds. */
  add(id: string, data: Uint8Array): number {
    let h = this.held.get(id);
    if (!h) {
      h = { chunks: [], bytes: 0, timer: null };
      this.held.set(id, h);
    }
    h.chunks.push(data);
    h.bytes += data.length;
    return h.bytes;
  }

  /** Bytes held for `id`. */
  bytes(id: string): number {
    return this.held.get(id)?.bytes ?? 0;
  }

  /** Whether `id` holds bytes and a timer is pending for it. */
  timed(id: string): boolean {
    return (this.held.get(id)?.timer ?? null) !== null;
  }

  /** Records the timer pending for `id` (which must hold bytes), or null once it has fired. */
  setTimer(id: string, handle: unknown): void {
    const h = this.held.get(id);
    if (h) h.timer = handle;
  }

  /** Everything `id` holds as one array (no copy for a single chunk), forgotten; null if none. */
  take(id: string): Uint8Array | null {
    const h = this.held.get(id);
    if (!h) return null;
    this.forget(id, h);
    return concatBytes(h.chunks, h.bytes);
  }

  /** Forgets what `id` holds. */
  drop(id: string): void {
    const h = this.held.get(id);
    if (h) this.forget(id, h);
  }

  /** Forgets everything, clearing every timer. */
  clear(): void {
    for (const [id, h] of [...this.held]) this.forget(id, h);
  }

  private forget(id: string, h: Held): void {
    this.held.delete(id);
    if (h.timer !== null) this.clearTimer(h.timer);
  }
}
