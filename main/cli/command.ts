// The shape of a `gt` command, and the helpers every command shares.
// On every `gt` call's path: it imports nothing heavy (no zod, no contract schemas, no Town); the
// bundle test (test/unit/cli-bundle.test.ts) checks what the CLI's entry loads.
import { readFileSync } from 'node:fs';
import type { TownClient } from '../../preload/contract.ts';
import { TownError } from '../../preload/errors.ts';
import { townPaths, type TownPaths } from '../town/paths.ts';
import { connectToTown } from './socket-client.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Shown in help as the value's name, e.g. --title TEXT. */
  value?: string;
}

export interface CliContext {
  townDir: string;
  paths: TownPaths;
  /** A line to stdout / stderr (the newline is added). */
  out: (text: string) => void;
  err: (text: string) => void;
  /** Text to stdout as it is (no newline added). */
  write: (text: string) => void;
  /** The caller's working folder: relative paths in arguments are read against it. */
  cwd: string;
  /** A client of the town for this call: over the socket (the CLI's own process), or the town
   *  itself speaking as the caller (a command the town runs for the native client, cli-runner.ts). */
  connect: () => Promise<TownConnection>;
  /** The agent session the call runs inside (the caller's GT_AGENT), or null. */
  agent: string | null;
  /** The caller's stdin as text ('' when it is a terminal); only for commands that declare `stdin`. */
  stdin: () => Promise<string>;
}

export interface TownConnection {
  client: TownClient;
  close(): void;
}

/** Where a command may run: `caller` commands only in the caller's own process (they read the
 *  caller's stdin, files or machine, start a town, or take over its terminal), never in the town
 *  for the native client (which then runs the Node CLI instead). */
export type CommandPlace = 'anywhere' | 'caller';

export interface Command {
  /** One or two words: "init", "bead create". */
  name: string;
  summary: string;
  /** Positional arguments as shown in help, e.g. "ID". */
  args?: string;
  options?: Record<string, OptionSpec>;
  /** Extra help text below the options. */
  details?: string;
  /** Default 'anywhere': the command's only effects are its town requests (checked as the caller's)
   *  and what it prints. A function decides from the parsed options. */
  place?: CommandPlace | ((values: CommandValues) => CommandPlace);
  /** Whether this call reads the caller's stdin (the native client then sends it along); `agent`
   *  is the session the call runs inside (GT_AGENT). */
  stdin?: (values: CommandValues, positionals: string[], agent: string | null) => boolean;
  run(ctx: CliContext, values: CommandValues, positionals: string[]): Promise<number>;
}

export type CommandValues = Record<string, string | boolean | string[] | undefined>;

export const JSON_OPTION: Record<string, OptionSpec> = { json: { type: 'boolean', description: 'print JSON' } };

/** Who this CLI speaks for: the agent it runs inside (GT_AGENT), else the human at the keyboard. */
export function actorFromEnv(): string {
  return process.env.GT_AGENT || 'overseer';
}

/** Inside an agent's terminal: its own token (valid only for that agent); else the owner's. */
export async function tokenFromEnv(ctx: CliContext): Promise<string> {
  const agentOwn = process.env.GT_AGENT && process.env.GT_SOCKET_TOKEN;
  return agentOwn ? process.env.GT_SOCKET_TOKEN! : ownerToken(ctx.paths);
}

/**
 * The owner's token from the town's secrets. A well-formed file is read directly (no schema library
 * on every call); anything else goes through config.ts's readSecrets, the one place that validates
 * the file and words its errors.
 */
async function ownerToken(paths: TownPaths): Promise<string> {
  try {
    const token = (JSON.parse(readFileSync(paths.secrets, 'utf8')) as { apiToken?: unknown } | null)?.apiToken;
    if (typeof token === 'string' && token.length >= 32) return token;
  } catch {
    // missing or not JSON: readSecrets says so clearly
  }
  const { readSecrets } = await import('../town/config.ts');
  return readSecrets(paths).apiToken;
}

/** Runs fn with a client of the running town; closes the connection afterwards. */
export async function withTown<T>(ctx: CliContext, fn: (client: TownClient) => Promise<T>): Promise<T> {
  const conn = await ctx.connect();
  try {
    return await fn(conn.client);
  } finally {
    conn.close();
  }
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}

export function requireArg(positionals: string[], index: number, name: string): string {
  const v = positionals[index];
  if (v === undefined) throw new TownError('invalid', `missing ${name}`);
  return v;
}

/** Largest stdin a command reads (a runtime hook's payload); the rest is not read. */
export const MAX_STDIN = 4 << 20;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_STDIN) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The context of a `gt` running in its own process: its stdout/stderr, its cwd, the town's socket. */
export function contextFor(townDir: string): CliContext {
  const ctx: CliContext = {
    townDir,
    paths: townPaths(townDir),
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
    write: (t) => process.stdout.write(t),
    cwd: process.cwd(),
    agent: process.env.GT_AGENT || null,
    stdin: readStdin,
    connect: async () => connectToTown(ctx.paths.socket, await tokenFromEnv(ctx), actorFromEnv(), ctx.townDir),
  };
  return ctx;
}
