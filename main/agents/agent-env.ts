// The one place an agent's environment is built. Every agent session (polecat, crew, Mayor,
// script) gets: the town socket to reach the TownApi through `gt`, who it is (agent, rig, bead,
// town), and PATH with the repo's bin/ (where `gt` lives) first. What must never reach an agent is
// stripped here: ELECTRON_RUN_AS_NODE (it would turn any Electron-based CLI the agent starts into
// plain Node) and the Town's own secrets.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { unpackedPath } from '../lib/unpacked-path.ts';

export { unpackedPath };

/** The repo's bin/ folder, where `gt` (bin/gt.mjs) lives; in the packaged app, its unpacked copy. */
export const GT_BIN_DIR = unpackedPath(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin'));

/** Exact names that never reach an agent. */
const BLOCKED_NAMES = new Set(['ELECTRON_RUN_AS_NODE', 'ELECTRON_NO_ATTACH_CONSOLE', 'NODE_OPTIONS', 'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
/** Prefixes of our own secrets (the socket token is handed over as GT_SOCKET_TOKEN on purpose). */
const SECRET_PREFIXES = ['GT_SECRET', 'GT_TOKEN', 'GT_DOLT_PASSWORD', 'GT_DOLT_PASS', 'GT_PTY_'];

export function isBlockedEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return BLOCKED_NAMES.has(upper) || SECRET_PREFIXES.some((p) => upper.startsWith(p));
}

/** Removes everything an agent must not see; keeps the rest as is. */
export function scrubEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !isBlockedEnvName(k)) out[k] = v;
  return out;
}

export interface AgentEnvOptions {
  /** Path of the Town's local socket that `gt` talks to. */
  socket: string;
  /** The per-agent token for that socket, if the Town issues one. */
  socketToken?: string;
  /** Town folder. */
  town: string;
  /** Agent id, e.g. "gastown/polecats/nux" or "mayor". */
  agent: string;
  rig?: string;
  bead?: string;
  /** Runtime name (claude, codex, script, …), so `gt` and hooks know what they run under. */
  runtime?: string;
  /** The environment to start from; defaults to this process's. */
  base?: Record<string, string | undefined>;
  /** Runtime- or user-specific additions (applied after the base, before our own variables). */
  extra?: Record<string, string>;
  /** bin/ folder holding `gt`; defaults to the repo's. */
  binDir?: string;
}

export function buildAgentEnv(opts: AgentEnvOptions): Record<string, string> {
  const env = scrubEnv(opts.base ?? process.env);
  // Drop any inherited identity: an agent started from another agent's shell must not inherit it.
  for (const k of Object.keys(env)) if (k.startsWith('GT_')) delete env[k];
  Object.assign(env, scrubEnv(opts.extra ?? {}));
  const binDir = opts.binDir ?? GT_BIN_DIR;
  const rest = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter).filter((p) => p && p !== binDir);
  env.PATH = [binDir, ...rest].join(path.delimiter);
  // bin/gt runs the CLI on the same runtime as the town (the Electron binary in the app).
  env.GT_NODE = process.execPath;
  env.GT_SOCKET = opts.socket;
  if (opts.socketToken) env.GT_SOCKET_TOKEN = opts.socketToken;
  env.GT_TOWN = opts.town;
  env.GT_AGENT = opts.agent;
  if (opts.rig) env.GT_RIG = opts.rig;
  if (opts.bead) env.GT_BEAD = opts.bead;
  if (opts.runtime) env.GT_RUNTIME = opts.runtime;
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  return env;
}
