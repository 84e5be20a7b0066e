// The main window's size and place, remembered between runs. Pure: what to save, and where to put
// the window next time given the displays there are now.
// Invariants: a restored window is always on a display that exists (a saved place on a monitor
// that was unplugged falls back to the primary display, centred) and never smaller than the minimum.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 };
export const MIN_SIZE = { width: 720, height: 480 };

/** Reads a saved state; anything malformed is no state (the defaults apply). */
export function parseWindowState(text: string | null): WindowState | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as { bounds?: Partial<Rect>; maximized?: unknown };
    const b = v.bounds;
    if (!b || ![b.x, b.y, b.width, b.height].every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
    return { bounds: { x: b.x!, y: b.y!, width: b.width!, height: b.height! }, maximized: v.maximized === true };
  } catch {
    return null;
  }
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where the window goes: the saved bounds if enough of it (a title bar's worth) lies on a display
 * now, clamped into that display; else the default size centred on the primary display.
 */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rect[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE };
  const centred = (w: number, h: number, area: Rect): Rect => ({
    width: w, height: h, x: Math.round(area.x + (area.width - w) / 2), y: Math.round(area.y + (area.height - h) / 2),
  });
  const fallback = (): WindowState => {
    const w = Math.min(DEFAULT_SIZE.width, primary.width);
    const h = Math.min(DEFAULT_SIZE.height, primary.height);
    return { bounds: centred(Math.max(w, Math.min(MIN_SIZE.width, primary.width)), Math.max(h, Math.min(MIN_SIZE.height, primary.height)), primary), maximized: false };
  };
  if (!saved) return fallback();
  const best = [...workAreas].sort((a, b) => overlap(saved.bounds, b) - overlap(saved.bounds, a))[0];
  if (!best || overlap(saved.bounds, best) < 40 * 100) return { ...fallback(), maximized: saved.maximized };
  const width = Math.min(best.width, Math.max(MIN_SIZE.width, saved.bounds.width));
  const height = Math.min(best.height, Math.max(MIN_SIZE.height, saved.bounds.height));
  const x = Math.min(Math.max(saved.bounds.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(saved.bounds.y, best.y), best.y + best.height - height);
  return { bounds: { x, y, width, height }, maximized: saved.maximized };
}
