// A headless xterm per session, created only when someone asks for the screen (snapshot, status
// detection, thumbnail). It is fed lazily: output is parsed only when a snapshot is taken, and at
// most the ring's worth of it, so a flooding session that nobody looks at pays nothing for it.
// The output is handed to xterm in slices of at most FEED_SLICE_BYTES: xterm yields to the event
// loop between writes (after ~12 ms of parsing), never within one, so a read of a busy session
// (up to the ring's 256 KB) does not hold the PTY host for its whole parse (screen-reads.ts).

import xtermHeadless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import type { ScreenSnapshot } from './protocol.ts';
import type { OutputRing } from './output-ring.ts';

const SCROLLBACK_LINES = 200;
/** Output handed to xterm per write while a snapshot catches up. */
const FEED_SLICE_BYTES = 16 * 1024;

export class ScreenModel {
  private term: InstanceType<typeof xtermHeadless.Terminal>;
  private serializer: InstanceType<typeof serializeAddon.SerializeAddon>;
  /** Absolute output offset the terminal has been fed up to. */
  private fedTo = 0;

  constructor(cols: number, rows: number) {
    // logLevel off: binary output (a flood, a cat of a file) makes xterm log parse errors per byte.
    this.term = new xtermHeadless.Terminal({ cols, rows, scrollback: SCROLLBACK_LINES, allowProposedApi: true, logLevel: 'off' });
    this.serializer = new serializeAddon.SerializeAddon();
    // The serialize addon is typed against @xterm/xterm's Terminal; the headless one is compatible.
    this.term.loadAddon(this.serializer as unknown as Parameters<typeof this.term.loadAddon>[0]);
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Brings the model up to date with the ring (at most its last `maxBytes`) and reads it. */
  async snapshot(ring: OutputRing, maxBytes = Infinity): Promise<ScreenSnapshot> {
    const from = Math.max(ring.oldest, ring.end - maxBytes);
    if (this.fedTo < from) {
      // We missed output that has already left the ring: start over from what is there, so the
      // screen is right as far as the ring allows (a full-screen app redraws often anyway).
      this.term.reset();
      this.fedTo = from;
    }
    const pending = ring.readFrom(this.fedTo);
    this.fedTo = ring.end;
    if (pending.length > 0) await this.feed(pending);
    return this.read();
  }

  /** Hands `bytes` to xterm in slices; resolves once the last is parsed. */
  private feed(bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve) => {
      for (let at = 0; at < bytes.length; at += FEED_SLICE_BYTES) {
        const slice = bytes.subarray(at, at + FEED_SLICE_BYTES);
        if (at + FEED_SLICE_BYTES >= bytes.length) this.term.write(slice, resolve);
        else this.term.write(slice);
      }
    });
  }

  private read(): ScreenSnapshot {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    const cursorLine = buf.getLine(buf.baseY + buf.cursorY)?.translateToString(true) ?? '';
    return { text: lines.join('\n').replace(/\n+$/, ''), serialized: this.serializer.serialize(), cursorLine };
  }

  dispose(): void {
    this.term.dispose();
  }
}
