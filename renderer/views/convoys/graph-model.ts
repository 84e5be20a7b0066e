// The convoy graph's model, built from the store's bead domain: which beads are nodes, what each
// node shows, which edges join them, after the user's filter. Pure: no I/O, no React, no layout.
//
// Invariants:
// - Nodes: every convoy, every bead a convoy tracks, every molecule and its steps (its
//   parent-child children), and every work bead joined to one of those by a `blocks` or
//   `parent-child` edge. Infrastructure beads (agents, merge requests, messages, …) never are.
// - Edges point from what comes first to what follows: convoy → tracked bead, blocker → blocked,
//   parent → child. A molecule's steps are a chain: molecule → step 1 → step 2 → … (ordered by the
//   blocks edges between them, then creation time, then id); the chain replaces the parent-child
//   edges of its steps, and a blocks edge that duplicates a chain link is not drawn twice.
// - Every edge joins two nodes of the model (an edge to a filtered-out node is dropped).
// - Nodes and edges are sorted by id, and `structure` names exactly the set of node ids and edge
//   ids: it changes when, and only when, a re-layout is needed (a status or cost change keeps it).
import type { Bead, BeadStatus, Dependency } from '../../../preload/types.ts';
import type { CostTotals } from '../../../preload/requests/cost-types.ts';
import type { MergeRequestMeta, MrPhase } from '../../../preload/requests/merge-queue-types.ts';

export type GraphNodeKind = 'convoy' | 'bead' | 'molecule' | 'step';
export type GraphEdgeKind = 'tracks' | 'blocks' | 'parent-child' | 'step';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  title: string;
  type: Bead['type'];
  status: BeadStatus;
  priority: number;
  /** The rig whose work it is (by id prefix; a convoy: its rig setting), null when unknown. */
  rig: string | null;
  /** The agent holding it (hooked or in progress), null otherwise. */
  agent: string | null;
  /** Its most recent merge request, if any. */
  mergeRequest: { id: string; phase: MrPhase } | null;
  /** Cost so far of the sessions that worked on it; null when nothing is recorded. */
  cost: CostTotals | null;
  /** Convoys and molecules: closed / total of what they track or hold. */
  progress: { closed: number; total: number } | null;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Names the set of node and edge ids (changes exactly when the layout must be redone). */
  structure: string;
}

export interface GraphFilter {
  /** Only this convoy and what it tracks (with molecule steps and their edges). */
  convoy: string | null;
  rig: string | null;
  /** Only beads in these statuses (convoys stay while they have a bead shown); null: all. */
  statuses: readonly BeadStatus[] | null;
}

export const NO_FILTER: GraphFilter = { convoy: null, rig: null, statuses: null };

export interface GraphInputs {
  beads: Record<string, Bead>;
  dependencies: Record<string, Dependency>;
  /** Cost per bead id (costReport by bead). */
  costs?: Record<string, CostTotals>;
  filter?: GraphFilter;
}

const NOT_WORK: ReadonlySet<string> = new Set(['agent', 'merge-request', 'message', 'escalation', 'event', 'role', 'rig', 'gate', 'convoy']);
const isWork = (b: Bead | undefined): b is Bead => !!b && !NOT_WORK.has(b.type);
const DONE: ReadonlySet<BeadStatus> = new Set(['closed']);

/** Rig name by bead id prefix, from the ledger's rig beads (metadata: the rig's record). */
export function rigPrefixes(beads: Record<string, Bead>): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of Object.values(beads)) {
    if (b.type !== 'rig' || b.status === 'closed') continue;
    const m = b.metadata as { name?: unknown; prefix?: unknown };
    if (typeof m.name === 'string' && typeof m.prefix === 'string') out.set(m.prefix, m.name);
  }
  return out;
}

const prefixOf = (id: string): string => id.slice(0, Math.max(0, id.lastIndexOf('-')));

export function buildGraphModel(input: GraphInputs): GraphModel {
  const { beads, dependencies } = input;
  const filter = input.filter ?? NO_FILTER;
  const prefixes = rigPrefixes(beads);
  const deps = Object.values(dependencies);

  // Merge requests by the work bead they deliver: the most recently updated wins.
  const mrOf = new Map<string, Bead>();
  for (const b of Object.values(beads)) {
    if (b.type !== 'merge-request') continue;
    const work = (b.metadata as Partial<MergeRequestMeta>).bead;
    if (!work) continue;
    const held = mrOf.get(work);
    if (!held || held.updatedAt < b.updatedAt) mrOf.set(work, b);
  }

  const tracked = new Map<string, string[]>(); // convoy → tracked ids
  const trackedBy = new Map<string, string[]>(); // bead → convoys
  const children = new Map<string, string[]>(); // parent → children (parent-child)
  const links: Dependency[] = []; // blocks and parent-child between work beads
  for (const d of deps) {
    if (d.type === 'tracks') {
      if (beads[d.issueId]?.type !== 'convoy' || !isWork(beads[d.dependsOnId])) continue;
      push(tracked, d.issueId, d.dependsOnId);
      push(trackedBy, d.dependsOnId, d.issueId);
    } else if (d.type === 'blocks' || d.type === 'parent-child') {
      if (!isWork(beads[d.issueId]) || !isWork(beads[d.dependsOnId])) continue;
      links.push(d);
      if (d.type === 'parent-child') push(children, d.dependsOnId, d.issueId);
    }
  }

  // Which beads are in the graph before filtering.
  const inGraph = new Set<string>();
  for (const b of Object.values(beads)) {
    if (b.type === 'convoy') inGraph.add(b.id);
    else if (b.type === 'molecule') inGraph.add(b.id);
  }
  for (const id of trackedBy.keys()) inGraph.add(id);
  for (const [parent, kids] of children) if (beads[parent]?.type === 'molecule') for (const k of kids) inGraph.add(k);
  // Beads joined to the graph by blocks / parent-child (one step out is enough: both ends are work).
  for (const d of links) {
    if (inGraph.has(d.issueId) || inGraph.has(d.dependsOnId)) { inGraph.add(d.issueId); inGraph.add(d.dependsOnId); }
  }

  const rigOf = (b: Bead): string | null => {
    if (b.type === 'convoy') {
      const r = (b.metadata as { rig?: unknown }).rig;
      return typeof r === 'string' ? r : null;
    }
    return prefixes.get(prefixOf(b.id)) ?? null;
  };

  // The filter, on work beads first; convoys follow what they track.
  let shown = new Set<string>();
  const statuses = filter.statuses ? new Set(filter.statuses) : null;
  let scope: Set<string> | null = null;
  if (filter.convoy) {
    scope = new Set([filter.convoy, ...(tracked.get(filter.convoy) ?? [])]);
    for (const id of [...scope]) for (const k of stepsOf(id)) scope.add(k);
  }
  function stepsOf(id: string): string[] {
    return beads[id]?.type === 'molecule' ? (children.get(id) ?? []) : [];
  }
  for (const id of inGraph) {
    const b = beads[id];
    if (b.type === 'convoy') continue;
    if (scope && !scope.has(id)) continue;
    if (filter.rig && rigOf(b) !== filter.rig) continue;
    if (statuses && !statuses.has(b.status)) continue;
    shown.add(id);
  }
  for (const id of inGraph) {
    const b = beads[id];
    if (b.type !== 'convoy') continue;
    if (filter.convoy && id !== filter.convoy) continue;
    const hasShown = (tracked.get(id) ?? []).some((t) => shown.has(t));
    const filtered = !!filter.rig || !!statuses;
    if (filtered ? hasShown || (filter.rig !== null && rigOf(b) === filter.rig && !statuses) : true) shown.add(id);
  }
  shown = new Set([...shown].sort());

  // Edges.
  const edges = new Map<string, GraphEdge>();
  const add = (source: string, target: string, kind: GraphEdgeKind): void => {
    if (!shown.has(source) || !shown.has(target) || source === target) return;
    const id = `${kind}:${source}>${target}`;
    edges.set(id, { id, source, target, kind });
  };
  const chainLinks = new Set<string>();
  const stepKind = new Map<string, 'step'>();
  for (const [parent, kids] of children) {
    if (beads[parent]?.type !== 'molecule') continue;
    const chain = orderSteps(kids.filter((k) => shown.has(k)), links, beads);
    let previous = shown.has(parent) ? parent : null;
    for (const step of chain) {
      stepKind.set(step, 'step');
      if (previous) { add(previous, step, 'step'); chainLinks.add(`${previous}>${step}`); }
      previous = step;
    }
  }
  for (const [convoy, ids] of tracked) for (const id of ids) add(convoy, id, 'tracks');
  for (const d of links) {
    const parentIsMolecule = d.type === 'parent-child' && beads[d.dependsOnId]?.type === 'molecule';
    if (parentIsMolecule) continue; // drawn as the chain
    if (d.type === 'blocks' && chainLinks.has(`${d.dependsOnId}>${d.issueId}`)) continue;
    add(d.dependsOnId, d.issueId, d.type === 'blocks' ? 'blocks' : 'parent-child');
  }

  const nodes: GraphNode[] = [];
  for (const id of shown) {
    const b = beads[id];
    const kind: GraphNodeKind = b.type === 'convoy' ? 'convoy' : b.type === 'molecule' ? 'molecule' : stepKind.has(id) ? 'step' : 'bead';
    const held = kind === 'convoy' ? tracked.get(id) : kind === 'molecule' ? children.get(id) : undefined;
    const mr = mrOf.get(id);
    nodes.push({
      id,
      kind,
      title: b.title,
      type: b.type,
      status: b.status,
      priority: b.priority,
      rig: rigOf(b),
      agent: (b.status === 'hooked' || b.status === 'in_progress') && b.assignee ? b.assignee : null,
      mergeRequest: mr ? { id: mr.id, phase: (mr.metadata as Partial<MergeRequestMeta>).phase ?? 'queued' } : null,
      cost: input.costs?.[id] ?? null,
      progress: held ? { closed: held.filter((h) => DONE.has(beads[h]?.status)).length, total: held.length } : null,
    });
  }
  const edgeList = [...edges.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { nodes, edges: edgeList, structure: structureOf(nodes, edgeList) };
}

/** Steps in chain order: blocks edges among them first (a topological order), then creation time, then id. */
export function orderSteps(steps: readonly string[], links: readonly Dependency[], beads: Record<string, Bead>): string[] {
  const set = new Set(steps);
  const before = new Map<string, Set<string>>(); // step → steps it waits for
  for (const s of steps) before.set(s, new Set());
  for (const d of links) if (d.type === 'blocks' && set.has(d.issueId) && set.has(d.dependsOnId)) before.get(d.issueId)!.add(d.dependsOnId);
  const rank = (a: string, b: string): number => {
    const x = beads[a]?.createdAt ?? '';
    const y = beads[b]?.createdAt ?? '';
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
  const out: string[] = [];
  const done = new Set<string>();
  const left = [...steps].sort(rank);
  while (left.length) {
    // The first (by rank) step whose blockers are all placed; on a cycle, the first one left.
    let i = left.findIndex((s) => [...before.get(s)!].every((p) => done.has(p)));
    if (i < 0) i = 0;
    const [s] = left.splice(i, 1);
    out.push(s);
    done.add(s);
  }
  return out;
}

/** The last ids hashed and their name: a live change keeps the ids, and joining them (native) is
 *  far cheaper than hashing them again character by character on every update. */
let lastIds = '';
let lastName = '';

/** A short name for the set of node and edge ids (a 53-bit FNV-style hash plus the counts). */
export function structureOf(nodes: readonly { id: string }[], edges: readonly { id: string }[]): string {
  const ids = `${nodes.map((n) => n.id).join('\n')}|${edges.map((e) => e.id).join('\n')}`;
  if (ids === lastIds) return lastName;
  lastName = hashOf(nodes, edges);
  lastIds = ids;
  return lastName;
}

function hashOf(nodes: readonly { id: string }[], edges: readonly { id: string }[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const feed = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 = Math.imul(h1 ^ 0x7c, 0x01000193);
  };
  for (const n of nodes) feed(n.id);
  feed('|');
  for (const e of edges) feed(e.id);
  return `${nodes.length}:${edges.length}:${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Whether two builds of a node show the same thing (a node that did not change keeps its object). */
export function sameNode(a: GraphNode, b: GraphNode): boolean {
  return a.id === b.id && a.kind === b.kind && a.title === b.title && a.status === b.status && a.priority === b.priority
    && a.rig === b.rig && a.agent === b.agent && a.cost === b.cost
    && a.mergeRequest?.id === b.mergeRequest?.id && a.mergeRequest?.phase === b.mergeRequest?.phase
    && a.progress?.closed === b.progress?.closed && a.progress?.total === b.progress?.total;
}
