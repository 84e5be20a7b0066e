// Facts about work beads the sling/done/supervisor code shares.
import type { Bead } from '../../../preload/types.ts';
import { TownError } from '../../../preload/errors.ts';
import { NOT_WORK_TYPES, type Ledger } from '../../ledger/ledger.ts';
import { STEP_LABEL } from '../molecules/cook-plan.ts';

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
  /** Set by `gt done`: the bead is in review, its merge request in the rig's queue (see isInReview). */
  review?: { mergeRequest: string; since: string } | null;
  /** Set when the merge queue sent the bead back: why, for the polecat's prime. Cleared by `gt done`. */
  rework?: Rework | null;
  /** How many times the merge queue sent it back since it was last slung (see refinery reworkCap). */
  reworks?: number;
}

/** Why a bead came back from the merge queue: the gate's output tail, or the conflicting files. */
export interface Rework {
  kind: 'rejection' | 'conflict';
  mergeRequest: string;
  title: string;
  /** The Refinery's account: gate command and output tail, or the list of conflicting files. */
  detail: string;
  at: string;
}

/** Who holds a bead while it is in review: the rig's Refinery (never a polecat's hook). */
export const refineryAddress = (rig: string): string => `${rig}/refinery`;
/** Whether an actor is a rig's Refinery (`<rig>/refinery`). */
export const isRefineryAddress = (actor: string): boolean => /^[a-z][a-z0-9_-]*\/refinery$/.test(actor);

/**
 * In review: `gt done` recorded a merge request and the code has not landed yet. Stored as status
 * `in_progress`, assignee `<rig>/refinery`, and the work note `review` naming the request.
 */
export function isInReview(bead: Bead): boolean {
  return bead.status === 'in_progress' && !!workNote(bead).review && /\/refinery$/.test(bead.assignee ?? '');
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

/** A bead cooked as a molecule's step carries the step label and metadata.step (molecules/cook-plan.ts). */
export const looksLikeStep = (b: Bead): boolean => b.labels.includes(STEP_LABEL) || !!(b.metadata as { step?: unknown }).step;

/**
 * Refuses the steps of a sequential molecule (the ledger's rule, ledger/sequential-steps.ts): the
 * polecat of the molecule's work bead works them in order, nobody is slung one by hand. Only beads
 * that look like steps cost a ledger read.
 */
export async function refuseSequentialSteps(ledger: Pick<Ledger, 'sequentialMolecules'>, beads: Bead[]): Promise<void> {
  const steps = beads.filter(looksLikeStep);
  if (!steps.length) return;
  const molecules = await ledger.sequentialMolecules(steps.map((b) => b.id));
  for (const b of steps) {
    const molecule = molecules.get(b.id);
    if (molecule) {
      throw new TownError('invalid', `${b.id} is a step of the sequential molecule ${molecule}: one polecat works its steps in order (gt mol next shows its current step); sling the molecule instead: gt sling ${molecule}`);
    }
  }
}
