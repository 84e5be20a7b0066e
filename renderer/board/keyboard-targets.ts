// Keyboard drag-and-drop on the Board: an arrow key jumps the dragged card to the nearest drop
// target in that direction (a column, an agent, a rig, "any free polecat"), instead of moving it by
// a few pixels. Pure: rectangles in, the chosen one out.
export interface TargetRect {
  id: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export type Direction = 'left' | 'right' | 'up' | 'down';

export function directionOf(code: string): Direction | null {
  return code === 'ArrowLeft' ? 'left' : code === 'ArrowRight' ? 'right' : code === 'ArrowUp' ? 'up' : code === 'ArrowDown' ? 'down' : null;
}

/** The nearest target whose centre lies in the direction from `from` (a centre point); the current one excluded. */
export function nextTarget(from: { x: number; y: number }, rects: readonly TargetRect[], direction: Direction, current: string | null): TargetRect | null {
  let best: TargetRect | null = null;
  let bestScore = Infinity;
  for (const r of rects) {
    if (r.id === current) continue;
    const dx = r.left + r.width / 2 - from.x;
    const dy = r.top + r.height / 2 - from.y;
    const along = direction === 'left' ? -dx : direction === 'right' ? dx : direction === 'up' ? -dy : dy;
    const across = direction === 'left' || direction === 'right' ? Math.abs(dy) : Math.abs(dx);
    if (along <= 1) continue;
    // Prefer what lies straight ahead: distance sideways counts double.
    const score = along + 2 * across;
    if (score < bestScore) { best = r; bestScore = score; }
  }
  return best;
}
