// Where a terminal's byte stream stands, so a re-attach resumes instead of replaying everything. Pure.
//
// The host numbers every byte a session ever produced. An attach from offset F replays [F, end)
// from its ring (or from the ring's start if F is older), posts it before its reply, then streams
// live bytes. So when a reply arrives, the last `replayed` bytes received are the replay, and the
// bytes received before them are from the previous stream.
// Invariant: `rendered` is the offset of the next byte xterm has not been given.
import { concatBytes } from '../../preload/concat-bytes.ts';

export class StreamOffsets {
  /** Offset of the next byte to render. */
  rendered = 0;
  /** Bytes received since the last attach was requested, held until its reply says which are the replay. */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private resyncing = false;

  /** An attach is waiting for its reply. */
  get pendingAttach(): boolean {
    return this.resyncing;
  }

  /** An attach (or re-attach) was requested: hold what arrives until its reply. */
  beginAttach(): void {
    this.resyncing = true;
    this.held = [];
    this.heldBytes = 0;
  }

  /** Bytes arrived. Returns the bytes to render now (none while an attach is pending). */
  receive(data: Uint8Array): Uint8Array | null {
    if (this.resyncing) {
      this.held.push(data);
      this.heldBytes += data.length;
      return null;
    }
    this.rendered += data.length;
    return data;
  }

  /**
   * The attach replied. Returns what to render: the replay and anything after it, and whether the
   * replay starts later than `rendered` (the ring no longer held it all: the screen must be reset).
   */
  endAttach(reply: { replayed: number; offset: number }): { data: Uint8Array; gap: boolean } {
    this.resyncing = false;
    const all = concatBytes(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    // Everything held arrived before the reply, and the replay came last: it is the held tail.
    // What came before it is the old stream (already rendered, or skipped while hidden).
    const data = all.subarray(Math.max(0, all.length - reply.replayed));
    const replayStart = reply.offset - reply.replayed;
    const gap = replayStart > this.rendered;
    this.rendered = replayStart + data.length;
    return { data, gap };
  }
}
