// The Web Worker that lays the convoy graph out off the main thread (bundled on its own as
// layout-worker.js by main/web/build-renderer.ts). One message in, one out, tagged by request id.
import { layeredLayout, type LayoutInput, type Positions } from './graph-layout.ts';

export interface LayoutRequest {
  id: number;
  input: LayoutInput;
}

export type LayoutReply = { id: number; positions: Positions; ms: number } | { id: number; error: string };

const scope = self as unknown as { onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null; postMessage(m: LayoutReply): void };
scope.onmessage = (e) => {
  const started = performance.now();
  try {
    scope.postMessage({ id: e.data.id, positions: layeredLayout(e.data.input), ms: performance.now() - started });
  } catch (err) {
    scope.postMessage({ id: e.data.id, error: (err as Error).message });
  }
};
