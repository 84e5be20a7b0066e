// Types of the town's work loop that cross process boundaries: rigs, agents, convoys, mail,
// and the events the work loop publishes. Pure types: safe in every process.
import type { Bead } from '../types.ts';
import type { AgentStatusSource } from './agent-hooks.ts';

export interface RigInfo {
  name: string;
  /** Bead id prefix of the rig's work, e.g. `gt` for `gt-a1b2`. */
  prefix: string;
  /** Where landed work is pushed: the local path or URL the rig was added from. */
  source: string;
  /** The target branch (what polecat branches start from and merge into). */
  branch: string;
  /** The command the merge queue runs on a batch before landing it. */
  gate: string | null;
  /** Default runtime of the rig's polecats (null: the town's runtime config decides). */
  runtime: string | null;
  /** At most this many polecats work at once on this rig. */
  maxPolecats: number;
  /** Run in a new worktree before its first session (e.g. `npm ci`). */
  setupCommand: string | null;
  /** Files (relative to the canonical clone) copied into new worktrees, e.g. `.env`. */
  copyFiles: string[];
  /** The rig's own bead (type rig) in the ledger. */
  bead: string;
  createdAt: string;
  /** Folders of the rig inside the town. */
  paths: { root: string; bare: string; canonical: string; refinery: string; polecats: string; crew: string };
}

export const AGENT_ROLES = ['polecat', 'crew', 'mayor'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** A polecat's state as the ledger records it (Gas Town's agent_state, reduced). */
export const POLECAT_STATES = ['idle', 'working', 'stuck'] as const;
export type PolecatState = (typeof POLECAT_STATES)[number];

export interface AgentInfo {
  /** The agent's address, also its GT_AGENT and commit author: `<rig>/polecats/<name>`, `mayor`. */
  id: string;
  role: AgentRole;
  name: string;
  rig: string | null;
  /** The agent's bead (type agent): its persistent identity. */
  bead: string;
  state: PolecatState;
  /** The bead on its hook, if any. */
  hook: string | null;
  branch: string | null;
  /** Its worktree or clone. */
  workdir: string | null;
  runtime: string | null;
  /** Its live terminal, if a session is running. */
  session: { terminal: string; pid: number; startedAt: string } | null;
  /** Work history derived from the ledger. */
  history?: { done: number; mergeRequests: number; respawns: number };
}

export interface HookInfo {
  agent: string;
  role: AgentRole | null;
  rig: string | null;
  bead: Bead | null;
  branch: string | null;
  workdir: string | null;
  /** The note left by the previous session's `gt handoff`, if any. */
  handoff: string | null;
}

export interface SlingResult {
  bead: string;
  /** hooked: a polecat has it and a session is starting; queued: waits for capacity. */
  outcome: 'hooked' | 'queued';
  agent: string | null;
  branch: string | null;
  workdir: string | null;
  terminal: string | null;
  /** Why it was queued (capacity of the rig or the town, circuit breaker). */
  reason?: string;
}

/** `gt sling BEAD… [TARGET]`: several beads make an auto-convoy; one bead, none. */
export interface SlingManyResult {
  convoy: ConvoyStatus | null;
  results: SlingResult[];
}

export interface UnslingResult {
  bead: string;
  /** Whose hook it was taken off (null: it was only queued). */
  from: string | null;
  message: string;
}

export interface DoneResult {
  bead: string;
  agent: string;
  branch: string;
  mergeRequest: string | null;
  /** The commit at the branch head that the merge request carries. */
  head: string | null;
  /** true when this `gt done` found everything already done (nothing new was written). */
  already: boolean;
  /** Commit made from leftovers in the worktree, if any. */
  autoCommit: string | null;
  /**
   * in-review: the merge request is in the rig's queue; the bead closes when its code lands (or
   * comes back to this polecat if the gate rejects it or it conflicts). no-changes: closed by
   * `--no-changes REASON`, nothing to merge. step: one step of the hooked bead's molecule was
   * closed and the next one is current (docs/molecules.md); the bead stays on the hook.
   */
  outcome: 'in-review' | 'no-changes' | 'step';
  /** Set when the hooked bead walks a molecule: the step this call closed and the one now current. */
  step?: { molecule: string; done: string; title: string; next: string | null; nextTitle: string | null };
  /** The bead this call put on the polecat's hook right away (a runtime that takes the next bead in
   *  the same session: docs/work-loop.md), as the write that hooked it read it (its description: the
   *  session may start on it without a `gt hook`); absent or null when the polecat went idle.
   *  `walksMolecule`: whether it walks a molecule (false: the session need not ask `gt mol next`). */
  next?: { bead: string; title: string; description: string; branch: string; convoy: string | null; walksMolecule?: boolean } | null;
}

export interface ConvoyStatus {
  id: string;
  title: string;
  status: Bead['status'];
  /** Stored by `gt convoy stage`, not launched yet: nothing of it is slung (preload/staged-convoys.ts). */
  staged: boolean;
  rig: string | null;
  runtime: string | null;
  createdAt: string;
  closedAt: string | null;
  tracked: Array<{ id: string; title: string; status: Bead['status']; assignee: string | null; blocked: boolean }>;
  progress: { closed: number; total: number };
}

export interface MailMessage {
  id: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  /** 'message' for mail, 'escalation' for escalations addressed to the reader. */
  kind: 'message' | 'escalation';
  read: boolean;
  replyTo: string | null;
  severity: EscalationSeverity | null;
  createdAt: string;
}

export const ESCALATION_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type EscalationSeverity = (typeof ESCALATION_SEVERITIES)[number];

export interface NudgeResult {
  agent: string;
  /** Typed into the agent's terminal and seen on its screen. */
  delivered: boolean;
  /** How the agent looked when the message was typed: idle or waiting-for-input ('busy' if it was not typed). */
  when: string;
  /** Still waiting in the agent's queue when the caller's wait ran out: it is typed at the agent's
   *  next idle or waiting moment, unless its session ends first or it expires (30 min). */
  queued: boolean;
  /** While queued: its place in the agent's queue (1 = next). */
  position?: number;
  /** Why it was not delivered (dropped, expired, typed but not seen, still queued). */
  reason?: string;
}

/** Events the work loop publishes on the TownApi. */
export interface AgentStatusEvent {
  agent: string;
  terminal: string;
  state: string;
  previous: string;
  /** What produced it: the runtime's hook, the screen, output, the stall check, the exit. */
  source: AgentStatusSource;
  reason: string;
  at: number;
}

export interface ConvoyClosedEvent {
  id: string;
  title: string;
  tracked: number;
}

export interface EscalationEvent {
  /** The escalation bead ('' when the ledger could not record it, e.g. Dolt itself gave up). */
  id: string;
  severity: EscalationSeverity;
  from: string;
  message: string;
  /** High and critical: show an OS notification. */
  notify: boolean;
  /** 0 when first raised; 1, 2 when raised again because nobody acknowledged it. */
  reraised: number;
  /** Who raised it in the town: agent, witness, deacon, boot, budget, dolt, pty-host, dog. */
  source: string | null;
}

/** Things the work loop did or refused on its own (respawns, circuit breakers, recoveries). */
export interface WorkEvent {
  kind: 'respawn' | 'respawn-cap' | 'reset' | 'circuit-open' | 'circuit-closed' | 'recovered' | 'dispatched' | 'zombie' | 'done';
  agent?: string;
  bead?: string;
  rig?: string;
  message: string;
  at: number;
}
