// What every part of the work loop shares: the ledger, the town's folders and settings, the rig
// and agent stores, the sessions, one lock table, and a way to publish TownApi events.
import type { EventName, TownEvents } from '../../../preload/contract.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { AgentStore } from '../polecats/agent-store.ts';
import type { RigManager } from '../rigs/rig-manager.ts';
import type { AgentSessions } from '../sessions/agent-sessions.ts';
import type { WorkSettings } from '../sessions/work-settings.ts';
import type { KeyedLock } from '../../lib/keyed-lock.ts';

export interface WorkContext {
  ledger: Ledger;
  townRoot: string;
  townPrefix: string;
  settings: WorkSettings;
  rigs: RigManager;
  agents: AgentStore;
  sessions: AgentSessions;
  locks: KeyedLock;
  publish<E extends EventName>(name: E, payload: TownEvents[E]): void;
  log(line: string): void;
  /** Asks the supervisor to look at the town soon (work finished, a session ended, …). */
  wake(): void;
  /** Why work may not be dispatched into this scope now (e-stop, parked rig, budget), or null.
   *  Set by the Town (main/town/costs/cost-service.ts); absent means always allowed. */
  gate?: (scope: { rig: string; bead?: string; convoy?: string | null; restart?: boolean }) => Promise<string | null>;
}

/** The actor of writes the town makes on its own (supervisor, dispatcher). */
export const TOWN_ACTOR = 'town/witness';
