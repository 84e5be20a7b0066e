// Cost and controls, assembled: the usage store fed by the watcher, prices, reports and meters,
// budgets with their alerts, and the controls (e-stop, parked rigs, do-not-disturb). The Town owns
// one; the work loop asks it, through WorkContext.gate, whether work may be dispatched.
//
// Invariants:
//   - nothing here starts an agent or calls a model; with no agent session running it reads no file;
//   - e-stop and budget pauses freeze process trees with SIGSTOP and thaw them with SIGCONT: a
//     frozen agent continues exactly where it was;
//   - every control change is persisted before it is answered.
import { existsSync, readFileSync, readlinkSync, realpathSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName, TownEvents } from '../../../preload/contract.ts';
import { TownError } from '../../../preload/contract.ts';
import type { Budget, BudgetStatus, ControlsState, CostGroupBy, CostMeters, CostReport, CostSeriesPoint, ScopeCost } from '../../../preload/requests/cost-types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { TownWork } from '../supervisors/town-work.ts';
import type { SessionRecord } from '../sessions/agent-sessions.ts';
import { parseAddress } from '../polecats/agent-store.ts';
import { workNote } from '../polecats/work-beads.ts';
import { alertDue, budgetId, budgetState, convoyBudgetReached, dispatchBlock, startOfDay, type DispatchScope } from './budgets.ts';
import { readBudgets, readCostSettings, writeBudgets, type CostSettings } from './cost-settings.ts';
import { ControlsStore } from './controls.ts';
import { canFreeze, freezeTrees, thawTrees } from './freeze.ts';
import { PriceTable } from './price-table.ts';
import { UsageStore } from './usage-store.ts';
import { defaultUsageRoots, UsageWatcher, type UsageRoots, type WatchedSession } from './usage-watcher.ts';

export const COSTS_ACTOR = 'town/costs';

export interface CostServiceOptions {
  townRoot: string;
  ledger: Ledger;
  work: TownWork;
  publish<E extends EventName>(name: E, payload: TownEvents[E]): void;
  log(line: string): void;
  roots?: UsageRoots;
}

export const costsDir = (townRoot: string): string => join(townRoot, 'costs');
/** How many beads' convoys the service keeps in memory (for attributing usage and the dispatch gate). */
const CONVOYS_KEPT = 10_000;

export class CostService {
  readonly store: UsageStore;
  readonly prices: PriceTable;
  readonly controls: ControlsStore;
  private readonly settings: CostSettings;
  private budgets: Budget[];
  private readonly watcher: UsageWatcher;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private readonly convoys = new Map<string, string | null>();
  private readonly cwds = new Map<string, string>();
  private readonly alertsFile: string;
  private alerts: Record<string, { level: string; amount: number; period: string }>;

  constructor(private readonly o: CostServiceOptions) {
    const dir = costsDir(o.townRoot);
    this.settings = readCostSettings(o.townRoot);
    this.prices = new PriceTable(this.settings.prices);
    this.budgets = readBudgets(o.townRoot);
    this.store = new UsageStore(join(dir, 'usage.jsonl'), { log: o.log });
    if (this.store.damaged) o.log(`costs: ${this.store.damaged} damaged line(s) in usage.jsonl left out`);
    this.controls = new ControlsStore(join(dir, 'controls.json'), o.log);
    this.alertsFile = join(dir, 'alerts.json');
    this.alerts = existsSync(this.alertsFile) ? safeJson(readFileSync(this.alertsFile, 'utf8')) : {};
    this.watcher = new UsageWatcher({
      roots: o.roots ?? defaultUsageRoots(o.townRoot),
      cursorsFile: join(dir, 'cursors.json'),
      live: () => this.liveSessions(),
      convoyOf: (bead) => this.convoyOf(bead),
      store: (rows) => this.store.add(rows),
      log: o.log,
    });
  }

  start(): void {
    // Sessions are noted as they start (first status) and end, so a short one is attributed too.
    this.o.work.sessions.on('status', this.onSessionStatus);
    this.o.work.sessions.on('exit', this.onSessionExit);
    this.o.work.sessions.on('moved', this.onSessionMoved);
    if (this.controls.get().estop) this.o.log('costs: the town is in e-stop (from before the restart): nothing is dispatched until gt resume');
    this.timer = setInterval(() => void this.poll(), this.settings.pollMs);
    this.timer.unref();
  }

  private readonly onSessionStatus = (rec: SessionRecord): void => {
    void this.watched(rec).then((s) => s && this.watcher.note(s));
  };

  private readonly onSessionExit = (rec: SessionRecord): void => {
    void this.watched(rec).then((s) => {
      if (!s) return;
      this.watcher.note({ ...s, endedAt: Date.now() });
      void this.poll();
    });
  };

  /** A session went on to its next bead by itself: its calls until now were the bead it had. */
  private readonly onSessionMoved = (rec: SessionRecord, before: { bead: string | null; since: string }): void => {
    void this.watched(rec).then((s) => {
      if (!s) return;
      this.watcher.note({ ...s, bead: before.bead, startedAt: Date.parse(before.since), endedAt: s.startedAt });
      this.watcher.note(s);
    });
  };

  async stop(): Promise<void> {
    this.o.work.sessions.off('moved', this.onSessionMoved);
    this.o.work.sessions.off('status', this.onSessionStatus);
    this.o.work.sessions.off('exit', this.onSessionExit);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling?.catch(() => undefined);
  }

  /** Reads new usage now (also run on a timer); evaluates budgets when something was spent. */
  poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const rows = await this.watcher.poll();
        if (rows.length) {
          await this.checkBudgets();
          // The beads these calls were for go with the meters: a view of every bead's cost takes
          // them instead of reading the whole report by bead again.
          const beads = this.store.totalsAt(Date.now()).rowsOf('bead', rows.flatMap((u) => (u.bead ? [u.bead] : [])), this.prices);
          this.o.publish('costMeters', { ...this.meters(), beads });
        }
      } catch (e) {
        this.o.log(`costs: ${(e as Error).message}`);
      } finally {
        this.polling = null;
      }
    })();
    return this.polling;
  }

  // ── the dispatch gate ────────────────────────────────────────────────────────────────────────

  /** Why no work may be dispatched into this scope now, or null (WorkContext.gate). */
  async blocked(scope: DispatchScope & { bead?: string }): Promise<string | null> {
    // Read what running agents spent up to now first (incremental; nothing to read when idle), so
    // a budget reached a moment ago is seen before the next bead goes out.
    if (this.budgets.length) await this.poll();
    // What the dispatcher knows, remembered: the usage a bead's session spends is its convoy's (convoyOf).
    if (scope.bead && scope.convoy) this.rememberConvoy(scope.bead, scope.convoy);
    const statuses = this.budgetStatuses();
    // The bead's convoy is looked up (a ledger read) only when a convoy's budget could stop it.
    const convoy = scope.convoy ?? (scope.bead && convoyBudgetReached(statuses) ? await this.convoyOf(scope.bead).catch(() => null) : null);
    return dispatchBlock(this.controls.get(), statuses, { ...scope, convoy });
  }

  // ── reports (from the store's running aggregates: usage-totals.ts) ────────────────────────────

  /** A `since` before the store's recent window (24 h) counts from the start of its UTC day (the report's `since` says so). */
  report(by: CostGroupBy, since?: number): CostReport {
    const r = this.store.totalsAt(Date.now()).report(by, since, this.prices);
    return { by, since: r.since, rows: r.rows, total: r.total, pricesDate: this.prices.date };
  }

  series(since: number | undefined, bucketMinutes: number): CostSeriesPoint[] {
    const now = Date.now();
    return this.store.totalsAt(now).series(since ?? now - 24 * 3_600_000, now, bucketMinutes * 60_000, this.prices);
  }

  costOf(scope: ScopeCost['scope'], id: string): ScopeCost {
    return { scope, id, ...this.store.totalsAt(Date.now()).costOf(scope, id, this.prices) };
  }

  meters(): CostMeters {
    const now = Date.now();
    const m = this.store.totalsAt(now).meters(now, this.prices);
    return {
      at: now, total: m.total, today: m.today, burn5: m.burn5, burn60: m.burn60,
      agents: m.agents.map((a) => ({ agent: a.agent, rig: parseAddress(a.agent)?.rig ?? null, total: a.total, today: a.today, burn5: a.burn5, burn60: a.burn60 })),
      controls: this.controls.get(),
    };
  }

  // ── budgets ──────────────────────────────────────────────────────────────────────────────────

  budgetStatuses(): BudgetStatus[] {
    const now = Date.now();
    const totals = this.store.totalsAt(now);
    return this.budgets.map((b) => budgetState(b, totals.spent(b, now, this.prices)));
  }

  async setBudget(b: Omit<Budget, 'id'>): Promise<BudgetStatus> {
    const target = b.scope === 'town' ? null : b.target;
    if (b.scope === 'rig' && target) await this.o.work.rigs.get(target);
    if (b.scope === 'convoy' && target) {
      const convoy = await this.o.ledger.show(target);
      if (convoy.type !== 'convoy') throw new TownError('invalid', `${target} is a ${convoy.type}, not a convoy`);
    }
    const id = budgetId(b.scope, target, b.period);
    const next: Budget = { ...b, target, id };
    this.budgets = [...this.budgets.filter((x) => x.id !== id), next];
    writeBudgets(this.o.townRoot, this.budgets);
    await this.checkBudgets();
    this.o.work.context.wake();
    return this.budgetStatuses().find((s) => s.id === id)!;
  }

  removeBudget(id: string): { removed: Budget } {
    const found = this.budgets.find((b) => b.id === id);
    if (!found) throw new TownError('not_found', `no budget ${id} (see gt budget list)`);
    this.budgets = this.budgets.filter((b) => b.id !== id);
    writeBudgets(this.o.townRoot, this.budgets);
    void this.checkBudgets().then(() => this.o.work.context.wake());
    return { removed: found };
  }

  /** Alerts for budgets that crossed 80% or 100%; pauses or resumes agents of budget scopes. */
  private async checkBudgets(): Promise<void> {
    const statuses = this.budgetStatuses();
    const now = Date.now();
    for (const s of statuses) {
      const periodKey = s.period === 'day' ? new Date(startOfDay(now)).toISOString().slice(0, 10) : 'total';
      const level = alertDue(s, this.alerts[s.id], periodKey);
      if (!level) continue;
      this.alerts[s.id] = { level, amount: s.amount, period: periodKey };
      this.saveAlerts();
      const what = s.scope === 'town' ? 'the town' : `${s.scope} ${s.target}`;
      const message = level === 'warning'
        ? `Budget warning: ${what} has spent $${s.spent.toFixed(2)} of $${s.amount.toFixed(2)}${s.period === 'day' ? ' today' : ''} (${Math.round(s.ratio * 100)}%).`
        : `Budget reached: ${what} has spent $${s.spent.toFixed(2)} of $${s.amount.toFixed(2)}${s.period === 'day' ? ' today' : ''}. No new work is dispatched there until the budget is raised (gt budget set).`;
      await this.o.work.mail.send('overseer', message.split(':')[0] + `: ${what}`, message, COSTS_ACTOR).catch((e: Error) => this.o.log(`costs: inbox warning failed: ${e.message}`));
      this.o.publish('budgetAlert', { budget: s, level, message, notify: !this.controls.muted(now), at: now });
      this.o.log(`costs: ${message}`);
    }
    await this.applyBudgetPauses(statuses);
  }

  private saveAlerts(): void {
    mkdirSync(costsDir(this.o.townRoot), { recursive: true });
    writeFileSync(this.alertsFile, JSON.stringify(this.alerts) + '\n', { mode: 0o600 });
  }

  /** With pauseAgentsOnBudget: freeze the agents of exceeded scopes, thaw those no longer exceeded. */
  private async applyBudgetPauses(statuses: BudgetStatus[]): Promise<void> {
    const c = this.controls.get();
    const exceeded = this.settings.pauseAgentsOnBudget ? statuses.filter((s) => s.state === 'exceeded').map((s) => s.id) : [];
    const newly = exceeded.filter((id) => !c.budgetPaused.includes(id));
    const lifted = c.budgetPaused.filter((id) => !exceeded.includes(id));
    if (!newly.length && !lifted.length) return;
    this.controls.update({ budgetPaused: exceeded });
    if (c.estop) return; // everything is frozen anyway; e-stop's release applies the pauses
    const sessions = await this.sessionsInScopes(statuses.filter((s) => newly.includes(s.id)));
    freezeTrees(sessions.map((s) => s.pid));
    const thaw = await this.sessionsInScopes(statuses.filter((s) => lifted.includes(s.id)));
    const stillPaused = new Set((await this.sessionsInScopes(statuses.filter((s) => exceeded.includes(s.id)))).map((s) => s.pid));
    thawTrees(thaw.map((s) => s.pid).filter((p) => !stillPaused.has(p)));
    this.o.publish('controls', this.controls.get());
  }

  private async sessionsInScopes(scopes: Budget[]): Promise<Array<{ pid: number }>> {
    if (!scopes.length) return [];
    const out: Array<{ pid: number }> = [];
    for (const s of this.o.work.sessions.list()) {
      const rig = parseAddress(s.agent)?.rig ?? null;
      const convoy = s.bead ? await this.convoyOf(s.bead) : null;
      if (scopes.some((b) => b.scope === 'town' || (b.scope === 'rig' && b.target === rig) || (b.scope === 'convoy' && b.target === convoy))) out.push(s);
    }
    return out;
  }

  // ── controls ─────────────────────────────────────────────────────────────────────────────────

  estop(actor: string): ControlsState & { frozen: number } {
    const c = this.controls.get();
    const state = c.estop ? c : this.controls.update({ estop: { since: Date.now(), by: actor } });
    const frozen = freezeTrees(this.o.work.sessions.list().map((s) => s.pid));
    this.o.log(`costs: e-stop by ${actor}: ${frozen.length} process(es) frozen${canFreeze() ? '' : ' (freezing processes is not supported on Windows: dispatch is paused, agents keep running)'}`);
    this.o.publish('controls', state);
    return { ...state, frozen: frozen.length };
  }

  async release(actor: string): Promise<ControlsState & { resumed: number }> {
    const state = this.controls.update({ estop: null });
    const paused = new Set((await this.sessionsInScopes(this.budgetStatuses().filter((s) => state.budgetPaused.includes(s.id)))).map((s) => s.pid));
    const resumed = thawTrees(this.o.work.sessions.list().map((s) => s.pid).filter((p) => !paused.has(p)));
    this.o.log(`costs: resumed by ${actor}: ${resumed.length} process(es) continued`);
    this.o.publish('controls', state);
    this.o.work.context.wake();
    return { ...state, resumed: resumed.length };
  }

  async park(rig: string, parked: boolean): Promise<ControlsState> {
    await this.o.work.rigs.get(rig);
    const c = this.controls.get();
    const parkedRigs = parked ? [...new Set([...c.parkedRigs, rig])].sort() : c.parkedRigs.filter((r) => r !== rig);
    const state = this.controls.update({ parkedRigs });
    this.o.publish('controls', state);
    if (!parked) this.o.work.context.wake();
    return state;
  }

  dnd(minutes: number): ControlsState {
    const state = this.controls.update({ dndUntil: minutes > 0 ? Date.now() + minutes * 60_000 : null });
    this.o.publish('controls', state);
    return state;
  }

  // ── attribution helpers ──────────────────────────────────────────────────────────────────────

  private async liveSessions(): Promise<WatchedSession[]> {
    const out: WatchedSession[] = [];
    for (const s of this.o.work.sessions.list()) {
      const w = await this.watched(s);
      if (w) out.push(w);
    }
    return out;
  }

  private async watched(s: SessionRecord): Promise<WatchedSession | null> {
    const cwd = await this.cwdOf(s.terminal, s.pid, s.agent);
    if (!cwd) return null;
    // A session that went on to another bead by itself is, for attribution, a new one from then on.
    return { agent: s.agent, rig: parseAddress(s.agent)?.rig ?? null, bead: s.bead, runtime: s.runtime, cwd, startedAt: Date.parse(s.beadSince ?? s.startedAt) };
  }

  /** The session's working directory as the CLI sees it (the leader's cwd, symlinks resolved). */
  private async cwdOf(terminal: string, pid: number, agent: string): Promise<string | null> {
    const known = this.cwds.get(terminal);
    if (known) return known;
    let cwd: string | null = null;
    if (process.platform === 'linux') {
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        cwd = null;
      }
    }
    if (!cwd) {
      const rec = await this.o.work.agents.find(agent).catch(() => null);
      cwd = rec?.meta.workdir ?? (agent === 'mayor' ? join(this.o.townRoot, 'mayor') : null);
      try {
        if (cwd) cwd = realpathSync(cwd);
      } catch {
        // Gone already: keep the recorded path.
      }
    }
    if (cwd) this.cwds.set(terminal, cwd);
    return cwd;
  }

  private async convoyOf(bead: string): Promise<string | null> {
    if (this.convoys.has(bead)) return this.convoys.get(bead)!;
    // A light read: the work note is in the metadata.
    const b = await this.o.ledger.getOne(bead);
    // Dispatched by a convoy: its work note says which; slung by hand: the open convoy tracking it.
    const convoy = workNote(b).convoy ?? (await this.o.work.convoys.openConvoys()).find((c) => c.tracked.includes(bead))?.convoy.id ?? null;
    this.rememberConvoy(bead, convoy);
    return convoy;
  }

  /** A bead's convoy, once known, is kept (as it always was), up to CONVOYS_KEPT beads (then forgotten all at once). */
  private rememberConvoy(bead: string, convoy: string | null): void {
    if (this.convoys.size >= CONVOYS_KEPT && !this.convoys.has(bead)) this.convoys.clear();
    this.convoys.set(bead, convoy);
  }
}

function safeJson(text: string): Record<string, { level: string; amount: number; period: string }> {
  try {
    return JSON.parse(text) as Record<string, { level: string; amount: number; period: string }>;
  } catch {
    return {};
  }
}
