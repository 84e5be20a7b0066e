// Cooking plan: a validated formula + variable values → the beads of one molecule (a root of type
// `molecule` and one child per step, in topological order, chained by `blocks` dependencies). Pure.
//
// Invariants:
// - Every required variable has a value (given or default), and no value names an unknown variable;
//   otherwise a FormulaError names the variable and its line.
// - A step's `needs` are earlier steps of the plan (indexes), so children can be created in order.
// - Gate steps become beads of type `gate` (never slung); the others are `task`s.
import type { Formula, FormulaMode, GateSpec } from './formula.ts';
import { fillPlaceholders, FormulaError } from './formula.ts';

export const MOLECULE_LABEL = 'gt:molecule';
export const STEP_LABEL = 'gt:step';
export const GATE_LABEL = 'gt:gate';

/** Kept in the root bead's metadata under `molecule`. */
export interface MoleculeNote {
  formula: string;
  version: number;
  mode: FormulaMode;
  vars: Record<string, string>;
  /** The work bead this molecule is cooked on (its polecat walks the steps), if any. */
  for: string | null;
  /** Step ids in plan order: child `<root>.<n>` is step n-1. */
  steps: string[];
}

/** Kept in each step bead's metadata under `step`. */
export interface StepNote {
  molecule: string;
  id: string;
  index: number;
  /** Ids of the steps it needs (its `blocks` dependencies). */
  needs: string[];
  role?: string;
  runtime?: string;
  gate?: GateSpec;
  /** Set by the gate patrol when the gate's needs are done (its clock starts). */
  armedAt?: string;
  /** Set once the gate's timeout has been escalated. */
  escalatedAt?: string;
}

export interface PlannedStep {
  id: string;
  title: string;
  description: string;
  type: 'task' | 'gate';
  /** Indexes of earlier planned steps this one needs. */
  needs: number[];
  role?: string;
  runtime?: string;
  gate?: GateSpec;
}

export interface MoleculePlan {
  title: string;
  description: string;
  note: MoleculeNote;
  steps: PlannedStep[];
}

/** The variable values to cook with: given ones over defaults; all required ones present. */
export function resolveVars(formula: Formula, given: Record<string, string>): Record<string, string> {
  const known = new Set(formula.vars.map((v) => v.name));
  for (const k of Object.keys(given)) {
    if (!known.has(k)) {
      throw new FormulaError(formula.source, null, `--var ${k}: ${formula.name} has no variable "${k}" (it has: ${[...known].join(', ') || 'none'})`);
    }
  }
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of formula.vars) {
    const value = given[v.name] ?? v.default;
    if (value === undefined || (v.required && !value.trim())) {
      if (v.required) missing.push(`${v.name} (line ${v.line}${v.description ? `: ${v.description}` : ''})`);
      else out[v.name] = '';
      continue;
    }
    out[v.name] = value;
  }
  if (missing.length) {
    throw new FormulaError(formula.source, null, `missing required variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; give ${missing.length > 1 ? 'them' : 'it'} with --var NAME=VALUE`);
  }
  return out;
}

/** The molecule's beads for this formula and these values. `onBead` = the work bead it is cooked on. */
export function planMolecule(formula: Formula, given: Record<string, string>, onBead: { id: string; title: string } | null = null): MoleculePlan {
  const vars = resolveVars(formula, given);
  const fill = (t: string) => fillPlaceholders(t, vars);
  const index = new Map(formula.steps.map((s, i) => [s.id, i]));
  const steps: PlannedStep[] = formula.steps.map((s) => ({
    id: s.id,
    title: fill(s.title).slice(0, 500),
    description: fill(s.description),
    type: s.gate ? 'gate' : 'task',
    needs: s.needs.map((n) => index.get(n)!),
    ...(s.role ? { role: s.role } : {}),
    ...(s.runtime ? { runtime: s.runtime } : {}),
    ...(s.gate ? { gate: { ...s.gate, ...(s.gate.command ? { command: fill(s.gate.command) } : {}), ...(s.gate.bead ? { bead: fill(s.gate.bead).trim() } : {}) } } : {}),
  }));
  const title = `${formula.name}${onBead ? ` on ${onBead.id}: ${onBead.title}` : ''}`.slice(0, 500);
  const lines = [formula.description, '', `Steps (${formula.mode}):`, ...steps.map((s, i) => `${i + 1}. ${s.id}: ${s.title}${s.needs.length ? ` (after ${s.needs.map((n) => steps[n].id).join(', ')})` : ''}`)];
  return {
    title,
    description: lines.join('\n').trim(),
    note: { formula: formula.name, version: formula.version, mode: formula.mode, vars, for: onBead?.id ?? null, steps: steps.map((s) => s.id) },
    steps,
  };
}
