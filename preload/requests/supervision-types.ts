// Types of the supervision requests and events (escalations, polecat reset, dogs, the Deacon).
import type { EscalationSeverity } from './work-types.ts';

export interface EscalationInfo {
  id: string;
  severity: EscalationSeverity;
  from: string;
  /** Who raised it in the town: agent, witness, deacon, boot, budget, dolt, pty-host, dog. */
  source: string | null;
  title: string;
  message: string;
  /** open: nobody acknowledged it yet (it comes back); acked: seen, still open; closed: done. */
  status: 'open' | 'acked' | 'closed';
  reraised: number;
  ackedBy: string | null;
  createdAt: string;
  closedAt: string | null;
}

export interface PolecatResetResult {
  agent: string;
  /** The state it was in (stuck, idle, working …). */
  was: string;
  /** Its hooked bead, if any: the Witness restarts a session on it. */
  hook: string | null;
  respawnsCleared: number;
}
