// Collects items and hands them over once per animation frame: a burst of events (a 1,000-bead
// commit, many agents changing state at once) becomes one store update and one render.
// Invariant: items are delivered in arrival order, each exactly once, in at most one flush per frame
// (or per FRAME_WAIT_MS when frames come slower than that).

export type Scheduler = (run: () => void) => void;

/** A flush waits at most this long for an animation frame: while frames are slow (a big graph
 *  being painted by a busy machine), events still reach the store and the DOM in time. */
export const FRAME_WAIT_MS = 50;

export const animationFrame: Scheduler = (run) => {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState !== 'hidden') {
    let ran = false;
    const once = (): void => {
      if (ran) return;
      ran = true;
      run();
    };
    requestAnimationFrame(once);
    setTimeout(once, FRAME_WAIT_MS);
  } else setTimeout(run, 16);
};

export class FrameBatcher<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly schedule: Scheduler = animationFrame,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.run());
  }

  /** Hands over what is waiting now (e.g. before a snapshot replaces the state). */
  drain(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  private run(): void {
    this.scheduled = false;
    const items = this.drain();
    if (items.length) this.flush(items);
  }
}
