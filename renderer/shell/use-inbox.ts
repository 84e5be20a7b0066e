// The inbox as a hook: derived from the store's beads, agents and dismissals, recomputed only when they change.
import { useMemo } from 'react';
import { useTown } from '../app-context.tsx';
import { deriveInbox, type InboxItem } from '../../preload/requests/ui-inbox.ts';

export function useInbox(): InboxItem[] {
  const beads = useTown((s) => s.beads.beads);
  const agents = useTown((s) => s.agents);
  const dismissed = useTown((s) => s.dismissed);
  return useMemo(() => deriveInbox({ beads, agents, dismissed }), [beads, agents, dismissed]);
}
