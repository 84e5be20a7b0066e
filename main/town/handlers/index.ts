// The Town's implementation of the TownApi, one file per domain of the contract (preload/requests/).
// Arguments arrive validated (see Town.call); the mapped type makes a missing handler a compile error.
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';
import { beadHandlers } from './bead-handlers.ts';
import { wispHandlers } from './wisp-handlers.ts';
import { terminalHandlers } from './terminal-handlers.ts';
import { rigHandlers } from './rig-handlers.ts';
import { workHandlers } from './work-handlers.ts';
import { convoyHandlers } from './convoy-handlers.ts';
import { messageHandlers } from './message-handlers.ts';
import { mergeQueueHandlers } from './merge-queue-handlers.ts';
import { costHandlers } from './cost-handlers.ts';
import { agentHookHandlers } from './agent-hooks.ts';
import { uiHandlers } from './ui-handlers.ts';
import { supervisionHandlers } from './supervision-handlers.ts';
import { moleculeHandlers } from './molecule-handlers.ts';
import { cliHandlers } from './cli-handlers.ts';
import { federationHandlers } from './federation-handlers.ts';

export function createHandlers(town: Town): TownHandlers {
  return {
    townStatus: () => town.status(),
    ...beadHandlers(town),
    ...wispHandlers(town),
    ...terminalHandlers(town),
    ...rigHandlers(town),
    ...workHandlers(town),
    ...convoyHandlers(town),
    ...messageHandlers(town),
    ...mergeQueueHandlers(town),
    ...costHandlers(town),
    ...agentHookHandlers(town),
    ...uiHandlers(town),
    ...supervisionHandlers(town),
    ...moleculeHandlers(town),
    ...cliHandlers(town),
    ...federationHandlers(town),
  };
}
