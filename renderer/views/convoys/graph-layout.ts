// The layered layout of the convoy graph (dagre, left to right): node boxes and edges in, the
// top-left corner of every node out. Pure and synchronous: the Web Worker (layout-worker.ts) runs
// it off the main thread; tests and benchmarks call it directly.
// Invariants: every input node gets a position; the same input gives the same output.
import dagre from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutInput {
  nodes: LayoutNode[];
  edges: Array<{ source: string; target: string }>;
}

export type Positions = Record<string, { x: number; y: number }>;

export const NODE_WIDTH = 230;
export const NODE_HEIGHT = 84;

export function layeredLayout(input: LayoutInput): Positions {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Positions = {};
  for (const n of input.nodes) {
    const p = g.node(n.id);
    // dagre gives centres; React Flow places nodes by their top-left corner.
    out[n.id] = { x: Math.round(p.x - n.width / 2), y: Math.round(p.y - n.height / 2) };
  }
  return out;
}
