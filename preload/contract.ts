// The TownApi: declared once. Every transport (Electron IPC + preload, WebSocket, the CLI's local
// socket) is derived from this map, and every argument is validated by its schema on the Town side.
import { z } from 'zod';
import type { Bead, BeadFeedEvent, TerminalExit, TerminalInfo, TownStatus } from './types.ts';
import { BEAD_STATUSES, BEAD_TYPES } from './types.ts';

/** Ids are `<prefix>-<base36>` with optional `.n` child suffixes, e.g. `hq-a1b2`, `gt-x9k.2`. */
export const BeadIdSchema = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]{0,15}-[0-9a-z]{3,16}(\.\d{1,6})*$/, 'malformed bead id (expected <prefix>-<base36>, e.g. hq-a1b2)');

export const PrefixSchema = z.string().regex(/^[a-z][a-z0-9_]{0,15}$/, 'malformed prefix (lowercase letters and digits)');

/** A result type carried by the contract. Never called: it exists so the result type travels with the request. */
function returns<T>(): (value: T) => T {
  return (value) => value;
}

function request<A extends z.ZodType, R>(args: A, result: (value: R) => R) {
  return { args, result };
}

export const requests = {
  townStatus: request(z.object({}).strict(), returns<TownStatus>()),

  beadCreate: request(
    z.object({
      title: z.string().trim().min(1, 'title must not be empty').max(500, 'title longer than 500 characters'),
      description: z.string().max(1_000_000).optional(),
      type: z.enum(BEAD_TYPES).optional(),
      priority: z.number().int().min(0).max(4).optional(),
      prefix: PrefixSchema.optional(),
      labels: z.array(z.string().min(1).max(255)).max(100).optional(),
    }).strict(),
    returns<Bead>(),
  ),
  beadShow: request(z.object({ id: BeadIdSchema }).strict(), returns<Bead>()),
  beadList: request(
    z.object({
      status: z.enum(BEAD_STATUSES).optional(),
      type: z.enum(BEAD_TYPES).optional(),
      assignee: z.string().max(255).optional(),
      label: z.string().max(255).optional(),
      prefix: PrefixSchema.optional(),
      limit: z.number().int().min(1).max(100_000).optional(),
    }).strict(),
    returns<Bead[]>(),
  ),

  terminalOpen: request(
    z.object({
      cols: z.number().int().min(2).max(1000).default(80),
      rows: z.number().int().min(2).max(500).default(24),
      title: z.string().max(200).optional(),
    }).strict(),
    returns<TerminalInfo>(),
  ),
  terminalList: request(z.object({}).strict(), returns<TerminalInfo[]>()),
  terminalWrite: request(z.object({ id: z.string().min(1).max(100), data: z.string().max(1_000_000) }).strict(), returns<void>()),
  terminalResize: request(
    z.object({ id: z.string().min(1).max(100), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(2).max(500) }).strict(),
    returns<void>(),
  ),
  /** Consumers acknowledge bytes they have rendered; the PTY pauses when too much is unacknowledged. */
  terminalAck: request(z.object({ id: z.string().min(1).max(100), bytes: z.number().int().min(0) }).strict(), returns<void>()),
  /** Start streaming a terminal's output to this client: the recent output replayed, then live. */
  terminalAttach: request(z.object({ id: z.string().min(1).max(100) }).strict(), returns<{ replayed: number }>()),
  terminalClose: request(z.object({ id: z.string().min(1).max(100) }).strict(), returns<void>()),
};

/** Server-to-client event streams: name → payload. */
export interface TownEvents {
  beadFeed: BeadFeedEvent;
  townStatus: TownStatus;
  terminalExit: TerminalExit;
}

export const EVENT_NAMES = ['beadFeed', 'townStatus', 'terminalExit'] as const satisfies ReadonlyArray<keyof TownEvents>;

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
  transport: 'ipc' | 'websocket' | 'socket' | 'in-process';
  /** The connection (window, WebSocket, socket client) that terminal output is streamed to. */
  consumer: string;
}

/** The Town's side of the contract. */
export type TownHandlers = { [N in RequestName]: (args: ArgsOut<N>, ctx: CallContext) => Promise<Result<N>> };

export const ERROR_CODES = ['invalid', 'not_found', 'conflict', 'unavailable', 'unauthorized', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error shape every transport carries: a code a program can branch on, a message a person can read. */
export class TownError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TownError';
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }

  static from(value: unknown): TownError {
    if (value instanceof TownError) return value;
    const v = value as { code?: unknown; message?: unknown } | null;
    if (v && typeof v.code === 'string' && (ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string') {
      return new TownError(v.code as ErrorCode, v.message);
    }
    return new TownError('internal', value instanceof Error ? value.message : String(value));
  }
}

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

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}
