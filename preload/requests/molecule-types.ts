// Result types of the molecule requests: formulas, molecules and their steps, gates, convoy plans.
import type { BeadStatus } from '../types.ts';
import type { ConvoyStatus } from './work-types.ts';

export interface FormulaInfo {
  name: string;
  description: string;
  mode: 'sequential' | 'parallel';
  version: number;
  /** builtin, town, or rig:<name> — where it was found (a later one replaces an earlier one). */
  origin: string;
  /** The file it came from (`builtin:NAME` for a built-in one). */
  source: string;
  steps: number;
}

export interface FormulaDetail extends FormulaInfo {
  vars: Array<{ name: string; description: string; required: boolean; default: string | null }>;
  steps_: Array<{ id: string; title: string; needs: string[]; role: string | null; runtime: string | null; gate: string | null }>;
  text: string;
}

export interface MoleculeStep {
  /** The step's bead id. */
  id: string;
  /** Its id in the formula (understand, implement…). */
  step: string;
  title: string;
  type: string;
  status: BeadStatus;
  assignee: string | null;
  /** Some step it needs is not closed yet. */
  blocked: boolean;
  /** For a gate step: its kind and what it waits for. */
  gate: { type: string; state: string; armedAt: string | null } | null;
}

export interface MoleculeStatus {
  id: string;
  title: string;
  formula: string;
  mode: 'sequential' | 'parallel';
  status: BeadStatus;
  /** The work bead it is cooked on, if any. */
  for: string | null;
  vars: Record<string, string>;
  steps: MoleculeStep[];
  /** The step to work on now (sequential: the first open step; parallel: null). */
  current: string | null;
  progress: { closed: number; total: number };
}

export interface MoleculeNext {
  agent: string;
  /** The bead on the caller's hook. */
  bead: string | null;
  molecule: MoleculeStatus | null;
  /** The current step, with its full description (what to do now). */
  step: (MoleculeStep & { description: string }) | null;
  message: string;
}

export interface GateInfo {
  id: string;
  title: string;
  molecule: string;
  type: string;
  status: BeadStatus;
  /** waiting (its needs are not done), armed (waiting for its condition), released. */
  state: 'waiting' | 'armed' | 'released';
  detail: string;
  armedAt: string | null;
  closeReason: string;
}

export interface ConvoyPlan {
  waves: Array<Array<{ id: string; title: string }>>;
  /** Beads of the plan that also wait on beads outside it. */
  outside: Array<{ id: string; waitsOn: string[] }>;
  text: string;
}

export interface ConvoyLaunchResult {
  plan: ConvoyPlan;
  convoy: ConvoyStatus;
}
