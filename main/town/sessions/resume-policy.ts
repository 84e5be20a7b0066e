// Whether a new session of an agent resumes its runtime's previous conversation or starts fresh.
// Pure: the caller gathers the facts (the stored conversation, the session being replaced).
//
// Invariants:
// - Resume only what is the same work: same runtime, same folder, same bead on the hook (or none,
//   for the Mayor and crew). Anything else starts fresh and primed.
// - A live session being replaced (handoff) is replaced by a FRESH one: that is what handoff asks.
//   Resume is for a session that died (crash, PTY host death, app restart).
// - A runtime without resume arguments always starts fresh.
import type { AgentConversation } from '../../../preload/requests/agent-hooks.ts';

export interface ResumeFacts {
  /** The runtime can resume (it has resumeArgs). */
  canResume: boolean;
  runtime: string;
  cwd: string;
  bead: string | null;
  stored: AgentConversation | null;
  /** A live session of this agent is being replaced. */
  replacingLive: boolean;
}

export interface ResumeDecision {
  resumeId: string | null;
  /** Why, for the log and the tests. */
  why: string;
}

export function decideResume(f: ResumeFacts): ResumeDecision {
  if (!f.stored) return { resumeId: null, why: 'no conversation recorded' };
  if (f.replacingLive) return { resumeId: null, why: 'a live session is replaced (handoff): fresh' };
  if (!f.canResume) return { resumeId: null, why: `runtime ${f.runtime} cannot resume` };
  if (f.stored.runtime !== f.runtime) return { resumeId: null, why: `the conversation is of runtime ${f.stored.runtime}` };
  if (f.stored.cwd !== f.cwd) return { resumeId: null, why: 'the conversation ran in another folder' };
  if (f.stored.bead !== f.bead) return { resumeId: null, why: `the conversation was about ${f.stored.bead ?? 'no bead'}` };
  return { resumeId: f.stored.id, why: `resuming ${f.stored.id}` };
}

/** A resumed session that ends this soon, unconfirmed by its runtime's SessionStart hook and not
 *  with exit 0, is taken as a failed resume: the town starts a fresh, primed session instead. */
export const RESUME_GRACE_MS = 30_000;

export function resumeFailed(o: { resumed: boolean; confirmed: boolean; ranMs: number; exitCode: number | null; killed: boolean }): boolean {
  return o.resumed && !o.confirmed && !o.killed && o.ranMs < RESUME_GRACE_MS && o.exitCode !== 0;
}
