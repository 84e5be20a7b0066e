// The TownApi: declared once. Every transport (Electron IPC + preload, WebSocket, the CLI's local
// socket) is derived from this map, and every argument is validated by its schema on the Town side.
// Requests are declared by domain in preload/requests/; this file assembles them.
import type { z } from 'zod';
import type { BeadFeedEvent, TerminalExit, TownStatus } from './types.ts';
import { TownError } from './errors.ts';
import { beadRequests } from './requests/beads.ts';
import { wispRequests } from './requests/wisps.ts';
import { terminalRequests } from './requests/terminals.ts';
import { townRequests } from './requests/town.ts';
import { rigRequests } from './requests/rigs.ts';
import { workRequests } from './requests/work.ts';
import { convoyRequests } from './requests/convoys.ts';
import { messageRequests } from './requests/messages.ts';
import { mergeQueueRequests } from './requests/merge-queue.ts';
import { costRequests } from './requests/costs.ts';
import type { BudgetAlertEvent, ControlsState, CostMeters } from './requests/cost-types.ts';
import { agentHookRequests } from './requests/agent-hooks.ts';
import { uiRequests } from './requests/ui.ts';
import type { MergeQueueEvent } from './requests/merge-queue-types.ts';
import type { AgentStatusEvent, ConvoyClosedEvent, EscalationEvent, WorkEvent } from './requests/work-types.ts';
import { checkCaller, type CallerRule } from './callers.ts';
import { supervisionRequests } from './requests/supervision.ts';
import { moleculeRequests } from './requests/molecules.ts';
import { cliRunnerRequests } from './requests/cli-runner.ts';
import { federationRequests } from './requests/federation.ts';
import type { SupervisionEvent } from './requests/supervision-types.ts';

export { BeadIdSchema, MetadataSchema, PrefixSchema } from './api-kit.ts';
export { allow, callerRole, checkCaller, describeRule, type Caller, type CallerRole, type CallerRule } from './callers.ts';
export { ERROR_CODES, TownError, type ErrorCode } from './errors.ts';

export const requests = {
  ...townRequests,
  ...beadRequests,
  ...wispRequests,
  ...terminalRequests,
  ...rigRequests,
  ...workRequests,
  ...convoyRequests,
  ...messageRequests,
  ...mergeQueueRequests,
  ...costRequests,
  ...agentHookRequests,
  ...uiRequests,
  ...supervisionRequests,
  ...moleculeRequests,
  ...cliRunnerRequests,
  ...federationRequests,
};

/** Server-to-client event streams: name → payload. */
export interface TownEvents {
  beadFeed: BeadFeedEvent;
  townStatus: TownStatus;
  terminalExit: TerminalExit;
  agentStatus: AgentStatusEvent;
  convoyClosed: ConvoyClosedEvent;
  escalation: EscalationEvent;
  workEvent: WorkEvent;
  /** A Refinery event (phase, batch, gate, landed, problem) with its rig. */
  mergeQueue: MergeQueueEvent;
  /** Cost meters changed (new usage stored): town and per-agent totals, burn rates, controls. */
  costMeters: CostMeters;
  /** E-stop, parked rigs, do-not-disturb or budget pauses changed. */
  controls: ControlsState;
  /** A budget crossed 80% (warning) or 100% (exceeded). */
  budgetAlert: BudgetAlertEvent;
  /** A supervisor (Witness check, Deacon, Boot, a Dog) saw or did something. */
  supervision: SupervisionEvent;
}

export const EVENT_NAMES = ['beadFeed', 'townStatus', 'terminalExit', 'agentStatus', 'convoyClosed', 'escalation', 'workEvent', 'mergeQueue', 'costMeters', 'controls', 'budgetAlert', 'supervision'] as const satisfies ReadonlyArray<keyof TownEvents>;
/** Compile-time check that EVENT_NAMES lists every event: a stream missing here could never be subscribed to. */
const everyEventListed: Exclude<keyof TownEvents, (typeof EVENT_NAMES)[number]> extends never ? true : never = true;
void everyEventListed;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export const REQUEST_NAMES = Object.keys(requests) as RequestName[];
export type EventName = keyof TownEvents;

/** What a caller passes (defaults may be omitted). */
export type ArgsIn<N extends RequestName> = z.input<Requests[N]['args']>;
/** What a handler receives, after validation and defaults. */
export type ArgsOut<N extends RequestName> = z.output<Requests[N]['args']>;
export type Result<N extends RequestName> = Requests[N]['result'] extends (value: infer R) => unknown ? R : never;

export type Unsubscribe = () => void;

/** The API as the renderer and the CLI see it, whatever the transport. */
export type TownClient = { [N in RequestName]: (args: ArgsIn<N>) => Promise<Result<N>> } & {
  on<E extends EventName>(event: E, listener: (payload: TownEvents[E]) => void): Unsubscribe;
  /** Terminal output as raw bytes, for every attached terminal; never JSON, never React state. */
  onTerminalData(listener: (id: string, data: Uint8Array) => void): Unsubscribe;
};

/** Who is calling: the agent (from its environment) or the human at the UI. */
export interface CallContext {
  actor: string;
  /** The caller holds the owner's credential (the socket's owner token): it may make every request,
   *  whatever actor it names. Absent for agents' own tokens; the actor `overseer` is privileged anyway. */
  owner?: boolean;
  transport: 'ipc' | 'websocket' | 'socket' | 'in-process';
  /** The connection (window, WebSocket, socket client) that terminal output is streamed to. */
  consumer: string;
}

/** The Town's side of the contract. */
export type TownHandlers = { [N in RequestName]: (args: ArgsOut<N>, ctx: CallContext) => Promise<Result<N>> };

/** Validates a request's arguments against its schema; a clear `invalid` error names the field. */
export function parseArgs<N extends RequestName>(name: N, raw: unknown): ArgsOut<N> {
  const schema = requests[name]?.args;
  if (!schema) throw new TownError('invalid', `unknown request: ${String(name)}`);
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new TownError('invalid', `${String(name)}: ${where}${issue.message}`);
  }
  return parsed.data as ArgsOut<N>;
}

/** Who may make a request, as its declaration says. */
export function callerRule(name: RequestName): CallerRule {
  return requests[name].who;
}

/** Refuses (TownError `forbidden`) a caller the request's rule does not admit; see preload/callers.ts. */
export function authorize(name: RequestName, ctx: Pick<CallContext, 'actor' | 'owner'>, rawArgs: unknown): void {
  checkCaller(name, callerRule(name), ctx, rawArgs ?? {});
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}
