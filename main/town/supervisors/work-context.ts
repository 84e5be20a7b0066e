// What every part of the work loop shares: the ledger, the town's folders and settings, the rig
// and agent stores, the sessions, one lock table, and a way to publish TownApi events.
import type { EventName, TownEvents } from '../../../preload/contract.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { AgentStore } from '../polecats/agent-store.ts';
import type { RigManager } from '../rigs/rig-manager.ts';
import type { AgentSessions } from '../sessions/agent-sessions.ts';
import type { WorkSettings } from '../sessions/work-settings.ts';
import type { KeyedLock } from '../../lib/keyed-lock.ts';
import type { OpenMergeRequests } from '../refineries/open-requests.ts';
import type { ReservedWork } from '../polecats/reserved-work.ts';
import type { HookedWork } from '../polecats/hooked-work.ts';
import type { QueuedSlings } from '../polecats/queued-slings.ts';

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
  /** Asks the supervisor to look at the town soon (work finished, a session ended, …); `delayMs`:
   *  not before then (several events in one patrol), default at once. */
  wake(delayMs?: number): void;
  /** Why work may not be dispatched into this scope now (e-stop, parked rig, budget), or null.
   *  Set by the Town (main/town/costs/cost-service.ts); absent means always allowed. */
  gate?: (scope: { rig: string; bead?: string; convoy?: string | null; restart?: boolean }) => Promise<string | null>;
  /** The open merge requests held in memory (main/town/refineries/open-requests.ts); absent: read from the ledger. */
  openRequests?: OpenMergeRequests;
  /** Open work beads reserved for an agent, held in memory (main/town/polecats/reserved-work.ts); absent: read from the ledger. */
  reserved?: ReservedWork;
  /** The beads polecats hold (hooked or in progress), held in memory (main/town/polecats/hooked-work.ts); absent: read from the ledger. */
  hooked?: HookedWork;
  /** The open beads in the sling queue, held in memory (main/town/polecats/queued-slings.ts); absent: read from the ledger. */
  queued?: QueuedSlings;
}

/** How long the Witness and the molecule patrol let ledger changes gather before a patrol (see
 *  TownWork.onBeadsChanged): a busy town commits several times a second. */
export const FEED_WAKE_MS = 1000;

/** The actor of writes the town makes on its own (supervisor, dispatcher). */
export const TOWN_ACTOR = 'town/witness';
