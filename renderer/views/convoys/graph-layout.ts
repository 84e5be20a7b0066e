// The layered layout of the convoy graph (left to right, layered-layout.ts): node boxes and edges in,
// the top-left corner of every node out. Pure and synchronous: the Web Worker (layout-worker.ts)
// runs it off the main thread; tests and benchmarks call it directly.
// Invariants: every input node gets a position; the same input gives the same output.
import { layerLayout } from './layered-layout.ts';

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
  return layerLayout(input, { nodeGap: 16, rankGap: 60, margin: 10 });
}
