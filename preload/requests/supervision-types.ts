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

/** What the supervisors saw or did (Witness checks, Deacon, Boot, Dogs), for the feed and the UI. */
export interface SupervisionEvent {
  kind:
    | 'stalled-nudge' | 'stalled-restart' | 'gupp-nudge' | 'gupp-escalation' | 'idle-nudge' | 'waiting' | 'dialog-accepted'
    | 'witness-started' | 'refinery-synced' | 'mayor-started' | 'orphan-returned' | 'redispatched'
    | 'deacon-restarted' | 'boot-restarted' | 'dog-ran' | 'dog-failed' | 'mail-announced' | 'problem';
  /** The supervisor that acted: witness, deacon, boot, dog:<name>, town. */
  by: string;
  agent?: string;
  rig?: string;
  bead?: string;
  message: string;
  at: number;
}

export interface DogInfo {
  name: string;
  summary: string;
  /** How often the Deacon runs it (ms); 0: only by hand. */
  everyMs: number;
  lastRunAt: number | null;
  lastOk: boolean | null;
  lastMessage: string | null;
  nextRunAt: number | null;
}

export interface DogRunResult {
  name: string;
  ok: boolean;
  message: string;
  /** What the dog produced or changed (files, counts …). */
  details: Record<string, unknown>;
  ms: number;
}

export interface SupervisorHealth {
  deacon: { alive: boolean; heartbeatAt: number | null; patrols: number; restarts: number };
  boot: { alive: boolean; lastCheckAt: number | null; restarts: number };
  witnesses: Array<{ rig: string; alive: boolean; lastPatrolAt: number | null }>;
}
