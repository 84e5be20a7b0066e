// Gate decisions: given what is known about a gate step now, what the patrol does. Pure.
//
//   wait      not armed yet (its needs are not done), or its condition does not hold yet
//   arm       its needs are done and it has no clock yet: record armedAt (its clock starts)
//   release   the condition holds: close the gate step (its dependents become ready)
//   escalate  armed longer than its timeout and not released: one escalation, then keep waiting
//
// Invariants: a gate is released only once armed; a human gate is released only by an approval
// (gt gate approve / the inbox), never by time; an escalation is decided at most once per gate.
import type { GateSpec } from './formula.ts';

export interface GateFacts {
  gate: GateSpec;
  /** Every step it needs is closed. */
  needsDone: boolean;
  /** Epoch ms it was armed, or null. */
  armedAt: number | null;
  escalated: boolean;
  now: number;
  /** command gates: the last run's exit code (null: not run since armed). */
  commandExit?: number | null;
  /** bead gates: the awaited bead is closed. */
  beadClosed?: boolean;
}

export type GateDecision =
  | { action: 'wait'; reason: string }
  | { action: 'arm' }
  | { action: 'release'; reason: string }
  | { action: 'escalate'; reason: string }
  | { action: 'run-command' };

const human = (ms: number) => (ms >= 3_600_000 ? `${Math.round(ms / 360_000) / 10} h` : ms >= 60_000 ? `${Math.round(ms / 6000) / 10} min` : `${Math.round(ms / 100) / 10} s`);

export function decideGate(f: GateFacts): GateDecision {
  if (!f.needsDone) return { action: 'wait', reason: 'waiting for the steps before it' };
  if (f.armedAt === null) return { action: 'arm' };
  const elapsed = f.now - f.armedAt;
  const g = f.gate;
  if (g.type === 'timer' && elapsed >= (g.waitMs ?? 0)) return { action: 'release', reason: `timer of ${human(g.waitMs ?? 0)} elapsed` };
  if (g.type === 'bead' && f.beadClosed) return { action: 'release', reason: `${g.bead} closed` };
  if (g.type === 'command' && f.commandExit === 0) return { action: 'release', reason: `command passed: ${g.command}` };
  if (g.timeoutMs !== undefined && elapsed >= g.timeoutMs && !f.escalated) {
    return { action: 'escalate', reason: `gate not released ${human(elapsed)} after it was armed (timeout ${human(g.timeoutMs)})` };
  }
  if (g.type === 'command') return { action: 'run-command' };
  return { action: 'wait', reason: waiting(g, elapsed) };
}

export function waiting(g: GateSpec, elapsed: number): string {
  switch (g.type) {
    case 'timer': return `timer: ${human(Math.max(0, (g.waitMs ?? 0) - elapsed))} left`;
    case 'human': return 'waiting for a human approval (gt gate approve ID, or the inbox)';
    case 'bead': return `waiting for ${g.bead} to close`;
    case 'command': return `waiting for the command to pass: ${g.command}`;
  }
}
