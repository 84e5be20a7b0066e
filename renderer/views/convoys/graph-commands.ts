// Commands the palette and shortcuts send to the convoy graph while it may not be mounted yet (the
// view is switched to first): a pending fit is taken by the graph when it next has a layout.
let pendingFit = false;
const listeners = new Set<() => void>();

/** Asks the graph to fit every node in view. */
export function requestGraphFit(): void {
  pendingFit = true;
  for (const l of listeners) l();
}

/** The graph takes a pending fit (true once per request). */
export function takeGraphFit(): boolean {
  const was = pendingFit;
  pendingFit = false;
  return was;
}

export function onGraphFit(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
