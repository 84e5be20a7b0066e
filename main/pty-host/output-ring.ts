// A bounded ring of a session's most recent output, addressed by absolute byte offsets, so a
// consumer can attach "from offset N" and get exactly what it missed (or all that is left).
// Chunks are kept as they arrived (no copying on the hot path); the oldest are dropped or trimmed
// once the total passes the cap.

export class OutputRing {
  private chunks: Uint8Array[] = [];
  private held = 0;
  /** Absolute offset of the first byte still held. */
  private start = 0;

  constructor(private readonly capBytes: number) {}

  /** Absolute offset just past the newest byte (total bytes ever pushed). */
  get end(): number {
    return this.start + this.held;
  }

  get oldest(): number {
    return this.start;
  }

  get size(): number {
    return this.held;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (chunk.length >= this.capBytes) {
      // One chunk larger than the whole ring: keep only its tail.
      this.start += this.held + chunk.length - this.capBytes;
      this.chunks = [chunk.subarray(chunk.length - this.capBytes)];
      this.held = this.capBytes;
      return;
    }
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.held > this.capBytes) {
      const first = this.chunks[0];
      const excess = this.held - this.capBytes;
      if (first.length <= excess) {
        this.chunks.shift();
        this.held -= first.length;
        this.start += first.length;
      } else {
        // subarray keeps the old backing store alive, so copy the kept tail when trimming.
        this.chunks[0] = first.slice(excess);
        this.held -= excess;
        this.start += excess;
      }
    }
  }

  /** Bytes from `from` (clamped to what is still held) to the end, as one contiguous copy. */
  readFrom(from: number | null): Uint8Array {
    const begin = from === null ? this.start : Math.min(Math.max(from, this.start), this.end);
    let skip = begin - this.start;
    const out = new Uint8Array(this.end - begin);
    let pos = 0;
    for (const c of this.chunks) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      const part = skip > 0 ? c.subarray(skip) : c;
      skip = 0;
      out.set(part, pos);
      pos += part.length;
    }
    return out;
  }
}
