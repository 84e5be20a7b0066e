// What dropping beads on the roster does: sling to an agent, to a rig (several beads: a convoy), or
// to "any free polecat" (the rig of the bead's prefix). Pure: beads, target and blockers in, a
// decision out; the server checks everything again (this only spares a round trip and says why).
//
// Invariants:
// - A closed bead, a bead in review and a bead already on someone's hook are refused.
// - An agent holds one hook at a time: an agent with a hook (or stuck) refuses, and so does
//   dropping several beads on an agent; several beads go to a rig, as one auto-convoy.
// - A bead whose blocker is not closed asks for confirmation before anything is written.
import type { Bead } from '../../preload/types.ts';
import { isInReview, isWorkBead } from './board-columns.ts';

export interface RosterAgent {
  id: string;
  role: string;
  rig: string | null;
  state: string;
  hook: string | null;
}

export type SlingTarget =
  | { kind: 'agent'; agent: RosterAgent }
  | { kind: 'rig'; rig: string }
  | { kind: 'any' };

export type SlingDecision =
  | { kind: 'refuse'; reason: string }
  | { kind: 'sling'; beads: string[]; target: string | null; convoy: boolean; confirm: string | null };

export function targetLabel(t: SlingTarget): string {
  return t.kind === 'agent' ? t.agent.id : t.kind === 'rig' ? `rig ${t.rig}` : 'any free polecat';
}

export function slingDecision(beads: readonly Bead[], target: SlingTarget, blockers: (id: string) => readonly string[]): SlingDecision {
  if (!beads.length) return { kind: 'refuse', reason: 'no bead to sling' };
  for (const b of beads) {
    if (!isWorkBead(b)) return { kind: 'refuse', reason: `${b.id} is a ${b.type}, not work to sling` };
    if (b.status === 'closed') return { kind: 'refuse', reason: `${b.id} is closed; reopen it first` };
    if (isInReview(b)) return { kind: 'refuse', reason: `${b.id} is in review: it closes when its merge request lands` };
    if (b.status === 'hooked' || b.status === 'in_progress') return { kind: 'refuse', reason: `${b.id} is already ${b.status} by ${b.assignee ?? 'someone'}` };
    if (b.status !== 'open') return { kind: 'refuse', reason: `${b.id} is ${b.status}; only open beads can be slung` };
  }
  if (target.kind === 'agent') {
    const a = target.agent;
    if (beads.length > 1) return { kind: 'refuse', reason: `an agent holds one hook at a time: drop several beads on a rig (a convoy)` };
    if (a.role !== 'polecat' && a.role !== 'crew' && a.role !== 'mayor') return { kind: 'refuse', reason: `${a.id} is a ${a.role}: it takes no work` };
    if (a.hook) return { kind: 'refuse', reason: `${a.id} is at capacity: ${a.hook} is on its hook` };
    if (a.state === 'stuck') return { kind: 'refuse', reason: `${a.id} is stuck (gt polecat reset brings it back)` };
  }
  const waiting = beads.map((b) => [b.id, blockers(b.id)] as const).filter(([, list]) => list.length);
  const several = beads.length > 1;
  // A convoy feeds blocked beads once their blockers land: nothing to confirm there.
  const confirm = waiting.length && !several
    ? `${waiting.map(([id, list]) => `${id} is blocked by ${list.join(', ')}`).join('; ')} (not closed). Sling it to ${targetLabel(target)} anyway?`
    : null;
  return {
    kind: 'sling',
    beads: beads.map((b) => b.id),
    target: target.kind === 'agent' ? target.agent.id : target.kind === 'rig' ? target.rig : null,
    convoy: several,
    confirm,
  };
}
