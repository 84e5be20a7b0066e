// The UI's cost and controls: the store's cost and controls slices (loaded at each connection,
// following the costMeters / controls / budgetAlert events, e-stop actions), formatting (unknown
// prices never $0), the sparkline, and budget alerts as inbox items.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BudgetAlertEvent, ControlsState, CostMeters, CostTotals } from '../../preload/requests/cost-types.ts';
import type { ConnectionInfo, TownConnection } from '../../renderer/api/ws-transport.ts';
import type { TownClient } from '../../preload/contract.ts';
import { createTownStore } from '../../renderer/state/town-store.ts';
import { COST_REFRESH_MS } from '../../renderer/state/work-views-slice.ts';
import * as costSelectors from '../../renderer/state/cost-slice.ts';
import { alertKey, emptyCostSlice, selectAgentCost, selectControls, selectEstop, withAlert, withMeters, ALERTS_CAP } from '../../renderer/state/cost-slice.ts';
import { burnText, controlsText, costText, formatDollars, sparklinePath, unpricedNote } from '../../renderer/views/cost-format.ts';
import { deriveInbox } from '../../preload/requests/ui-inbox.ts';

const totals = (cost: number, extra: Partial<CostTotals> = {}): CostTotals => ({
  calls: 1, input: 1000, output: 100, cacheWrite: 0, cacheRead: 0, cost, unpricedTokens: 0, unpricedModels: [], ...extra,
});
const controls = (extra: Partial<ControlsState> = {}): ControlsState => ({ estop: null, parkedRigs: [], dndUntil: null, budgetPaused: [], ...extra });
const meters = (at: number, cost: number, extra: Partial<CostMeters> = {}): CostMeters => ({
  at, total: totals(cost), today: totals(cost / 2), burn5: 1.5, burn60: 0.5,
  agents: [{ agent: 'yard/polecats/ace', rig: 'yard', total: totals(cost), today: cost / 2, burn5: 1.5, burn60: 0.5 }],
  controls: controls(), ...extra,
});
const alert = (level: 'warning' | 'exceeded', at: number, notify = true): BudgetAlertEvent => ({
  budget: { id: 'town:town:day', scope: 'town', target: null, amount: 10, period: 'day', spent: level === 'exceeded' ? 10 : 8, ratio: level === 'exceeded' ? 1 : 0.8, state: level },
  level, message: `town budget ${level}`, notify, at,
});

/** A connection whose client answers from `replies` and lets the test emit events; counts calls. */
function fakeConnection(replies: Record<string, (args: unknown) => unknown>) {
  const listeners = new Map<string, Array<(p: unknown) => void>>();
  const changes: Array<(info: ConnectionInfo) => void> = [];
  const calls: Record<string, number> = {};
  let info: ConnectionInfo = { state: 'connected', attempts: 0, generation: 1, error: null };
  const client = new Proxy({}, {
    get(_t, name: string) {
      if (name === 'on') return (event: string, l: (p: unknown) => void) => { listeners.set(event, [...(listeners.get(event) ?? []), l]); return () => undefined; };
      if (name === 'onTerminalData') return () => () => undefined;
      return async (args: unknown) => {
        calls[name] = (calls[name] ?? 0) + 1;
        const reply = replies[name];
        if (!reply) throw new Error(`no reply for ${name}`);
        return reply(args);
      };
    },
  }) as TownClient;
  const connection: TownConnection = { client, info: () => info, onChange: (l) => { changes.push(l); return () => undefined; } };
  return {
    connection, calls,
    emit: (event: string, payload: unknown) => { for (const l of listeners.get(event) ?? []) l(payload); },
    reconnect: () => { info = { ...info, generation: info.generation + 1 }; for (const l of changes) l(info); },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));
const snapshot = () => ({ commit: 'c0', at: 1, status: null, beads: [], dependencies: [], agents: [] });

test('the store loads meters, controls and the series at start and at each reconnection', async () => {
  let cost = 1.25;
  const fake = fakeConnection({
    uiSnapshot: snapshot, costMeters: () => meters(Date.now(), cost), controlsStatus: () => controls({ parkedRigs: ['yard'] }),
    costSeries: () => [{ at: 0, cost: 0, tokens: 0 }, { at: 600_000, cost: 1.25, tokens: 1100 }],
  });
  const { store } = createTownStore(fake.connection, { schedule: (run) => setTimeout(run, 0) });
  assert.equal(store.getState().controls, null, 'controls are unknown until the town answers');
  await settle();
  const s = store.getState();
  assert.equal(s.cost.meters?.total.cost, 1.25);
  assert.deepEqual(selectControls(s).parkedRigs, ['yard']);
  assert.equal(s.cost.series.length, 2);
  cost = 2.5;
  fake.reconnect();
  await settle();
  assert.equal(store.getState().cost.meters?.total.cost, 2.5);
  assert.equal(fake.calls.costMeters, 2);
  assert.equal(fake.calls.controlsStatus, 2);
});

test('costMeters and controls events update the slices; older meters never replace newer ones', async () => {
  const fake = fakeConnection({ uiSnapshot: snapshot, costMeters: () => meters(100, 1), controlsStatus: () => controls(), costSeries: () => [] });
  const { store } = createTownStore(fake.connection, { schedule: (run) => setTimeout(run, 0) });
  await settle();
  fake.emit('costMeters', meters(200, 3, { controls: controls({ dndUntil: 5 }) }));
  assert.equal(store.getState().cost.meters?.total.cost, 3);
  assert.equal(selectAgentCost(store.getState(), 'yard/polecats/ace')?.total.cost, 3);
  assert.equal(selectAgentCost(store.getState(), 'nobody'), null);
  assert.equal(store.getState().controls?.dndUntil, 5, 'the meters carry the controls too');
  fake.emit('costMeters', meters(150, 2));
  assert.equal(store.getState().cost.meters?.total.cost, 3, 'a stale meter reading is ignored');
  fake.emit('controls', controls({ estop: { since: 10, by: 'overseer' } }));
  assert.deepEqual(selectEstop(store.getState()), { since: 10, by: 'overseer' });
});

test('a budget alert is kept once and becomes an inbox item; dismissing it hides it', async () => {
  const fake = fakeConnection({ uiSnapshot: snapshot, costMeters: () => meters(1, 0), controlsStatus: () => controls(), costSeries: () => [] });
  const { store } = createTownStore(fake.connection, { schedule: (run) => setTimeout(run, 0) });
  await settle();
  fake.emit('budgetAlert', alert('warning', 10));
  fake.emit('budgetAlert', alert('warning', 10));
  fake.emit('budgetAlert', alert('exceeded', 20, false));
  const alerts = store.getState().cost.alerts;
  assert.deepEqual(alerts.map((a) => a.level), ['exceeded', 'warning'], 'newest first, a repeat kept once');
  const inbox = deriveInbox({ beads: {}, agents: {}, dismissed: {}, budgetAlerts: alerts });
  assert.deepEqual(inbox.map((i) => i.kind), ['budget', 'budget']);
  assert.match(inbox[0].title, /Budget reached/);
  assert.match(inbox[1].title, /80%/);
  assert.equal(inbox[0].key, alertKey(alerts[0]));
  assert.equal(deriveInbox({ beads: {}, agents: {}, dismissed: { [inbox[0].key]: true }, budgetAlerts: alerts }).length, 1);
  let slice = emptyCostSlice();
  for (let i = 0; i < ALERTS_CAP + 5; i++) slice = withAlert(slice, alert('warning', i));
  assert.equal(slice.alerts.length, ALERTS_CAP);
  assert.equal(slice.alerts[0].at, ALERTS_CAP + 4);
});

test('e-stop and release go through the store and set the controls from the reply; a refusal is an error, not a state', async () => {
  let refuse = false;
  const fake = fakeConnection({
    uiSnapshot: snapshot, costMeters: () => meters(1, 0), controlsStatus: () => controls(), costSeries: () => [],
    estop: () => { if (refuse) throw new Error('not allowed'); return { ...controls({ estop: { since: 42, by: 'overseer' } }), frozen: 2 }; },
    estopRelease: () => ({ ...controls(), resumed: 2 }),
  });
  const { store, actions } = createTownStore(fake.connection, { schedule: (run) => setTimeout(run, 0) });
  await settle();
  const r = await actions.estop();
  assert.equal(r?.frozen, 2);
  assert.equal(store.getState().controls?.estop?.by, 'overseer');
  await actions.estopRelease();
  assert.equal(store.getState().controls?.estop, null);
  refuse = true;
  assert.equal(await actions.estop(), undefined);
  assert.equal(store.getState().controls?.estop, null);
  assert.match(store.getState().lastError ?? '', /e-stop: not allowed/);
});

test('every selector returns the same value for the same state (useTown would re-render forever otherwise)', () => {
  const states = [{ cost: emptyCostSlice(), controls: null }, { cost: withMeters(emptyCostSlice(), meters(1, 2)), controls: controls() }];
  const selectors = Object.entries(costSelectors).filter(([name, f]) => name.startsWith('select') && typeof f === 'function') as Array<[string, (s: unknown, arg?: string) => unknown]>;
  assert.ok(selectors.length >= 8);
  for (const state of states) for (const [name, select] of selectors) assert.equal(select(state, 'yard/polecats/ace'), select(state, 'yard/polecats/ace'), name);
});

test('withMeters keeps the newest reading', () => {
  const a = withMeters(emptyCostSlice(), meters(10, 1));
  assert.equal(withMeters(a, meters(5, 9)), a);
  assert.equal(withMeters(a, meters(11, 9)).meters?.total.cost, 9);
});

test('dollars, burn rates and unknown prices: tokens without a price are never shown as $0', () => {
  assert.equal(formatDollars(0), '$0.00');
  assert.equal(formatDollars(0.0042), '$0.0042');
  assert.equal(formatDollars(12.345), '$12.35');
  assert.equal(formatDollars(1234.4), '$1,234');
  assert.equal(burnText(1.5), '$1.50/h');
  assert.equal(costText(totals(1.5)), '$1.50');
  assert.equal(costText(totals(0, { input: 500, output: 500, unpricedTokens: 1000, unpricedModels: ['mystery-1'] })), 'price unknown');
  assert.equal(costText(totals(2, { input: 5000, output: 500, unpricedTokens: 1000, unpricedModels: ['mystery-1'] })), '$2.00 + price unknown');
  assert.match(unpricedNote(totals(0, { unpricedTokens: 1000, unpricedModels: ['mystery-1'] })), /1,000 tokens of mystery-1/);
  assert.equal(unpricedNote(totals(1)), '');
});

test('controls text: parked rigs, do-not-disturb while it lasts, budget pauses', () => {
  assert.equal(controlsText(controls(), 0), '');
  assert.equal(controlsText(controls({ parkedRigs: ['a', 'b'], budgetPaused: ['town:town:day'] }), 0), 'parked: a, b · budget paused: town:town:day');
  assert.match(controlsText(controls({ dndUntil: 1000 }), 0), /^do not disturb until \d\d:\d\d$/);
  assert.equal(controlsText(controls({ dndUntil: 1000 }), 2000), '', 'an ended do-not-disturb is not shown');
  assert.equal(controlsText(controls({ estop: { since: 1, by: 'x' } }), 0), 'E-STOPPED');
});

test('the sparkline spans the width; the highest bucket touches the top; no spend is a flat line at the bottom', () => {
  const pts = [0, 2, 1].map((cost, i) => ({ at: i, cost, tokens: 0 }));
  assert.equal(sparklinePath(pts, 100, 10), 'M0 10 L50 0 L100 5');
  assert.equal(sparklinePath(pts.map((p) => ({ ...p, cost: 0 })), 100, 10), 'M0 10 L50 10 L100 10');
  assert.equal(sparklinePath([], 100, 10), 'M0 10 L100 10');
  assert.equal(sparklinePath([{ at: 0, cost: 3, tokens: 0 }], 100, 10), 'M0 0 L100 0');
});

test("bead costs: read whole at load, then the costMeters events' changed beads put in (at most every COST_REFRESH_MS) without a new report", async (t) => {
  const fake = fakeConnection({
    uiSnapshot: snapshot, costMeters: () => meters(1, 0), controlsStatus: () => controls(), costSeries: () => [], mqList: () => [],
    costReport: () => ({ by: 'bead', since: null, rows: [{ key: 'ap-1', ...totals(1) }, { key: 'ap-2', ...totals(2) }], total: totals(3), pricesDate: 'x' }),
  });
  const { store } = createTownStore(fake.connection, { schedule: (run) => setTimeout(run, 0) });
  await settle();
  const loaded = store.getState().beadCosts;
  assert.equal(loaded['ap-2']?.cost, 2);
  const reports = fake.calls.costReport;
  t.mock.timers.enable({ apis: ['setTimeout'] });
  fake.emit('costMeters', meters(2, 5, { beads: [{ key: 'ap-2', ...totals(2.5) }, { key: 'ap-9', ...totals(0.5) }] }));
  fake.emit('costMeters', meters(3, 6, { beads: [{ key: 'ap-9', ...totals(0.75) }] }));
  fake.emit('costMeters', meters(4, 6, { beads: [] }));
  t.mock.timers.tick(COST_REFRESH_MS - 1);
  assert.equal(store.getState().beadCosts, loaded, 'not before COST_REFRESH_MS');
  t.mock.timers.tick(1);
  const s = store.getState().beadCosts;
  assert.deepEqual([s['ap-1']?.cost, s['ap-2']?.cost, s['ap-9']?.cost], [1, 2.5, 0.75], 'changed and new beads put in (the latest row of each), the others kept');
  assert.equal(fake.calls.costReport, reports, 'no report read again');
  t.mock.timers.tick(COST_REFRESH_MS);
  assert.equal(store.getState().beadCosts, s, 'nothing pending: no change');
});
