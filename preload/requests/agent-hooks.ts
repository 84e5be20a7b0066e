// Requests of the runtimes' own hooks: a CLI's hook (Claude Code settings, Gemini CLI settings,
// Codex notify) calls `gt agent-hook <adapter>`, which reports here as the agent it runs inside.
import { z } from 'zod';
import { request, returns } from '../api-kit.ts';
import { allow } from '../callers.ts';
import { AgentAddress } from './work.ts';
import { HOOK_ADAPTERS } from '../hook-adapters.ts';

export { HOOK_ADAPTERS, type HookAdapter } from '../hook-adapters.ts';

/** What produced an agent's status: its runtime's hook, a screen pattern, output activity, the
 *  stall check, the session's exit, or the spawn itself. */
export const AGENT_STATUS_SOURCES = ['spawn', 'hook', 'screen', 'output', 'stall', 'exit'] as const;
export type AgentStatusSource = (typeof AGENT_STATUS_SOURCES)[number];

/** A runtime conversation the agent can be resumed into (kept on its agent bead). */
export interface AgentConversation {
  runtime: string;
  id: string;
  /** The folder it ran in, and the bead it worked on: a restart resumes only the same work. */
  cwd: string;
  bead: string | null;
  at: string;
}

export interface AgentHookResult {
  agent: string;
  /** false when the caller has no running session (a hook run by hand outside one). */
  tracked: boolean;
  state: string | null;
  source: AgentStatusSource | null;
  /** What the CLI should print, already in the form its hook protocol reads ('' for nothing). */
  output: string;
}

export interface AgentStateInfo {
  agent: string;
  terminal: string;
  runtime: string;
  state: string;
  reason: string;
  source: AgentStatusSource;
  since: number;
  /** The conversation this session resumed, if it did. */
  resumed: string | null;
  conversation: AgentConversation | null;
}

/** A hook payload, reduced by `gt agent-hook` to the small fields the town reads. */
const PayloadValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
const Payload = z.record(z.string().max(60), PayloadValue).refine((p) => Object.keys(p).length <= 40, 'hook payload has more than 40 fields');

export const agentHookRequests = {
  /** A runtime hook fired inside the caller's session: its status, conversation id, and what to print back. */
  agentHook: request(z.object({ adapter: z.enum(HOOK_ADAPTERS), payload: Payload }).strict(), returns<AgentHookResult>(), allow.anyone),
  /** An agent's live status, with the source that produced it and its resumable conversation. */
  agentState: request(z.object({ agent: AgentAddress }).strict(), returns<AgentStateInfo>(), allow.anyone),
};
