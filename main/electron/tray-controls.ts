// The tray's cost controls: the e-stop / resume item and budget notifications. Pure: tray.ts feeds
// it the Town's `controls` and `budgetAlert` events.
import type { BudgetAlertEvent, ControlsState } from '../../preload/requests/cost-types.ts';
import type { Alert } from './tray-status.ts';

/** The menu item: which request it sends and what it says. */
export function estopItem(controls: ControlsState | null): { label: string; request: 'estop' | 'estopRelease' } {
  return controls?.estop
    ? { label: 'Resume agents (end e-stop)', request: 'estopRelease' }
    : { label: 'Emergency stop (freeze all agents)', request: 'estop' };
}

/** A desktop notification for a budget alert, unless do-not-disturb muted it. */
export function budgetNotification(e: BudgetAlertEvent): Alert | null {
  if (!e.notify) return null;
  return { title: e.level === 'exceeded' ? 'Gas Town: budget reached' : 'Gas Town: budget at 80%', body: e.message };
}
