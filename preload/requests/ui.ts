// Requests made for the desktop UI: one consistent snapshot to start from (with the Dolt commit it
// was read at, so the renderer can drop feed events it already has), agents with their live status,
// the last lines of a terminal's screen (for the inbox), and attaching a terminal from an offset (a
// re-attach resumes instead of replaying everything).
import { z } from 'zod';
import type { Bead, Dependency, TownStatus } from '../types.ts';
import type { AgentInfo } from './work-types.ts';
import { allow, request, returns } from '../api-kit.ts';

/** An agent as the UI shows it: its ledger record plus the live status of its session, if any. */
export interface UiAgent extends AgentInfo {
  live: { state: string; reason: string; since: number; lastOutput: number } | null;
}

export interface UiSnapshot {
  /** The Dolt commit every ledger read of this snapshot saw (feed events up to it are already in). */
  commit: string;
  beads: Bead[];
  dependencies: Dependency[];
  agents: UiAgent[];
  status: TownStatus;
  /** Epoch ms when the snapshot was taken. */
  at: number;
}

export interface UiScreen {
  terminal: string;
  /** The last non-empty lines of the visible screen, oldest first. */
  lines: string[];
  cursorLine: string;
}

const TerminalId = z.string().min(1).max(100);

export const uiRequests = {
  /** Everything the UI starts from, read at one Dolt commit (retried until HEAD held still). */
  uiSnapshot: request(z.object({ beadLimit: z.number().int().min(1).max(100_000).default(20_000) }).strict(), returns<UiSnapshot>(), allow.anyone),
  /** Agents with the live status of their sessions. */
  uiAgents: request(z.object({}).strict(), returns<UiAgent[]>(), allow.anyone),
  /** The last `lines` non-empty lines of a terminal's screen. */
  uiScreen: request(z.object({ terminal: TerminalId, lines: z.number().int().min(1).max(200).default(8) }).strict(), returns<UiScreen>(), allow.overseer),
  /** Streams a terminal to this client from `fromOffset` (bytes already seen are not replayed) or its ring. */
  uiTerminalAttach: request(z.object({ id: TerminalId, fromOffset: z.number().int().min(0).optional() }).strict(), returns<{ replayed: number; offset: number }>(), allow.overseer),
};
