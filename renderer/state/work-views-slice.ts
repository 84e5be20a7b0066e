// The store's slice for the convoy graph, the merge queue view and the bead detail panel: which
// bead's detail is open, the graph's filter, cost per bead, and each rig's merge queue (its order
// and scores from `mqList`, the batch under test from `mergeQueue` events). Pure reducers plus
// `attachWorkViews`, the thin part that asks the client and follows events.
//
// Invariants:
// - Phases shown live come from the merge-request beads in the bead domain (the Refinery writes
//   each phase into the bead); `mqList` adds what only the queue knows (order, score, readiness)
//   and is re-read at most every MQ_REFRESH_MS while the queue changes.
// - A batch is kept per rig from its `batch` event until that rig lands or its gate fails; a gate
//   event adds its outcome to the batch it names.
// - Cost per bead: read whole at each load; then each costMeters event's `beads` (the beads whose
//   calls arrived) are put in, at most every COST_REFRESH_MS, so a town of many beads is not read
//   again per event. A town whose events carry no `beads` is re-read at most every COST_REFRESH_MS
//   while usage arrives.
import type { TownClient } from '../../preload/contract.ts';
import type { CostRow, CostTotals } from '../../preload/requests/cost-types.ts';
import type { GateOutcome, MergeQueueEvent, MqEntry, MqRequest } from '../../preload/requests/merge-queue-types.ts';
import type { BeadFeedEvent } from '../../preload/types.ts';
import { NO_FILTER, type GraphFilter } from '../views/convoys/graph-model.ts';

export const MQ_REFRESH_MS = 300;
export const COST_REFRESH_MS = 10_000;

/** The bead costs with these rows (a costMeters event's changed beads) put in; a new object. */
export function withBeadCosts(costs: Record<string, CostTotals>, rows: readonly CostRow[]): Record<string, CostTotals> {
  const next = { ...costs };
  for (const { key, ...totals } of rows) next[key] = totals;
  return next;
}

export interface MqBatch {
  rig: string;
  batch: string;
  ids: string[];
  target: string;
  /** The last gate run on it, once there is one. */
  gate: { outcome: GateOutcome; durationMs: number; run: number } | null;
  at: number;
}

export interface WorkViewsState {
  /** The bead whose detail panel is open (null: none). */
  detailBeadId: string | null;
  graphFilter: GraphFilter;
  /** Cost so far per bead id (`costReport` by bead). */
  beadCosts: Record<string, CostTotals>;
  mergeQueue: {
    /** `mqList` (all rigs): open requests in landing order with their score, then finished ones. */
    entries: MqEntry[];
    loaded: boolean;
    /** The batch being built or tested, per rig. */
    batches: Record<string, MqBatch>;
    /** The last problem a Refinery reported, per rig. */
    problems: Record<string, string>;
  };
}

export const emptyWorkViews = (): WorkViewsState => ({
  detailBeadId: null,
  graphFilter: NO_FILTER,
  beadCosts: {},
  mergeQueue: { entries: [], loaded: false, batches: {}, problems: {} },
});

/** What a `mergeQueue` event does to the batches and problems. */
export function withQueueEvent(mq: WorkViewsState['mergeQueue'], e: MergeQueueEvent, now: number): WorkViewsState['mergeQueue'] {
  switch (e.type) {
    case 'batch':
      return { ...mq, batches: { ...mq.batches, [e.rig]: { rig: e.rig, batch: e.batch, ids: e.ids, target: e.target, gate: null, at: now } } };
    case 'gate': {
      const held = mq.batches[e.rig];
      if (!held || held.batch !== e.batch) return mq;
      return { ...mq, batches: { ...mq.batches, [e.rig]: { ...held, gate: { outcome: e.outcome, durationMs: e.durationMs, run: e.run } } } };
    }
    case 'landed': {
      if (!mq.batches[e.rig]) return mq;
      const batches = { ...mq.batches };
      delete batches[e.rig];
      return { ...mq, batches };
    }
    case 'problem':
      return { ...mq, problems: { ...mq.problems, [e.rig]: e.message } };
    case 'phase':
      return mq;
  }
}

/** Whether a feed event changes a merge request (so the queue's order may have changed). */
export const touchesMergeRequests = (e: BeadFeedEvent): boolean =>
  e.changes.some((c) => 'bead' in c && c.bead.type === 'merge-request');

export interface SliceHost<S extends WorkViewsState> {
  client: TownClient;
  get: () => S;
  set: (partial: Partial<S>) => void;
  /** Runs a request; a failure becomes the store's error toast and resolves undefined. */
  run: <T>(what: string, p: Promise<T>) => Promise<T | undefined>;
}

/** Follows the client's events for this slice and returns its actions; `load` runs at every (re)connection. */
export function attachWorkViews<S extends WorkViewsState>(host: SliceHost<S>) {
  const { client, get, set, run } = host;
  const setSlice = (partial: Partial<WorkViewsState>): void => set(partial as Partial<S>);

  const loadQueue = async (): Promise<void> => {
    try {
      const entries = await client.mqList({ all: false });
      setSlice({ mergeQueue: { ...get().mergeQueue, entries, loaded: true } });
    } catch {
      // the next queue change tries again
    }
  };
  let queueTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshQueueSoon = (): void => {
    if (queueTimer) return;
    queueTimer = setTimeout(() => { queueTimer = null; void loadQueue(); }, MQ_REFRESH_MS);
  };

  const loadCosts = async (): Promise<void> => {
    try {
      const report = await client.costReport({ by: 'bead' });
      setSlice({ beadCosts: Object.fromEntries(report.rows.map(({ key, ...totals }) => [key, totals])) });
    } catch {
      // the next costMeters event tries again
    }
  };
  let costTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshCostsSoon = (): void => {
    if (costTimer) return;
    costTimer = setTimeout(() => { costTimer = null; void loadCosts(); }, COST_REFRESH_MS);
  };

  client.on('mergeQueue', (e) => {
    setSlice({ mergeQueue: withQueueEvent(get().mergeQueue, e, Date.now()) });
    refreshQueueSoon();
  });
  client.on('beadFeed', (e) => { if (touchesMergeRequests(e)) refreshQueueSoon(); });
  // The event carries the beads whose cost changed (a town before that: read the report again);
  // they are put in at most every COST_REFRESH_MS, the latest row of each bead (every bead's cost
  // feeds the graph's model: not rebuilt on each 2 s poll).
  const pendingCosts = new Map<string, CostRow>();
  let pendingTimer: ReturnType<typeof setTimeout> | null = null;
  const putCostsSoon = (rows: readonly CostRow[]): void => {
    for (const r of rows) pendingCosts.set(r.key, r);
    if (pendingTimer) return;
    pendingTimer = setTimeout(() => {
      pendingTimer = null;
      setSlice({ beadCosts: withBeadCosts(get().beadCosts, [...pendingCosts.values()]) });
      pendingCosts.clear();
    }, COST_REFRESH_MS);
  };
  client.on('costMeters', (m) => {
    if (!m.beads) refreshCostsSoon();
    else if (m.beads.length) putCostsSoon(m.beads);
  });

  const afterQueueAction = (r: MqRequest | undefined): MqRequest | undefined => {
    if (r) void loadQueue();
    return r;
  };

  return {
    load: async (): Promise<void> => { await Promise.all([loadQueue(), loadCosts()]); },
    actions: {
      /** Opens the bead detail panel on a bead (null closes it). */
      openBeadDetail(id: string | null): void {
        setSlice({ detailBeadId: id });
      },
      closeBeadDetail(): void {
        setSlice({ detailBeadId: null });
      },
      setGraphFilter(filter: Partial<GraphFilter>): void {
        setSlice({ graphFilter: { ...get().graphFilter, ...filter } });
      },
      reloadMergeQueue: loadQueue,
      /** Puts a rejected, conflicting or waiting request back in the queue. */
      mqRetry: async (id: string) => afterQueueAction(await run('retry', client.mqRetry({ id }))),
      /** Rejects (closes) a request by hand. */
      mqReject: async (id: string, reason: string) => afterQueueAction(await run('reject', client.mqReject({ id, reason }))),
    },
  };
}
