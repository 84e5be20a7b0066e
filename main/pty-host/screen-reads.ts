// The PTY host's screen reads, one at a time. Pure (how the next read is started is injected).
//
// A screen read (a snapshot: status detection, the inbox's excerpt, the final screen at an exit)
// parses a session's output since its last read in a headless xterm, then serializes the screen.
// The Town reads every busy session's screen in the same status tick (every 2 s), so with 15
// streaming sessions 15 parses ran back to back in one pass of the event loop: 30–250 ms in which
// the host read no PTY and answered no request, and a key typed then (its write, the Town's check
// before it, its echo) waited for all of them (docs/ui.md, "Echo under load (session 14)"). So:
// - reads run one at a time, in the order they were asked for;
// - the next read starts from `defer` (setImmediate: after the event loop has polled for I/O), so
//   requests, writes and PTY output that arrived meanwhile are handled between two reads;
// - a read that fails does not stop the ones after it; its caller gets its error.
// (ScreenModel hands xterm its output in slices, so one read also yields to I/O while it parses.)

export type Defer = (fn: () => void) => void;

export class ScreenReads {
  private readonly waiting: Array<() => void> = [];
  private running = false;

  constructor(private readonly defer: Defer) {}

  /** Runs `read` after every read asked for before it has finished. */
  run<T>(read: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        let result: Promise<T>;
        try {
          result = read();
        } catch (err) {
          result = Promise.reject(err);
        }
        result.then(resolve, reject).finally(() => this.finished());
      });
      if (!this.running) this.startNext();
    });
  }

  /** Reads asked for and not finished (the running one included). */
  get pending(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  private startNext(): void {
    const next = this.waiting.shift();
    if (!next) return;
    this.running = true;
    this.defer(next);
  }

  private finished(): void {
    this.running = false;
    this.startNext();
  }
}
