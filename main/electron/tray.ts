// The tray icon: the town's health at a glance, a way back to the window, and Quit (which stops
// the town cleanly). Fed by the Town's townStatus events, refreshed after ledger changes and on a
// slow timer as a safety net.
import { Menu, nativeImage, Tray } from 'electron';
import type { Bead, TownStatus } from '../../preload/types.ts';
import type { Town } from '../town/town.ts';
import type { BudgetAlertEvent, ControlsState } from '../../preload/requests/cost-types.ts';
import { budgetNotification, estopItem } from './tray-controls.ts';
import type { UiAgent } from '../../preload/requests/ui.ts';
import { countAgents, type AgentCounts } from '../../preload/requests/ui-counts.ts';
import { deriveInbox } from '../../preload/requests/ui-inbox.ts';
import { statusAlerts, trayAgentsLine, trayStatusLines, trayTooltip, type Alert } from './tray-status.ts';

const REFRESH_MS = 30_000;
const AFTER_CHANGE_MS = 1_000;

export interface TrayOptions {
  iconPath: string;
  town: Promise<Town>;
  showWindow(): void;
  quit(): void;
  alert(alert: Alert): void;
}

export function createTray(opts: TrayOptions): { dispose(): void } {
  const tray = new Tray(nativeImage.createFromPath(opts.iconPath));
  let status: TownStatus | null = null;
  let error: string | undefined;
  let controls: ControlsState | null = null;
  let townReady: Town | null = null;
  let counts: AgentCounts | null = null;
  let inbox: number | null = null;
  let disposed = false;
  const timers = new Set<NodeJS.Timeout>();
  const unsubscribe: Array<() => void> = [];

  const render = (): void => {
    if (disposed) return;
    tray.setToolTip(`${trayTooltip(status, error)}\n${trayAgentsLine(counts, inbox)}`);
    const info = [...trayStatusLines(status, error), trayAgentsLine(counts, inbox)].map((label) => ({ label, enabled: false }));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        ...info,
        { type: 'separator' },
        ...(townReady ? [(() => {
          const item = estopItem(controls);
          const town = townReady;
          return { label: item.label, click: () => void town.call(item.request, {}, { actor: 'overseer', transport: 'in-process', consumer: 'tray' }).catch(() => {}) };
        })()] : []),
        { label: 'Open Gas Town', click: () => opts.showWindow() },
        { label: 'Quit Gas Town', click: () => opts.quit() },
      ]),
    );
  };
  const update = (next: TownStatus): void => {
    for (const alert of statusAlerts(status, next)) opts.alert(alert);
    status = next;
    error = undefined;
    render();
  };

  tray.on('click', () => opts.showWindow());
  render();

  void opts.town.then(
    (town) => {
      if (disposed) return;
      townReady = town;
      controls = town.costs.controls.get();
      render();
      const ctx = { actor: 'overseer', transport: 'in-process', consumer: 'tray' } as const;
      const refresh = (): void => {
        town.call('townStatus', {}, ctx).then(
          (s) => update(s as TownStatus),
          () => {},
        );
        // Working / waiting / stuck agents and the inbox (escalations and agents that need a human;
        // merge problems and dismissals live in the window's inbox only).
        void Promise.all([town.call('uiAgents', {}, ctx), town.call('beadList', { type: 'escalation', assignee: 'overseer' }, ctx)]).then(
          ([agents, escalations]) => {
            const list = agents as UiAgent[];
            counts = countAgents(list);
            const beads = Object.fromEntries((escalations as Bead[]).map((b) => [b.id, b]));
            inbox = deriveInbox({ beads, agents: Object.fromEntries(list.map((a) => [a.id, a])), dismissed: {} }).length;
            render();
          },
          () => {},
        );
      };
      let pending: NodeJS.Timeout | null = null;
      unsubscribe.push(
        town.onEvent((name, payload) => {
          if (name === 'townStatus') update(payload as TownStatus);
          else if (name === 'controls') {
            controls = payload as ControlsState;
            render();
          } else if (name === 'budgetAlert') {
            const alert = budgetNotification(payload as BudgetAlertEvent);
            if (alert) opts.alert(alert);
          }
          // Bead counts change with the ledger; one refresh per burst of changes.
          else if ((name === 'beadFeed' || name === 'agentStatus') && !pending) {
            pending = setTimeout(() => {
              timers.delete(pending!);
              pending = null;
              refresh();
            }, AFTER_CHANGE_MS);
            timers.add(pending);
          }
        }),
      );
      const interval = setInterval(refresh, REFRESH_MS);
      timers.add(interval);
      refresh();
    },
    (err: unknown) => {
      error = err instanceof Error ? err.message : String(err);
      render();
    },
  );

  return {
    dispose() {
      disposed = true;
      for (const t of timers) clearTimeout(t);
      for (const off of unsubscribe) off();
      tray.destroy();
    },
  };
}
