// The Deacon's decisions, pure: which hooked beads are orphans, which stuck polecats' work goes
// to another polecat, which goes to the Mayor instead.
//
// Invariants:
//   - An orphan is a bead held (hooked/in_progress) by an agent address whose rig no longer exists,
//     or which has no open agent bead while a closed (removed) one exists. A polecat that merely has
//     no agent bead yet is not an orphan (the work loop's Witness creates it).
//   - A stuck polecat's bead is re-dispatched once its cooldown has passed, at most `cap` times per
//     bead; past the cap the Mayor is mailed once and the bead is left where it is.

import { parseAddress } from '../polecats/agent-store.ts';

export interface HeldBead {
  id: string;
  assignee: string;
}

export function findOrphans(held: HeldBead[], rigs: Set<string>, openAgents: Set<string>, closedAgents: Set<string>): string[] {
  return held.filter((b) => {
    const a = parseAddress(b.assignee);
    if (!a || a.role === 'mayor') return false;
    if (a.rig && !rigs.has(a.rig)) return true;
    return !openAgents.has(b.assignee) && closedAgents.has(b.assignee);
  }).map((b) => b.id);
}

export type RedispatchDecision = 'wait' | 'redispatch' | 'mail-mayor' | 'done';

export function redispatchDecision(stuckSince: number, now: number, redispatches: number, mayorMailed: boolean, o: { cooldownMs: number; cap: number }): RedispatchDecision {
  if (now - stuckSince < o.cooldownMs) return 'wait';
  if (redispatches < o.cap) return 'redispatch';
  return mayorMailed ? 'done' : 'mail-mayor';
}
