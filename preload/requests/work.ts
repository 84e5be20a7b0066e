// Requests of the work loop: sling work to polecats, read the hook, prime, finish (done), hand off.
import { z } from 'zod';
import type { AgentInfo, DoneResult, HookInfo, SlingResult } from './work-types.ts';
import { allow, BeadIdSchema, request, returns } from '../api-kit.ts';
import { RigName, RuntimeName } from './rigs.ts';

/** What `gt polecat remove` did. */
export interface PolecatRemoveResult {
  agent: string;
  /** The agent bead, now closed with reason "removed" (its history stays in the ledger). */
  agentBead: string;
  stoppedSession: boolean;
  /** Work beads taken off its hook (--force): open and unassigned again. */
  requeued: string[];
  /** The worktree folder removed, or null if there was none. */
  worktree: string | null;
  /** Its branches already merged into the rig's branch, deleted. */
  deletedBranches: string[];
  /** Its branches with unmerged work, kept in the rig's bare repository. */
  keptBranches: string[];
  message: string;
}

/** An agent address: `<rig>/polecats/<name>`, `<rig>/crew/<name>`, `mayor`, `overseer`. */
export const AgentAddress = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.@/-]+$/, 'malformed agent address');

export const workRequests = {
  /** Hooks a bead to a polecat (idle, new, or the one named) and starts its session; queues it at capacity. */
  sling: request(
    z.object({
      bead: BeadIdSchema,
      /** A rig name, a polecat name of that rig, or `<rig>/polecats/<name>`; default: the rig of the bead's prefix. */
      target: z.string().min(1).max(100).optional(),
      runtime: RuntimeName.optional(),
    }).strict(),
    returns<SlingResult>(),
    allow.roles('mayor', 'crew'),
  ),
  /** What is on an agent's hook (the caller's, unless `agent` is given). */
  hook: request(z.object({ agent: AgentAddress.optional() }).strict(), returns<HookInfo>(), allow.self('agent', 'mayor')),
  /** The agent's full context: role prompt, hook, commands, mail waiting. */
  prime: request(z.object({ agent: AgentAddress.optional() }).strict(), returns<{ agent: string; text: string }>(), allow.self('agent', 'mayor')),
  /** Finishes the caller's hooked bead from inside its worktree: commit, merge request, close, idle. */
  done: request(z.object({ cwd: z.string().min(1).max(4096) }).strict(), returns<DoneResult>(), allow.anyone),
  /** Replaces the caller's session by a fresh one primed with the note and the hook. */
  handoff: request(z.object({ note: z.string().max(100_000).optional(), agent: AgentAddress.optional() }).strict(), returns<{ agent: string; terminal: string }>(), allow.self('agent')),
  agentList: request(z.object({ rig: RigName.optional(), role: z.enum(['polecat', 'crew', 'mayor']).optional() }).strict(), returns<AgentInfo[]>(), allow.anyone),
  agentShow: request(z.object({ agent: AgentAddress }).strict(), returns<AgentInfo>(), allow.anyone),
  /** Retires a polecat: session stopped, worktree removed, merged branches deleted, agent bead closed. Refuses one with work on its hook unless `force` (the work goes back to open). */
  polecatRemove: request(z.object({ agent: AgentAddress, force: z.boolean().optional() }).strict(), returns<PolecatRemoveResult>(), allow.roles('mayor')),
};
