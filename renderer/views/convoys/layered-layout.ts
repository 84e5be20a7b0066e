// A layered (Sugiyama-style) layout, left to right, in time close to linear in nodes + edges: the
// convoy graph's layout at 1,000 beads took dagre 2 s (network simplex ranking, Brandes–Köpf
// placement); this takes tens of milliseconds. Steps:
//   1. cycles broken by reversing the back edges of a depth-first search (for ranking only);
//   2. ranks by longest path from the sources; a source is then moved right, next to the first of
//      its successors (a lone blocker sits just before what it blocks, not in the first column);
//   3. an edge spanning several ranks gets a dummy node in each rank between (kept out of the
//      result), so long edges reserve room and take part in ordering;
//   4. order within each rank: depth-first initial order, then barycentre sweeps down and up,
//      keeping the order with the fewest crossings;
//   5. places along a rank: each node as close as it can get to the median of its neighbours in
//      the rank before (then after) it, keeping the order and the gaps (isotonic regression).
// Invariants: every input node gets a position; an edge's source is in a column left of its
// target unless the edge closes a cycle; boxes in a column do not overlap; the same input gives
// the same output (no randomness; ties broken by input order).

export interface LayerNode {
  id: string;
  width: number;
  height: number;
}

export interface LayerInput {
  nodes: readonly LayerNode[];
  edges: ReadonlyArray<{ source: string; target: string }>;
}

export interface LayerOptions {
  /** Gap between two boxes in one column. */
  nodeGap: number;
  /** Gap between two columns. */
  rankGap: number;
  margin: number;
}

const SWEEPS = 8;
const PLACE_PASSES = 4;
/** Room a long edge takes where it crosses a column. */
const DUMMY_HEIGHT = 8;

export function layerLayout(input: LayerInput, options: LayerOptions): Record<string, { x: number; y: number }> {
  const count = input.nodes.length;
  const index = new Map<string, number>();
  input.nodes.forEach((n, i) => index.set(n.id, i));

  // Real edges, deduplicated, without self-loops or unknown ends.
  const seen = new Set<string>();
  const links: Array<[number, number]> = [];
  for (const e of input.edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t) continue;
    const key = `${s}>${t}`;
    if (seen.has(key)) continue;
    seen.add(key);
    links.push([s, t]);
  }

  const rank = rankNodes(count, acyclic(count, links));

  // Every node, real and dummy: its rank, its height, its neighbours in the ranks before and after.
  const ranks: number[] = [...rank];
  const heights: number[] = input.nodes.map((n) => n.height);
  const before: number[][] = Array.from({ length: count }, () => []);
  const after: number[][] = Array.from({ length: count }, () => []);
  const join = (a: number, b: number): void => {
    after[a].push(b);
    before[b].push(a);
  };
  for (const [s, t] of links) {
    const [from, to] = rank[s] < rank[t] ? [s, t] : [t, s];
    let last = from;
    for (let r = rank[from] + 1; r < rank[to]; r++) {
      const dummy = ranks.length;
      ranks.push(r);
      heights.push(DUMMY_HEIGHT);
      before.push([]);
      after.push([]);
      join(last, dummy);
      last = dummy;
    }
    join(last, to);
  }

  const layers = orderLayers(ranks, before, after, count);
  const y = placeInColumns(layers, heights, before, after, options.nodeGap);

  // Columns: as wide as their widest box; boxes centred in them.
  const columnWidth: number[] = layers.map(() => 0);
  for (let i = 0; i < count; i++) columnWidth[rank[i]] = Math.max(columnWidth[rank[i]], input.nodes[i].width);
  const columnLeft: number[] = [];
  let left = options.margin;
  for (const w of columnWidth) {
    columnLeft.push(left);
    left += w + options.rankGap;
  }
  let top = Infinity;
  for (let i = 0; i < count; i++) top = Math.min(top, y[i] - heights[i] / 2);
  const out: Record<string, { x: number; y: number }> = {};
  for (let i = 0; i < count; i++) {
    const n = input.nodes[i];
    out[n.id] = {
      x: Math.round(columnLeft[rank[i]] + (columnWidth[rank[i]] - n.width) / 2),
      y: Math.round(y[i] - n.height / 2 - top + options.margin),
    };
  }
  return out;
}

/** The links with every back edge of a depth-first search (in input order) reversed: no cycles. */
function acyclic(count: number, links: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: number[][] = Array.from({ length: count }, () => []);
  links.forEach(([s], i) => out[s].push(i));
  const state = new Uint8Array(count); // 0 unseen, 1 on the stack, 2 done
  const reversed = new Set<number>();
  for (let root = 0; root < count; root++) {
    if (state[root]) continue;
    const stack: Array<[number, number]> = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, next] = top;
      if (next >= out[v].length) {
        state[v] = 2;
        stack.pop();
        continue;
      }
      top[1]++;
      const link = out[v][next];
      const w = links[link][1];
      if (state[w] === 1) reversed.add(link);
      else if (state[w] === 0) {
        state[w] = 1;
        stack.push([w, 0]);
      }
    }
  }
  return links.map(([s, t], i) => (reversed.has(i) ? [t, s] : [s, t]));
}

/** Longest path from the sources; then every source moves right to just before its nearest successor. */
function rankNodes(count: number, links: ReadonlyArray<[number, number]>): number[] {
  const out: number[][] = Array.from({ length: count }, () => []);
  const incoming = new Int32Array(count);
  for (const [s, t] of links) {
    out[s].push(t);
    incoming[t]++;
  }
  const rank = new Array<number>(count).fill(0);
  const waiting = Int32Array.from(incoming);
  const queue: number[] = [];
  for (let i = 0; i < count; i++) if (!waiting[i]) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (const w of out[v]) {
      rank[w] = Math.max(rank[w], rank[v] + 1);
      if (--waiting[w] === 0) queue.push(w);
    }
  }
  for (let i = 0; i < count; i++) {
    if (incoming[i] || !out[i].length) continue;
    rank[i] = Math.min(...out[i].map((t) => rank[t])) - 1;
  }
  const lowest = Math.min(0, ...rank);
  return lowest ? rank.map((r) => r - lowest) : rank;
}

/** Nodes per rank, in the order with the fewest crossings found by barycentre sweeps. */
function orderLayers(ranks: readonly number[], before: readonly number[][], after: readonly number[][], realCount: number): number[][] {
  const depth = Math.max(0, ...ranks) + 1;
  const layers: number[][] = Array.from({ length: depth }, () => []);
  // Initial order: depth-first from the real nodes of the first ranks, in input order.
  const visited = new Uint8Array(ranks.length);
  const starts = [...Array(realCount).keys()].sort((a, b) => ranks[a] - ranks[b] || a - b);
  for (const start of starts) {
    if (visited[start]) continue;
    const stack = [start];
    while (stack.length) {
      const v = stack.pop()!;
      if (visited[v]) continue;
      visited[v] = 1;
      layers[ranks[v]].push(v);
      for (let k = after[v].length - 1; k >= 0; k--) if (!visited[after[v][k]]) stack.push(after[v][k]);
    }
  }
  for (let v = 0; v < ranks.length; v++) if (!visited[v]) layers[ranks[v]].push(v); // not reachable downwards (only dummies could be)

  const position = new Float64Array(ranks.length);
  const setPositions = (layer: readonly number[]): void => layer.forEach((v, i) => { position[v] = i; });
  layers.forEach(setPositions);
  let best = layers.map((l) => [...l]);
  let fewest = crossings(layers, after, position);
  for (let sweep = 0; sweep < SWEEPS && fewest > 0; sweep++) {
    const down = sweep % 2 === 0;
    const range = down ? [...Array(depth).keys()].slice(1) : [...Array(depth).keys()].reverse().slice(1);
    for (const r of range) {
      const layer = layers[r];
      const weights = layer.map((v, i) => {
        const near = down ? before[v] : after[v];
        if (!near.length) return i; // nothing to follow: stays where it is
        let sum = 0;
        for (const u of near) sum += position[u];
        return sum / near.length;
      });
      const sorted = layer.map((v, i) => ({ v, w: weights[i], i })).sort((a, b) => a.w - b.w || a.i - b.i);
      layers[r] = sorted.map((s) => s.v);
      setPositions(layers[r]);
    }
    const now = crossings(layers, after, position);
    if (now < fewest) {
      fewest = now;
      best = layers.map((l) => [...l]);
    }
  }
  return best;
}

/** Edge crossings between consecutive ranks (positions as set for `layers`), by counting inversions. */
function crossings(layers: readonly number[][], after: readonly number[][], position: Float64Array): number {
  let total = 0;
  for (let r = 0; r + 1 < layers.length; r++) {
    const targets: number[] = [];
    for (const v of layers[r]) {
      const ends = after[v].map((w) => position[w]).sort((a, b) => a - b);
      for (const e of ends) targets.push(e);
    }
    total += inversions(targets, layers[r + 1].length);
  }
  return total;
}

/** Pairs i < j with xs[i] > xs[j], for integers in [0, size) (a Fenwick tree). */
function inversions(xs: readonly number[], size: number): number {
  const tree = new Int32Array(size + 1);
  let count = 0;
  for (let k = xs.length - 1; k >= 0; k--) {
    for (let i = xs[k]; i > 0; i -= i & -i) count += tree[i]; // smaller values already seen to the right
    for (let i = xs[k] + 1; i <= size; i += i & -i) tree[i]++;
  }
  return count;
}

/** The centre of every node along its column: packed in order, then pulled toward its neighbours. */
function placeInColumns(layers: readonly number[][], heights: readonly number[], before: readonly number[][], after: readonly number[][], gap: number): Float64Array {
  const y = new Float64Array(heights.length);
  for (const layer of layers) {
    let at = 0;
    for (const v of layer) {
      y[v] = at + heights[v] / 2;
      at += heights[v] + gap;
    }
  }
  // Centre every column on the tallest one first: the first pulls then start from a balanced picture.
  const extent = layers.map((l) => (l.length ? y[l[l.length - 1]] + heights[l[l.length - 1]] / 2 : 0));
  const tallest = Math.max(0, ...extent);
  layers.forEach((l, r) => { for (const v of l) y[v] += (tallest - extent[r]) / 2; });

  for (let pass = 0; pass < PLACE_PASSES; pass++) {
    const down = pass % 2 === 0;
    const order = down ? layers.map((_, r) => r) : layers.map((_, r) => layers.length - 1 - r);
    for (const r of order) {
      const layer = layers[r];
      const wanted = layer.map((v) => {
        const near = down ? before[v] : after[v];
        return near.length ? medianOf(near.map((u) => y[u])) : y[v];
      });
      const placed = closestInOrder(wanted, layer.map((v, i) => (i ? (heights[layer[i - 1]] + heights[v]) / 2 + gap : 0)));
      layer.forEach((v, i) => { y[v] = placed[i]; });
    }
  }
  return y;
}

/** Values as close as possible (least squares) to `wanted`, each at least `gaps[i]` after the one
 *  before: with offsets o_i = Σ gaps, z_i = value_i − o_i must not decrease, which is isotonic
 *  regression (pool adjacent violators). */
function closestInOrder(wanted: readonly number[], gaps: readonly number[]): number[] {
  const offset: number[] = [];
  let sum = 0;
  for (const g of gaps) {
    sum += g;
    offset.push(sum);
  }
  const blocks: Array<{ mean: number; size: number }> = [];
  wanted.forEach((w, i) => {
    blocks.push({ mean: w - offset[i], size: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].mean > blocks[blocks.length - 1].mean) {
      const b = blocks.pop()!;
      const a = blocks[blocks.length - 1];
      a.mean = (a.mean * a.size + b.mean * b.size) / (a.size + b.size);
      a.size += b.size;
    }
  });
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.size; k++) out.push(b.mean + offset[out.length]);
  return out;
}

function medianOf(xs: number[]): number {
  const s = xs.sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
