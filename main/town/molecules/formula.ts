// Formulas: TOML files describing a molecule (a workflow of steps). Parsing and validation only —
// pure, no I/O; formula-store.ts finds the files, cook-plan.ts turns a formula into beads.
//
// The shape (docs/molecules.md):
//   formula = "name"  description = "…"  mode = "sequential" | "parallel"  version = 1
//   [vars.NAME] description, required, default     (or NAME = "default")
//   [[steps]] id, title, description, needs = [ids], role, runtime, [steps.gate] type, wait, command, bead, timeout
//   [[legs]]  id, title, description, role, runtime   + [synthesis] id, title, description
//             (legs run in parallel; the synthesis step needs every leg)
//
// Invariants:
// - A formula that parses is valid: step ids are unique, every `needs` names a step, the steps form
//   no cycle, every {{placeholder}} is a declared variable, gates are well formed.
// - Every error names the source and the line (TOML syntax errors carry smol-toml's line; other
//   errors the line of the offending key or table).
import { parse, TomlError } from 'smol-toml';
import { findCycle } from '../../../preload/waves.ts';

export type GateType = 'timer' | 'command' | 'human' | 'bead';

export interface GateSpec {
  type: GateType;
  /** timer: how long after it is armed (its needs done) it releases, in ms. */
  waitMs?: number;
  /** command: a shell command that must exit 0 (run in the town folder, polled). */
  command?: string;
  /** bead: a bead (or convoy) id whose closing releases the gate. */
  bead?: string;
  /** Any gate: unreleased this long after it was armed → one escalation (the gate keeps waiting). */
  timeoutMs?: number;
}

export interface FormulaStep {
  id: string;
  title: string;
  description: string;
  needs: string[];
  role?: string;
  runtime?: string;
  gate?: GateSpec;
  /** Line of its table in the source (for errors found later, e.g. a missing variable). */
  line: number;
}

export interface FormulaVar {
  name: string;
  description: string;
  required: boolean;
  default?: string;
  line: number;
}

export type FormulaMode = 'sequential' | 'parallel';

export interface Formula {
  name: string;
  description: string;
  /** sequential: one agent walks the steps in order; parallel: each ready step goes to its own polecat. */
  mode: FormulaMode;
  version: number;
  vars: FormulaVar[];
  /** In a topological order (a step comes after every step it needs); ties keep the file's order. */
  steps: FormulaStep[];
  source: string;
}

export class FormulaError extends Error {
  constructor(readonly source: string, readonly line: number | null, message: string) {
    super(`${source}${line ? `:${line}` : ''}: ${message}`);
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

/** Line numbers of the source's tables and keys, to name them in errors. */
class SourceLines {
  private readonly lines: string[];
  constructor(text: string) {
    this.lines = text.replace(/\r\n?/g, '\n').split('\n');
  }

  /** Line (1-based) of the n-th `[[name]]` header. */
  arrayTable(name: string, n: number): number | null {
    let seen = -1;
    for (let i = 0; i < this.lines.length; i++) {
      if (this.lines[i].trim().replace(/\s+/g, '') === `[[${name}]]` && ++seen === n) return i + 1;
    }
    return null;
  }

  /** Line of `[header]`, or of the first line that matches `re`. */
  table(header: string): number | null {
    const i = this.lines.findIndex((l) => l.trim().replace(/\s+/g, '') === `[${header}]`);
    return i < 0 ? null : i + 1;
  }

  /** First line at or after `from` (1-based), before the next table header, whose key is `key`. */
  key(from: number | null, key: string): number | null {
    if (!from) return null;
    const re = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`);
    for (let i = from; i < this.lines.length; i++) {
      if (/^\s*\[/.test(this.lines[i])) break;
      if (re.test(this.lines[i])) return i + 1;
    }
    return from;
  }

  /** First line containing `text` (for placeholders). */
  find(text: string): number | null {
    const i = this.lines.findIndex((l) => l.includes(text));
    return i < 0 ? null : i + 1;
  }
}

/** `30s`, `5m`, `2h`, `1d`, or a number of seconds. */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);

/** Parses and validates a formula. `source` names it in errors (a file path or `builtin:NAME`). */
export function parseFormula(text: string, source: string, fallbackName?: string): Formula {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    if (e instanceof TomlError) throw new FormulaError(source, e.line, `TOML: ${e.message.split('\n')[0]}`);
    throw new FormulaError(source, null, `TOML: ${(e as Error).message}`);
  }
  const at = new SourceLines(text);
  const fail = (line: number | null, msg: string): never => {
    throw new FormulaError(source, line, msg);
  };
  const str = (t: Table, key: string, line: number | null, required = false): string | undefined => {
    const v = t[key];
    if (v === undefined) return required ? fail(line, `missing "${key}"`) : undefined;
    if (typeof v !== 'string') return fail(at.key(line, key), `"${key}" must be a string`);
    return v;
  };

  const name = str(doc, 'formula', 1) ?? fallbackName;
  if (!name) fail(1, 'missing "formula" (its name)');
  if (!ID.test(name!)) fail(at.key(1, 'formula'), `formula name ${JSON.stringify(name)} may hold letters, digits, - and _ only`);
  const mode = (str(doc, 'mode', 1) ?? (doc.legs !== undefined ? 'parallel' : 'sequential')) as FormulaMode;
  if (mode !== 'sequential' && mode !== 'parallel') fail(at.key(1, 'mode'), `mode must be "sequential" or "parallel", not ${JSON.stringify(mode)}`);
  const version = doc.version === undefined ? 1 : Number(doc.version);
  if (!Number.isInteger(version) || version < 1) fail(at.key(1, 'version'), 'version must be a whole number ≥ 1');

  // Variables.
  const vars: FormulaVar[] = [];
  if (doc.vars !== undefined) {
    if (!isTable(doc.vars)) fail(at.table('vars'), '[vars] must be a table');
    for (const [vname, spec] of Object.entries(doc.vars as Table)) {
      const line = at.table(`vars.${vname}`) ?? at.key(at.table('vars'), vname);
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(vname)) fail(line, `variable name ${JSON.stringify(vname)} may hold letters, digits, - and _ only`);
      if (typeof spec === 'string') {
        vars.push({ name: vname, description: '', required: false, default: spec, line: line ?? 1 });
        continue;
      }
      if (!isTable(spec)) fail(line, `variable ${vname}: a default string or a table (description, required, default)`);
      const s = spec as Table;
      if (s.required !== undefined && typeof s.required !== 'boolean') fail(at.key(line, 'required'), `variable ${vname}: "required" must be true or false`);
      const def = s.default === undefined ? undefined : typeof s.default === 'string' || typeof s.default === 'number' || typeof s.default === 'boolean' ? String(s.default) : fail(at.key(line, 'default'), `variable ${vname}: "default" must be a string`);
      vars.push({ name: vname, description: str(s, 'description', line) ?? '', required: s.required === true, default: def, line: line ?? 1 });
    }
  }

  // Steps: [[steps]], or [[legs]] + [synthesis].
  const steps: FormulaStep[] = [];
  const readStep = (t: unknown, table: string, n: number, defaultNeeds: string[] | null): FormulaStep => {
    const line = at.arrayTable(table, n) ?? at.table(table) ?? 1;
    if (!isTable(t)) return fail(line, `${table} entry ${n + 1} must be a table`);
    const id = str(t, 'id', line, true)!;
    if (!ID.test(id)) fail(at.key(line, 'id'), `step id ${JSON.stringify(id)} may hold letters, digits, - and _ only (at most 64)`);
    const title = str(t, 'title', line) ?? id;
    if (!title.trim()) fail(at.key(line, 'title'), `step ${id}: the title is empty`);
    const needsRaw = t.needs ?? t.depends_on;
    let needs: string[];
    if (needsRaw === undefined) needs = defaultNeeds ?? [];
    else if (Array.isArray(needsRaw) && needsRaw.every((x) => typeof x === 'string')) needs = [...new Set(needsRaw as string[])];
    else return fail(at.key(line, t.needs !== undefined ? 'needs' : 'depends_on'), `step ${id}: "needs" must be a list of step ids`);
    const step: FormulaStep = { id, title, description: str(t, 'description', line) ?? '', needs, line };
    const role = str(t, 'role', line) ?? str(t, 'agent', line);
    if (role) step.role = role;
    const runtime = str(t, 'runtime', line);
    if (runtime) step.runtime = runtime;
    if (t.gate !== undefined) step.gate = readGate(t.gate, id, at.table(`${table}.gate`) ?? line);
    return step;
  };
  const readGate = (g: unknown, id: string, line: number): GateSpec => {
    if (!isTable(g)) return fail(line, `step ${id}: "gate" must be a table (type = "timer" | "command" | "human" | "bead")`);
    const type = str(g, 'type', line, true) as GateType;
    if (!['timer', 'command', 'human', 'bead'].includes(type)) fail(at.key(line, 'type'), `step ${id}: gate type must be timer, command, human or bead, not ${JSON.stringify(type)}`);
    const gate: GateSpec = { type };
    if (g.timeout !== undefined) {
      const ms = parseDuration(g.timeout);
      if (ms === null) fail(at.key(line, 'timeout'), `step ${id}: gate timeout ${JSON.stringify(g.timeout)} is not a duration (e.g. "30s", "5m", "2h")`);
      gate.timeoutMs = ms!;
    }
    if (type === 'timer') {
      const ms = parseDuration(g.wait);
      if (ms === null) fail(at.key(line, 'wait'), `step ${id}: a timer gate needs wait = "DURATION" (e.g. "30s", "5m")`);
      gate.waitMs = ms!;
    }
    if (type === 'command') {
      const cmd = str(g, 'command', line);
      if (!cmd?.trim()) fail(line, `step ${id}: a command gate needs command = "…"`);
      gate.command = cmd;
    }
    if (type === 'bead') {
      const bead = str(g, 'bead', line);
      if (!bead?.trim()) fail(line, `step ${id}: a bead gate needs bead = "ID" (a bead or convoy, may be a {{variable}})`);
      gate.bead = bead;
    }
    return gate;
  };

  const hasSteps = doc.steps !== undefined;
  const hasLegs = doc.legs !== undefined;
  if (hasSteps && hasLegs) fail(at.arrayTable('legs', 0), 'a formula has [[steps]] or [[legs]] (+ [synthesis]), not both');
  if (hasSteps) {
    if (!Array.isArray(doc.steps)) fail(at.key(1, 'steps'), '"steps" must be an array of tables ([[steps]])');
    (doc.steps as unknown[]).forEach((t, n) => {
      const previous = steps[n - 1];
      // In a sequential formula a step without `needs` follows the one before it.
      steps.push(readStep(t, 'steps', n, mode === 'sequential' && previous ? [previous.id] : null));
    });
  } else if (hasLegs) {
    if (!Array.isArray(doc.legs)) fail(at.key(1, 'legs'), '"legs" must be an array of tables ([[legs]])');
    (doc.legs as unknown[]).forEach((t, n) => steps.push(readStep(t, 'legs', n, [])));
    if (doc.synthesis !== undefined) {
      const s = readStep({ id: 'synthesis', ...(isTable(doc.synthesis) ? doc.synthesis : {}) }, 'synthesis', 0, steps.map((x) => x.id));
      s.line = at.table('synthesis') ?? s.line;
      steps.push(s);
    }
  }
  if (!steps.length) fail(1, 'a formula needs at least one step ([[steps]] or [[legs]])');

  // Ids unique, needs known, no cycle.
  const byId = new Map<string, FormulaStep>();
  for (const s of steps) {
    if (byId.has(s.id)) fail(s.line, `step id "${s.id}" is used twice (first at line ${byId.get(s.id)!.line})`);
    byId.set(s.id, s);
  }
  for (const s of steps) {
    for (const n of s.needs) {
      if (n === s.id) fail(at.key(s.line, 'needs'), `step ${s.id} needs itself`);
      if (!byId.has(n)) fail(at.key(s.line, 'needs'), `step ${s.id} needs "${n}", which is no step of this formula (steps: ${steps.map((x) => x.id).join(', ')})`);
    }
  }
  const order = topologicalOrder(steps.map((s) => s.id), (id) => byId.get(id)!.needs);
  if ('cycle' in order) {
    const first = byId.get(order.cycle[0])!;
    fail(first.line, `the steps form a cycle: ${order.cycle.join(' → ')} → ${order.cycle[0]}`);
  }

  // Placeholders name declared variables.
  const declared = new Set(vars.map((v) => v.name));
  for (const s of steps) {
    for (const text of [s.title, s.description, s.gate?.command ?? '', s.gate?.bead ?? '']) {
      for (const m of text.matchAll(PLACEHOLDER)) {
        if (!declared.has(m[1])) fail(at.find(m[0]) ?? s.line, `step ${s.id} uses {{${m[1]}}}, which is no variable of this formula (declare it under [vars.${m[1]}])`);
      }
    }
  }

  return {
    name: name!, description: str(doc, 'description', 1) ?? '', mode, version, vars,
    steps: (order as { order: string[] }).order.map((id) => byId.get(id)!), source,
  };
}

/**
 * Kahn's algorithm keeping the given order among ready nodes; or the nodes of one cycle, in order
 * (each needs the next… the last needs the first).
 */
export function topologicalOrder(ids: string[], needs: (id: string) => string[]): { order: string[] } | { cycle: string[] } {
  const remaining = new Map(ids.map((id) => [id, needs(id).filter((n) => ids.includes(n)).length]));
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const n of needs(id)) dependents.get(n)?.push(id);
  const order: string[] = [];
  const done = new Set<string>();
  for (;;) {
    const next = ids.find((id) => !done.has(id) && remaining.get(id) === 0);
    if (!next) break;
    done.add(next);
    order.push(next);
    for (const d of dependents.get(next) ?? []) remaining.set(d, remaining.get(d)! - 1);
  }
  if (order.length === ids.length) return { order };
  return { cycle: findCycle(ids.filter((id) => !done.has(id)), needs) };
}

/** Fills {{var}} placeholders. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (m, k: string) => values[k] ?? m);
}
