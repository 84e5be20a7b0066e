// Incremental layout: when the graph's set of nodes or edges changes, a fresh layered layout is
// computed, but nodes already on screen keep the place they had (the view does not jump). Pure.
//
// Invariants:
// - A node present before keeps its previous position exactly.
// - A new node takes its place in the fresh layout, moved by the shift its laid-out neighbours
//   (those that kept their old place) had between the fresh layout and the screen: it lands next to
//   them. A new node with no such neighbour is moved by the median shift of all kept nodes.
// - A new node never overlaps a node already placed: it moves down until it is clear.
// - Nodes that are gone are dropped.
import type { Positions } from './graph-layout.ts';

export interface Box {
  width: number;
  height: number;
}

export function mergeLayout(
  previous: Positions,
  fresh: Positions,
  edges: ReadonlyArray<{ source: string; target: string }>,
  box: Box,
  gap = 12,
): Positions {
  const out: Positions = {};
  const added: string[] = [];
  const shifts: Array<{ dx: number; dy: number }> = [];
  for (const id of Object.keys(fresh)) {
    const old = previous[id];
    if (old) {
      out[id] = old;
      shifts.push({ dx: old.x - fresh[id].x, dy: old.y - fresh[id].y });
    } else {
      added.push(id);
    }
  }
  if (!added.length) return out;
  const median = shifts.length ? { dx: medianOf(shifts.map((s) => s.dx)), dy: medianOf(shifts.map((s) => s.dy)) } : { dx: 0, dy: 0 };
  const neighbours = new Map<string, string[]>();
  for (const e of edges) {
    (neighbours.get(e.source) ?? neighbours.set(e.source, []).get(e.source)!).push(e.target);
    (neighbours.get(e.target) ?? neighbours.set(e.target, []).get(e.target)!).push(e.source);
  }
  const grid = new Grid(box.width + gap, box.height + gap);
  for (const id of Object.keys(out)) grid.add(out[id]);
  for (const id of added.sort()) {
    const kept = (neighbours.get(id) ?? []).filter((n) => previous[n] && fresh[n]);
    const shift = kept.length
      ? { dx: meanOf(kept.map((n) => previous[n].x - fresh[n].x)), dy: meanOf(kept.map((n) => previous[n].y - fresh[n].y)) }
      : median;
    const at = { x: Math.round(fresh[id].x + shift.dx), y: Math.round(fresh[id].y + shift.dy) };
    while (grid.overlaps(at)) at.y += box.height + gap;
    out[id] = at;
    grid.add(at);
  }
  return out;
}

/** Boxes in a coarse grid of cells the size of a box plus gap: an overlap test looks at 9 cells. */
class Grid {
  private cells = new Map<string, Array<{ x: number; y: number }>>();
  constructor(private readonly w: number, private readonly h: number) {}
  private key(cx: number, cy: number): string {
    return `${cx},${cy}`;
  }
  add(p: { x: number; y: number }): void {
    const k = this.key(Math.floor(p.x / this.w), Math.floor(p.y / this.h));
    const list = this.cells.get(k);
    if (list) list.push(p);
    else this.cells.set(k, [p]);
  }
  overlaps(p: { x: number; y: number }): boolean {
    const cx = Math.floor(p.x / this.w);
    const cy = Math.floor(p.y / this.h);
    for (let i = -1; i <= 1; i++) {
      for (let j = -1; j <= 1; j++) {
        for (const q of this.cells.get(this.key(cx + i, cy + j)) ?? []) if (Math.abs(q.x - p.x) < this.w && Math.abs(q.y - p.y) < this.h) return true;
      }
    }
    return false;
  }
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function meanOf(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
