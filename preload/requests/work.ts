// Requests of the work loop: sling work to polecats, read the hook, prime, finish (done), hand off.
import { z } from 'zod';
import type { AgentInfo, DoneResult, HookInfo, SlingManyResult, SlingResult, UnslingResult } from './work-types.ts';
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
      /**
       * A rig, a polecat (`<rig>/polecats/<name>` or a polecat name), a crew member (`<rig>/crew/<name>`),
       * `mayor`, or `self` (the caller); default: the rig of the bead's prefix.
       */
      target: z.string().min(1).max(100).optional(),
      runtime: RuntimeName.optional(),
      /** Take it off the hook it is on first (never work in review). */
      force: z.boolean().optional(),
    }).strict(),
    returns<SlingResult>(),
    allow.roles('mayor', 'crew'),
  ),
  /**
   * `gt sling BEAD… [TARGET]`: `args` are bead ids, the last one being the target unless it names a
   * bead. Several beads go to one rig as an auto-convoy titled after the work.
   */
  slingMany: request(
    z.object({ args: z.array(z.string().min(1).max(100)).min(1).max(500), runtime: RuntimeName.optional(), force: z.boolean().optional() }).strict(),
    returns<SlingManyResult>(),
    allow.roles('mayor', 'crew'),
  ),
  /** Takes a bead off the hook it is on (or out of the sling queue): open and unassigned again. */
  unsling: request(z.object({ bead: BeadIdSchema }).strict(), returns<UnslingResult>(), allow.roles('mayor', 'crew')),
  /** `gt hook BEAD`: the caller attaches a bead to its own hook. */
  hookBead: request(z.object({ bead: BeadIdSchema }).strict(), returns<SlingResult>(), allow.anyone),
  /** What is on an agent's hook (the caller's, unless `agent` is given). */
  hook: request(z.object({ agent: AgentAddress.optional() }).strict(), returns<HookInfo>(), allow.self('agent', 'mayor')),
  /** The agent's full context: role prompt, hook, commands, mail waiting. */
  prime: request(z.object({ agent: AgentAddress.optional() }).strict(), returns<{ agent: string; text: string }>(), allow.self('agent', 'mayor')),
  /**
   * Finishes the caller's hooked bead from inside its worktree: commit leftovers, merge request, the
   * bead in review (it closes when its code lands), the polecat idle. Refused when the branch has no
   * commit ahead of the target, unless `noChanges` gives why the bead needs none (then it closes).
   */
  done: request(z.object({ cwd: z.string().min(1).max(4096), noChanges: z.string().min(1).max(2000).optional() }).strict(), returns<DoneResult>(), allow.anyone),
  /** Replaces the caller's session by a fresh one primed with the note and the hook. */
  handoff: request(z.object({ note: z.string().max(100_000).optional(), agent: AgentAddress.optional() }).strict(), returns<{ agent: string; terminal: string }>(), allow.self('agent')),
  agentList: request(z.object({ rig: RigName.optional(), role: z.enum(['polecat', 'crew', 'mayor']).optional() }).strict(), returns<AgentInfo[]>(), allow.anyone),
  agentShow: request(z.object({ agent: AgentAddress }).strict(), returns<AgentInfo>(), allow.anyone),
  /** Retires a polecat: session stopped, worktree removed, merged branches deleted, agent bead closed. Refuses one with work on its hook unless `force` (the work goes back to open). */
  polecatRemove: request(z.object({ agent: AgentAddress, force: z.boolean().optional() }).strict(), returns<PolecatRemoveResult>(), allow.roles('mayor')),
};
