// The convoy graph: convoys, the beads they track, molecules with their steps as a chain, and the
// blocks / parent-child edges between beads, laid out in layers by a Web Worker (layout-client.ts).
//
// Invariants:
// - A layout is asked for only when the set of nodes or edges changes (model.structure); nodes
//   already placed keep their place (mergeLayout), so live changes recolour a node in place.
// - The viewport moves only on the first layout, after a filter change, and on Fit (button,
//   palette, shortcut); never by itself for a live change.
// - A node whose shown content did not change keeps its object: React Flow re-renders only changed nodes.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, Position, ReactFlow, ReactFlowProvider, useReactFlow, useStore, type Edge } from '@xyflow/react';
import { useServices, useTown } from '../../app-context.tsx';
import { BEAD_STATUSES, type BeadStatus } from '../../../preload/types.ts';
import { buildGraphModel, rigPrefixes, sameNode, type GraphModel } from './graph-model.ts';
import { NODE_HEIGHT, NODE_WIDTH, type LayoutInput, type Positions } from './graph-layout.ts';
import { mergeLayout } from './layout-merge.ts';
import { layoutClient } from './layout-client.ts';
import { onGraphFit, takeGraphFit } from './graph-commands.ts';
import { DETAIL_ZOOM, GraphNodeCard, type GraphFlowNode } from './GraphNodeCard.tsx';
import { stagedWaveLabels } from './graph-waves.ts';

const NODE_TYPES = { bead: GraphNodeCard };
/** Where GraphNodeCard's handles are (React Flow's 6 px handles, centred on the left and right
 *  borders): given with every node, React Flow need not mount a node to measure it, so with
 *  onlyRenderVisibleElements the first render mounts only the nodes in view, not all 1,000. */
const HANDLES: GraphFlowNode['handles'] = [
  { type: 'target', position: Position.Left, x: -3, y: NODE_HEIGHT / 2 - 3, width: 6, height: 6 },
  { type: 'source', position: Position.Right, x: NODE_WIDTH - 3, y: NODE_HEIGHT / 2 - 3, width: 6, height: 6 },
];
const BOX = { width: NODE_WIDTH, height: NODE_HEIGHT };
/** Past this many edges, edges are drawn straight and solid (cheaper to raster). */
const MANY_EDGES = 300;
/** includeHiddenNodes: fit by the nodes' declared size, so nodes not mounted (out of view) count too. */
const FIT = { padding: 0.05, duration: 0, includeHiddenNodes: true };

/** Layout figures for tests and benchmarks (read through window.gastownDebug.graph). */
export const graphStats = { layouts: 0, lastLayoutMs: 0, lastLayoutAt: 0, structure: '', modelMs: 0, renders: 0, nodesMs: 0, fits: 0 };
(globalThis as { gastownGraph?: typeof graphStats }).gastownGraph = graphStats;

function layoutInputOf(model: GraphModel): LayoutInput {
  return {
    nodes: model.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: model.edges.map((e) => ({ source: e.source, target: e.target })),
  };
}

function Filters() {
  const { actions } = useServices();
  const filter = useTown((s) => s.graphFilter);
  const beads = useTown((s) => s.beads.beads);
  const convoys = useMemo(() => Object.values(beads).filter((b) => b.type === 'convoy').sort((a, b) => a.title.localeCompare(b.title)), [beads]);
  const rigs = useMemo(() => [...new Set(rigPrefixes(beads).values())].sort(), [beads]);
  const statuses = filter.statuses;
  const toggle = (status: BeadStatus): void => {
    const held = new Set(statuses ?? BEAD_STATUSES);
    if (held.has(status)) held.delete(status);
    else held.add(status);
    actions.setGraphFilter({ statuses: held.size === BEAD_STATUSES.length ? null : BEAD_STATUSES.filter((s) => held.has(s)) });
  };
  return (
    <div className="filters graph-filters">
      <label>Convoy{' '}
        <select value={filter.convoy ?? ''} onChange={(e) => actions.setGraphFilter({ convoy: e.target.value || null })} data-testid="graph-filter-convoy">
          <option value="">all</option>
          {convoys.map((c) => <option key={c.id} value={c.id}>{c.title} ({c.id})</option>)}
        </select>
      </label>
      <label>Rig{' '}
        <select value={filter.rig ?? ''} onChange={(e) => actions.setGraphFilter({ rig: e.target.value || null })} data-testid="graph-filter-rig">
          <option value="">all</option>
          {rigs.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </label>
      {BEAD_STATUSES.map((s) => (
        <label key={s}><input type="checkbox" checked={!statuses || statuses.includes(s)} onChange={() => toggle(s)} data-testid={`graph-filter-status-${s}`} /> {s.replace('_', ' ')}</label>
      ))}
      <button onClick={() => actions.setGraphFilter({ convoy: null, rig: null, statuses: null })} data-testid="graph-filter-clear">Clear filter</button>
    </div>
  );
}

/** The dotted background only where it helps: zoomed far out, its dots are a pixel apart and
 *  repainting them (software raster) cost more than everything else in a frame. */
function GraphBackground() {
  const far = useStore((s) => s.transform[2] < DETAIL_ZOOM);
  return far ? null : <Background />;
}

function Graph() {
  const { actions } = useServices();
  const rf = useReactFlow();
  const beads = useTown((s) => s.beads.beads);
  const dependencies = useTown((s) => s.beads.dependencies);
  const costs = useTown((s) => s.beadCosts);
  const filter = useTown((s) => s.graphFilter);
  const model = useMemo(() => {
    const started = performance.now();
    const built = buildGraphModel({ beads, dependencies, costs, filter });
    graphStats.modelMs = performance.now() - started;
    return built;
  }, [beads, dependencies, costs, filter]);
  const waves = useMemo(() => stagedWaveLabels(beads, dependencies), [beads, dependencies]);
  graphStats.renders++;
  const [positions, setPositions] = useState<Positions>({});
  const [error, setError] = useState<string | null>(null);
  const placed = useRef<Positions>({});
  /** Every place a node had while this view was open: a node filtered out and back returns there. */
  const remembered = useRef<Positions>({});
  const laidOut = useRef<string | null>(null);
  /** A filter change fits the view once its layout is in (the user asked for another picture). */
  const fitAfterLayout = useRef(false);
  const filterRef = useRef(filter);
  if (filterRef.current !== filter) {
    filterRef.current = filter;
    fitAfterLayout.current = true;
  }
  const modelRef = useRef(model);
  modelRef.current = model;

  // Lay out again only when the set of nodes or edges changes.
  useEffect(() => {
    if (laidOut.current === model.structure) {
      // A filter that left the same nodes: nothing to lay out, nothing to fit later by surprise.
      fitAfterLayout.current = false;
      return;
    }
    let live = true;
    const input = layoutInputOf(modelRef.current);
    const structure = model.structure;
    const started = performance.now();
    layoutClient.layout(input).then((fresh) => {
      if (!fresh || !live) return;
      const first = laidOut.current === null;
      placed.current = mergeLayout({ ...remembered.current, ...placed.current }, fresh, input.edges, BOX);
      Object.assign(remembered.current, placed.current);
      laidOut.current = structure;
      Object.assign(graphStats, { layouts: graphStats.layouts + 1, lastLayoutMs: performance.now() - started, lastLayoutAt: performance.timeOrigin + performance.now(), structure });
      setPositions(placed.current);
      setError(null);
      const fit = takeGraphFit() || fitAfterLayout.current || first;
      fitAfterLayout.current = false;
      if (fit) requestAnimationFrame(() => { graphStats.fits++; void rf.fitView(FIT); });
    }, (err: Error) => { if (live) setError(err.message); });
    return () => { live = false; };
  }, [model.structure, filter, rf]);

  useEffect(() => onGraphFit(() => { if (takeGraphFit()) void rf.fitView(FIT); }), [rf]);

  // Nodes keep their object while what they show and their place are unchanged.
  const cache = useRef(new Map<string, GraphFlowNode>());
  const nodes = useMemo(() => {
    const started = performance.now();
    const next = new Map<string, GraphFlowNode>();
    const list: GraphFlowNode[] = [];
    for (const n of model.nodes) {
      const at = positions[n.id];
      if (!at) continue; // placed when its layout arrives
      const held = cache.current.get(n.id);
      const wave = waves.get(n.id) ?? null;
      const node = held && held.position === at && sameNode(held.data.node, n) && held.data.wave === wave
        ? held
        : { id: n.id, type: 'bead' as const, position: at, data: { node: n, wave }, draggable: false, connectable: false, width: NODE_WIDTH, height: NODE_HEIGHT, handles: HANDLES };
      next.set(n.id, node);
      list.push(node);
    }
    cache.current = next;
    graphStats.nodesMs = performance.now() - started;
    return list;
  }, [model.nodes, positions, waves]);

  const many = model.edges.length > MANY_EDGES;
  const edges = useMemo<Edge[]>(() => model.edges
    .filter((e) => positions[e.source] && positions[e.target])
    // Straight lines cost less to draw than curves once there are many, and so do solid ones: a
    // dashed stroke is cut into dashes along its whole length when a tile is rastered (a convoy's
    // tracks edges span the graph: 1,000 of them made each tile take ~260 ms in software raster).
    // No wider invisible path per edge to catch clicks (edges are not clickable): half the SVG.
    .map((e) => ({ id: e.id, source: e.source, target: e.target, className: `graph-edge edge-${e.kind}${many ? '' : ' edge-dashed'}`, animated: false, interactionWidth: 0, type: many ? 'straight' : 'default' })),
  // The edges change exactly when the structure or the placed nodes do.
  [model.structure, positions]);

  return (
    <div className="graph-canvas" data-testid="graph-canvas" data-structure={graphStats.structure} data-nodes={nodes.length} data-edges={edges.length}>
      {error && <p className="error">Could not lay the graph out: {error}</p>}
      {model.nodes.length === 0 && <p className="muted graph-empty">No convoys or molecules{filter.convoy || filter.rig || filter.statuses ? ' match the filter' : ' yet'}.</p>}
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodeClick={(_, node) => actions.openBeadDetail(node.id)}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable
        onlyRenderVisibleElements
        minZoom={0.05}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
        colorMode="system"
      >
        <GraphBackground />
        <Controls showInteractive={false} fitViewOptions={FIT} />
      </ReactFlow>
    </div>
  );
}

export function ConvoyGraphView() {
  return (
    <section className="panel graph-view" data-testid="convoy-graph">
      <h2>Convoys</h2>
      <Filters />
      <ReactFlowProvider>
        <Graph />
      </ReactFlowProvider>
    </section>
  );
}
