// Asks the layout worker for a layout; only the latest request's answer is delivered (a layout
// that a newer graph replaced while it ran is dropped). One worker for the page's lifetime.
import type { LayoutInput, Positions } from './graph-layout.ts';
import type { LayoutReply, LayoutRequest } from './layout-worker.ts';

/** The worker's file, next to app.js (main/web/build-renderer.ts bundles it). */
export const LAYOUT_WORKER_FILE = 'layout-worker.js';

export class LayoutClient {
  private worker: Worker | null = null;
  private next = 0;
  private waiting = new Map<number, { resolve: (p: Positions | null) => void; reject: (e: Error) => void }>();
  /** Time the worker spent on the last layout (ms), for the benchmark. */
  lastMs = 0;

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL(LAYOUT_WORKER_FILE, document.baseURI));
    w.onmessage = (e: MessageEvent<LayoutReply>) => {
      const wait = this.waiting.get(e.data.id);
      if (!wait) return;
      this.waiting.delete(e.data.id);
      if ('error' in e.data) wait.reject(new Error(`layout failed: ${e.data.error}`));
      else {
        this.lastMs = e.data.ms;
        // A newer request superseded this one: its answer is of no use.
        wait.resolve(e.data.id === this.next ? e.data.positions : null);
      }
    };
    w.onerror = (e) => {
      for (const wait of this.waiting.values()) wait.reject(new Error(`layout worker: ${e.message}`));
      this.waiting.clear();
      this.worker = null;
    };
    this.worker = w;
    return w;
  }

  /** The layout, or null when a newer request was made before this one finished. */
  layout(input: LayoutInput): Promise<Positions | null> {
    const id = ++this.next;
    const message: LayoutRequest = { id, input };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.start().postMessage(message);
    });
  }
}

export const layoutClient = new LayoutClient();
