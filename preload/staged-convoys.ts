// A staged convoy: planned by `gt convoy stage` and stored, not started. Pure and shared: the Town
// stores and launches it and keeps the convoy feeder off it (main/town/convoys/, molecules/), the
// convoy graph labels it and its waves (renderer/views/convoys/).
//
// Invariants:
// - A staged convoy is a bead of type `convoy` with status `deferred` and `metadata.staged`
//   ({ at, by }). Launching it sets status `open` and drops `staged` in one write (one commit).
// - Nothing of a staged convoy is slung and it never lands; its beads stay ordinary open work.
// - Its waves are not stored: they are computed from the live `blocks` dependencies with
//   computeWaves (preload/waves.ts) wherever they are shown, so they stay true after staging.
import type { Bead, BeadStatus } from './types.ts';

/** The status a staged convoy is stored with ("not now": bd and every status filter agree). */
export const STAGED_STATUS: BeadStatus = 'deferred';

export interface StagedNote {
  /** When it was staged (ISO time). */
  at: string;
  /** Who staged it. */
  by: string;
}

/** The staging note of a convoy bead, or null when it is not staged. */
export function stagedNote(bead: Pick<Bead, 'type' | 'status' | 'metadata'>): StagedNote | null {
  if (bead.type !== 'convoy' || bead.status !== STAGED_STATUS) return null;
  const s = (bead.metadata as { staged?: unknown }).staged;
  return s && typeof s === 'object' && typeof (s as StagedNote).at === 'string' ? (s as StagedNote) : null;
}

export const isStagedConvoy = (bead: Pick<Bead, 'type' | 'status' | 'metadata'>): boolean => stagedNote(bead) !== null;
