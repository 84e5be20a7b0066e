// Where formulas come from: built in (builtin-formulas.ts), the town's `<town>/formulas/*.toml`, and
// a rig's `<town>/rigs/<rig>/formulas/*.toml`; a later one of the same name replaces an earlier one
// (rig over town over built in). Reads files; parsing is formula.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TownError } from '../../../preload/contract.ts';
import { rigPaths } from '../rigs/rig-paths.ts';
import { BUILTIN_FORMULAS } from './builtin-formulas.ts';
import { FormulaError, parseFormula, type Formula } from './formula.ts';

export interface FormulaSource {
  name: string;
  origin: string;
  source: string;
  text: string;
}

export const townFormulasDir = (townRoot: string): string => join(townRoot, 'formulas');
export const rigFormulasDir = (townRoot: string, rig: string): string => join(rigPaths(townRoot, rig).root, 'formulas');

function readDir(dir: string, origin: string): FormulaSource[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.toml')).sort().map((f) => {
    const source = join(dir, f);
    return { name: basename(f, '.toml'), origin, source, text: readFileSync(source, 'utf8') };
  });
}

/** Every formula visible from the town (and the rig, if given), by name. */
export function formulaSources(townRoot: string, rig?: string | null): Map<string, FormulaSource> {
  const out = new Map<string, FormulaSource>();
  for (const [name, text] of Object.entries(BUILTIN_FORMULAS)) out.set(name, { name, origin: 'builtin', source: `builtin:${name}`, text });
  for (const s of readDir(townFormulasDir(townRoot), 'town')) out.set(s.name, s);
  if (rig) for (const s of readDir(rigFormulasDir(townRoot, rig), `rig:${rig}`)) out.set(s.name, s);
  return out;
}

/** One formula, parsed and validated; a bad file is an `invalid` error naming its line. */
export function loadFormula(townRoot: string, name: string, rig?: string | null): { formula: Formula; source: FormulaSource } {
  const all = formulaSources(townRoot, rig);
  const source = all.get(name);
  if (!source) throw new TownError('not_found', `no formula ${name} (gt formula list shows ${[...all.keys()].join(', ')})`);
  try {
    return { formula: parseFormula(source.text, source.source, name), source };
  } catch (e) {
    if (e instanceof FormulaError) throw new TownError('invalid', e.message);
    throw e;
  }
}
