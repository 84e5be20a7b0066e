// Facts about work beads the sling/done/supervisor code shares.
import type { Bead } from '../../../preload/types.ts';
import { NOT_WORK_TYPES } from '../../ledger/ledger.ts';

/** Label of a bead slung while its rig or the town was at capacity: it waits, in order. */
export const QUEUED_LABEL = 'gt:queued';
export const MR_LABEL = 'gt:merge-request';

/** Where the work loop keeps its own notes on a work bead (the rest of the metadata is the user's). */
export interface WorkNote {
  rig?: string;
  polecat?: string;
  branch?: string;
  runtime?: string | null;
  slungBy?: string;
  slungAt?: string;
  queuedAt?: string;
  convoy?: string;
}

export function workNote(bead: Bead): WorkNote {
  const g = (bead.metadata as { gt?: unknown }).gt;
  return g && typeof g === 'object' ? (g as WorkNote) : {};
}

export function withWorkNote(bead: Bead, patch: WorkNote): Record<string, unknown> {
  return { ...bead.metadata, gt: { ...workNote(bead), ...patch } };
}

export function isWorkType(bead: Bead): boolean {
  return !NOT_WORK_TYPES.includes(bead.type);
}

export const isHeld = (b: Bead): boolean => b.status === 'hooked' || b.status === 'in_progress';
