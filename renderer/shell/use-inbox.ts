// The inbox as a hook: derived from the store's beads, agents, budget alerts and dismissals, recomputed only when they change.
import { useMemo } from 'react';
import { useTown } from '../app-context.tsx';
import { deriveInbox, type InboxItem } from '../../preload/requests/ui-inbox.ts';

export function useInbox(): InboxItem[] {
  const beads = useTown((s) => s.beads.beads);
  const agents = useTown((s) => s.agents);
  const dismissed = useTown((s) => s.dismissed);
  const budgetAlerts = useTown((s) => s.cost.alerts);
  return useMemo(() => deriveInbox({ beads, agents, dismissed, budgetAlerts }), [beads, agents, dismissed, budgetAlerts]);
}
