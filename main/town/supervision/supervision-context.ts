// What every supervisor shares: the work loop, the Refineries, the ledger, the PTY host, the
// town's folders and supervision settings, the one escalation path and a way to publish what it
// saw or did (the `supervision` event, also logged).
import type { SupervisionEvent } from '../../../preload/requests/supervision-types.ts';
import type { PtyHostClient } from '../../agents/pty-host-client.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { TownPaths } from '../paths.ts';
import type { RefineryPool } from '../refineries/refinery-pool.ts';
import type { TownWork } from '../supervisors/town-work.ts';
import type { Escalations } from './escalations.ts';
import type { SupervisionSettings } from './supervision-settings.ts';

export interface SupervisionContext {
  work: TownWork;
  refineries: RefineryPool;
  ledger: Ledger;
  pty: PtyHostClient;
  paths: TownPaths;
  /** The Dolt server's connection and binary, for the dogs that talk to Dolt directly. */
  dolt: { port: number; dataDir: string; database: string };
  settings: SupervisionSettings;
  escalations: Escalations;
  report(event: Omit<SupervisionEvent, 'at'>): void;
  log(line: string): void;
}

/** Actors of the supervisors' own writes. */
export const DEACON_ACTOR = 'town/deacon';
export const WITNESS_ACTOR = 'town/witness';
