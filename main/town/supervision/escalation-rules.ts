// Escalation rules, pure: who hears of an escalation, and which ones come back.
//
// Invariants:
//   - Every escalation reaches the overseer's inbox; medium and up also mail the Mayor; high and up
//     also ask for an OS notification. Routing depends on the severity alone.
//   - An open escalation nobody acknowledged is raised again once `reraiseMs` passed since it was
//     last raised, at most `maxReraises` times (default twice). Acknowledged or closed ones never.

import type { EscalationSeverity } from '../../../preload/requests/work-types.ts';

export const SEVERITY_RANK: Record<EscalationSeverity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
export const SEVERITY_PRIORITY: Record<EscalationSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export interface EscalationRoute {
  inbox: true;
  mailMayor: boolean;
  notify: boolean;
}

export function route(severity: EscalationSeverity): EscalationRoute {
  return { inbox: true, mailMayor: SEVERITY_RANK[severity] >= SEVERITY_RANK.medium, notify: SEVERITY_RANK[severity] >= SEVERITY_RANK.high };
}

/** What the ledger keeps about an escalation (bead metadata). */
export interface EscalationNote {
  from: string;
  to: string;
  severity: EscalationSeverity;
  /** Who raised it in the town: agent, witness, deacon, boot, budget, dolt, pty-host, … */
  source?: string;
  raisedAt?: number;
  /** Times it was raised again. */
  reraised?: number;
  lastRaisedAt?: number;
  ackedBy?: string | null;
  ackedAt?: number | null;
  [key: string]: unknown;
}

export interface ReraiseSettings {
  reraiseMs: number;
  maxReraises: number;
}

/** The escalations (open, unacknowledged) whose time to come back has come. */
export function dueForReraise<T extends { status: string; note: EscalationNote; createdAt: number }>(items: T[], now: number, s: ReraiseSettings): T[] {
  return items.filter((e) => {
    if (e.status === 'closed' || e.note.ackedAt) return false;
    if ((e.note.reraised ?? 0) >= s.maxReraises) return false;
    const last = e.note.lastRaisedAt ?? e.note.raisedAt ?? e.createdAt;
    return now - last >= s.reraiseMs;
  });
}
