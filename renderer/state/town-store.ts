// The renderer's one store, created once at start, outside React. It alone talks to the TownApi
// client (the terminal registry, for bytes only, is the other user of the client); views read it
// through selectors (useTown) and act through its actions.
//
// Invariants:
// - Every (re)connection loads a snapshot (uiSnapshot) read at one Dolt commit. beadFeed events
//   received before the snapshot's reply are already in it and are dropped; those after it are
//   applied (the Town sends the reply right as its feed delivers that commit: see ui-handlers.ts).
// - Feed events are applied once per animation frame (FrameBatcher), so a 1,000-bead commit is
//   one store update and one render.
// - Terminal bytes never enter the store: only terminal metadata does.
// - The connection state is always visible: until a snapshot is in, `load.state` is not 'ready'.
// - Cost meters, the spend series and the controls are loaded at every (re)connection and then
//   follow the `costMeters` and `controls` events (cost-slice.ts); `controls` is null until the
//   town has answered, so the UI never claims "not e-stopped" before it knows.
// - The Board's moves and slings show at once and are rolled back when refused (board-slice.ts);
//   which bead's detail is open is `detailBeadId` (work-views-slice.ts).
import { createStore } from 'zustand/vanilla';
import type { TownClient } from '../../preload/contract.ts';
import type { BeadFeedEvent, TownStatus } from '../../preload/types.ts';
import type { UiAgent } from '../../preload/requests/ui.ts';
import type { TownConnection, ConnectionInfo } from '../api/ws-transport.ts';
import { applyFeedEvents, beadDomainFrom, emptyBeadDomain, type BeadDomain } from './bead-changes.ts';
import { FrameBatcher, type Scheduler, animationFrame } from './frame-batcher.ts';
import { feedEntriesFrom, type FeedEntry, type TownActivity } from './feed-entries.ts';
import type { ControlsState } from '../../preload/requests/cost-types.ts';
import { emptyCostSlice, withAlert, withMeters, withSeries, type CostSlice } from './cost-slice.ts';
import { emptyFederationSlice, type FederationSlice } from './federation-slice.ts';
import { attachWorkViews, emptyWorkViews, type WorkViewsState } from './work-views-slice.ts';
import { boardActions, emptyBoardSlice, type BoardSlice } from './board-slice.ts';

export const VIEWS = ['agents', 'terminals', 'inbox', 'feed', 'convoys', 'board', 'merge-queue', 'wanted'] as const;
export type View = (typeof VIEWS)[number];

export interface TerminalMeta {
  id: string;
  title: string;
  agent: string | null;
  /** Why it ended, once it has. */
  exited: string | null;
}

/** WorkViewsState: the convoy graph, merge queue and bead detail slice (work-views-slice.ts);
 *  BoardSlice: the board's moves, slings, imports and the detail's data (board-slice.ts). */
export interface TownState extends WorkViewsState, BoardSlice {
  connection: ConnectionInfo;
  load: { state: 'loading' | 'ready' | 'error'; error: string | null; commit: string | null; at: number };
  town: TownStatus | null;
  beads: BeadDomain;
  agents: Record<string, UiAgent>;
  terminals: Record<string, TerminalMeta>;
  feed: FeedEntry[];
  /** Cost meters (town, today, burn, per agent), the spend series, budget alerts. */
  cost: CostSlice;
  /** E-stop, parked rigs, do-not-disturb, budget pauses; null until the town has answered. */
  controls: ControlsState | null;
  /** The ledger's remotes and the wanted board shared between towns (federation-slice.ts). */
  federation: FederationSlice;
  /** Screen excerpts of terminals whose agent waits for input, by terminal id. */
  screens: Record<string, string[]>;
  dismissed: Record<string, true>;
  /** Feed batches applied (one per animation frame with events); for tests and benchmarks. */
  feedBatches: number;
  ui: { view: View; focusedTerminal: string | null; maximizedTerminal: string | null; paletteOpen: boolean };
  lastError: string | null;
}

const FEED_CAP = 2000;
/** The spend chart's window and bucket. */
export const SERIES_WINDOW_MS = 6 * 3_600_000;
export const SERIES_BUCKET_MINUTES = 10;
/** At most one series refresh per this long while usage keeps arriving. */
const SERIES_REFRESH_MS = 10_000;
const DISMISSED_KEY = 'gastown.inbox.dismissed';

function loadDismissed(): Record<string, true> {
  try {
    return JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '{}') as Record<string, true>;
  } catch {
    return {};
  }
}

export type TownStore = ReturnType<typeof createTownStore>;

export function createTownStore(connection: TownConnection, opts: { schedule?: Scheduler } = {}) {
  const client: TownClient = connection.client;
  const store = createStore<TownState>()(() => ({
    connection: connection.info(),
    load: { state: 'loading', error: null, commit: null, at: 0 },
    town: null,
    beads: emptyBeadDomain(),
    agents: {},
    terminals: {},
    feed: [],
    cost: emptyCostSlice(),
    federation: emptyFederationSlice(),
    controls: null,
    screens: {},
    dismissed: typeof localStorage === 'undefined' ? {} : loadDismissed(),
    feedBatches: 0,
    ui: { view: 'agents', focusedTerminal: null, maximizedTerminal: null, paletteOpen: false },
    lastError: null,
    ...emptyWorkViews(),
    ...emptyBoardSlice(),
  }));
  const get = store.getState;
  const set = store.setState;
  let seq = 0;
  /** Bumped per snapshot request: events from before the reply belong to the snapshot. */
  let loadingGeneration = 0;
  let loading = true;

  const activity = new FrameBatcher<TownActivity>((items) => {
    const beadEvents = items.filter((a): a is Extract<TownActivity, { name: 'beadFeed' }> => a.name === 'beadFeed').map((a) => a.payload);
    const now = Date.now();
    const entries = items.map((a) => feedEntriesFrom(a, ++seq, now));
    const s = get();
    set({
      beads: beadEvents.length ? applyFeedEvents(s.beads, beadEvents) : s.beads,
      feed: [...entries.reverse(), ...s.feed].slice(0, FEED_CAP),
      feedBatches: s.feedBatches + (beadEvents.length ? 1 : 0),
    });
    if (beadEvents.some(touchesAgents)) refreshAgentsSoon();
  }, opts.schedule ?? animationFrame);

  const touchesAgents = (e: BeadFeedEvent): boolean =>
    e.changes.some((c) => ('bead' in c && c.bead.type === 'agent') || (c.kind !== 'deleted' && get().beads.beads[c.id]?.type === 'agent'));

  let agentsTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshAgentsSoon = (): void => {
    if (agentsTimer) return;
    agentsTimer = setTimeout(() => {
      agentsTimer = null;
      void client.uiAgents({}).then((list) => {
        set({ agents: Object.fromEntries(list.map((a) => [a.id, a])), terminals: terminalsFrom(list, get().terminals) });
        for (const a of list) if (a.live?.state === 'waiting-for-input' && a.session) void loadScreen(a.session.terminal);
      }, () => undefined);
    }, 150);
  };

  const loadScreen = async (terminal: string): Promise<void> => {
    try {
      const screen = await client.uiScreen({ terminal, lines: 8 });
      set({ screens: { ...get().screens, [terminal]: screen.lines } });
    } catch {
      // the terminal is gone: the agent's next status says so
    }
  };

  let seriesTimer: ReturnType<typeof setTimeout> | null = null;
  const loadSeries = async (): Promise<void> => {
    try {
      const series = await client.costSeries({ since: Date.now() - SERIES_WINDOW_MS, bucketMinutes: SERIES_BUCKET_MINUTES });
      set({ cost: withSeries(get().cost, series) });
    } catch {
      // the next costMeters event tries again
    }
  };
  const refreshSeriesSoon = (): void => {
    if (seriesTimer) return;
    seriesTimer = setTimeout(() => { seriesTimer = null; void loadSeries(); }, SERIES_REFRESH_MS);
  };

  /** Meters, controls and the series: asked at every (re)connection, beside the snapshot. */
  const loadCosts = async (): Promise<void> => {
    const [meters, controls] = await Promise.allSettled([client.costMeters({}), client.controlsStatus({})]);
    if (meters.status === 'fulfilled') set({ cost: withMeters(get().cost, meters.value), controls: meters.value.controls });
    if (controls.status === 'fulfilled') set({ controls: controls.value });
    await loadSeries();
  };

  /** Remotes and the wanted board: best effort (a town without a commons has an empty board). */
  const loadFederation = async (): Promise<void> => {
    const [info, board] = await Promise.allSettled([client.federationInfo({}), client.wlBrowse({})]);
    const f = get().federation;
    set({ federation: { ...f, info: info.status === 'fulfilled' ? info.value : f.info, board: board.status === 'fulfilled' ? board.value : [] } });
  };

  /** A board action: busy while it runs, then the board and remotes reloaded. */
  const boardAction = async <T,>(what: string, p: () => Promise<T>): Promise<T | undefined> => {
    set({ federation: { ...get().federation, busy: true } });
    try {
      return await run(what, p());
    } finally {
      await loadFederation().catch(() => undefined);
      set({ federation: { ...get().federation, busy: false } });
    }
  };

  const load = async (): Promise<void> => {
    const generation = ++loadingGeneration;
    loading = true;
    set({ load: { ...get().load, state: 'loading', error: null } });
    void loadCosts();
    void loadFederation();
    void workViews.load();
    try {
      const snap = await client.uiSnapshot({});
      if (generation !== loadingGeneration) return;
      // Whatever the batcher holds arrived before the reply: it is in the snapshot.
      activity.drain();
      loading = false;
      const agents = Object.fromEntries(snap.agents.map((a) => [a.id, a]));
      set({
        load: { state: 'ready', error: null, commit: snap.commit, at: snap.at },
        town: snap.status,
        beads: beadDomainFrom(snap.beads, snap.dependencies),
        agents,
        terminals: terminalsFrom(snap.agents, {}),
      });
      for (const a of snap.agents) if (a.live?.state === 'waiting-for-input' && a.session) void loadScreen(a.session.terminal);
    } catch (err) {
      if (generation !== loadingGeneration) return;
      set({ load: { ...get().load, state: 'error', error: (err as Error).message } });
    }
  };

  // Subscribe before the first load, so nothing committed in between is missed.
  const push = (a: TownActivity): void => {
    if (a.name === 'beadFeed' && loading) return;
    activity.push(a);
  };
  client.on('beadFeed', (payload) => push({ name: 'beadFeed', payload }));
  client.on('workEvent', (payload) => { push({ name: 'workEvent', payload }); refreshAgentsSoon(); });
  client.on('mergeQueue', (payload) => push({ name: 'mergeQueue', payload }));
  client.on('escalation', (payload) => push({ name: 'escalation', payload }));
  client.on('convoyClosed', (payload) => push({ name: 'convoyClosed', payload }));
  client.on('townStatus', (town) => set({ town }));
  client.on('costMeters', (meters) => {
    set({ cost: withMeters(get().cost, meters), controls: meters.controls });
    refreshSeriesSoon();
  });
  client.on('controls', (controls) => set({ controls }));
  client.on('budgetAlert', (alert) => set({ cost: withAlert(get().cost, alert) }));
  client.on('terminalExit', (exit) => {
    const meta = get().terminals[exit.id];
    if (meta) set({ terminals: { ...get().terminals, [exit.id]: { ...meta, exited: exit.reason } } });
    refreshAgentsSoon();
  });
  client.on('agentStatus', (e) => {
    push({ name: 'agentStatus', payload: e });
    const agent = get().agents[e.agent];
    if (!agent) return refreshAgentsSoon();
    set({ agents: { ...get().agents, [e.agent]: { ...agent, live: { state: e.state, reason: e.reason, since: e.at, lastOutput: agent.live?.lastOutput ?? e.at } } } });
    if (e.state === 'waiting-for-input') void loadScreen(e.terminal);
    if (agent.session?.terminal !== e.terminal) refreshAgentsSoon();
  });

  connection.onChange((info) => {
    const was = get().connection;
    set({ connection: info });
    if (info.state === 'connected' && info.generation !== was.generation) void load();
    if (info.state !== 'connected') {
      loading = true;
      set({ load: { ...get().load, state: 'loading' } });
    }
  });
  const run = async <T,>(what: string, p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      set({ lastError: `${what}: ${(err as Error).message}` });
      return undefined;
    }
  };
  const workViews = attachWorkViews({ client, get, set, run });

  if (connection.info().state === 'connected') void load();

  const actions = {
    ...workViews.actions,
    ...boardActions(client, store),
    reload: load,
    setView(view: View): void {
      set({ ui: { ...get().ui, view } });
    },
    focusTerminal(id: string | null): void {
      set({ ui: { ...get().ui, view: id ? 'terminals' : get().ui.view, focusedTerminal: id } });
    },
    toggleMaximize(id: string): void {
      const ui = get().ui;
      set({ ui: { ...ui, maximizedTerminal: ui.maximizedTerminal === id ? null : id, focusedTerminal: id } });
    },
    setPaletteOpen(open: boolean): void {
      set({ ui: { ...get().ui, paletteOpen: open } });
    },
    clearError(): void {
      set({ lastError: null });
    },
    dismiss(key: string): void {
      const dismissed = { ...get().dismissed, [key]: true as const };
      set({ dismissed });
      try { localStorage.setItem(DISMISSED_KEY, JSON.stringify(dismissed)); } catch { /* private mode: kept for this page only */ }
    },
    /** Reads (closes) an escalation addressed to the human. */
    acknowledgeEscalation: (id: string) => run('acknowledge', client.mailRead({ id })),
    /** Releases a molecule's human-approval gate. */
    approveGate: (id: string) => run('approve', client.gateApprove({ id })),
    answer: (terminal: string, text: string) => run('answer', client.terminalWrite({ id: terminal, data: text })),
    nudge: (agent: string, message: string) => run('nudge', client.nudge({ agent, message, timeoutMs: 0 })),
    restart: (agent: string) => run('restart', client.handoff({ agent, note: 'restarted from the UI' })),
    handoff: (agent: string, note: string) => run('handoff', client.handoff({ agent, note })),
    remove: (agent: string, force: boolean) => run('remove', client.polecatRemove({ agent, force })),
    createBead: (title: string) => run('create bead', client.beadCreate({ title })),
    refreshScreen: loadScreen,
    /** The Wanted view: reload remotes and the board; sync, post a bead, claim an item. */
    loadFederation,
    wlSync: () => boardAction('sync the wanted board', () => client.wlSync({})),
    wlPost: (bead: string) => boardAction('post', () => client.wlPost({ bead })),
    wlClaim: async (id: string) => {
      const r = await boardAction('claim', () => client.wlClaim({ id }));
      if (r) set({ federation: { ...get().federation, lastClaim: r } });
      return r;
    },
    /** Emergency stop: every agent frozen, nothing dispatched. */
    estop: async () => {
      const r = await run('e-stop', client.estop({}));
      if (r) set({ controls: { estop: r.estop, parkedRigs: r.parkedRigs, dndUntil: r.dndUntil, budgetPaused: r.budgetPaused } });
      return r;
    },
    /** Releases the e-stop: frozen agents continue where they were. */
    estopRelease: async () => {
      const r = await run('release e-stop', client.estopRelease({}));
      if (r) set({ controls: { estop: r.estop, parkedRigs: r.parkedRigs, dndUntil: r.dndUntil, budgetPaused: r.budgetPaused } });
      return r;
    },
  };

  return { store, actions };
}

function terminalsFrom(agents: readonly UiAgent[], previous: Record<string, TerminalMeta>): Record<string, TerminalMeta> {
  const next: Record<string, TerminalMeta> = {};
  for (const a of agents) {
    if (!a.session) continue;
    const id = a.session.terminal;
    next[id] = previous[id] ?? { id, title: a.id, agent: a.id, exited: null };
  }
  return next;
}
