// gt formula …, gt mol …, gt gate …, gt convoy stage|launch: workflows of steps as beads, staged convoys.
import type { FormulaDetail, FormulaInfo, GateInfo, MoleculeNext, MoleculeStatus, ConvoyPlan, ConvoyLaunchResult } from '../../../preload/requests/molecule-types.ts';
import { TownError } from '../../../preload/errors.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type CliContext, type Command } from '../command.ts';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `--var k=v` (repeatable) as a record; a malformed one is bad input. */
function parseVars(v: unknown): Record<string, string> {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  const out: Record<string, string> = {};
  for (const item of list as string[]) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new TownError('invalid', `--var ${item}: write it as NAME=VALUE`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

function printMolecule(ctx: CliContext, m: MoleculeStatus): void {
  ctx.out(`${m.id}  [${m.status}] ${m.title}  (${m.formula}, ${m.mode}) ${m.progress.closed}/${m.progress.total} steps done${m.for ? `  for ${m.for}` : ''}`);
  m.steps.forEach((s, i) => {
    const mark = s.status === 'closed' ? '✓' : s.id === m.current ? '→' : s.blocked ? '·' : '○';
    ctx.out(`  ${mark} ${i + 1}. ${s.step}  ${s.id} [${s.status}${s.blocked ? ', blocked' : ''}] ${s.title}${s.assignee ? `  ← ${s.assignee}` : ''}${s.gate ? `  (${s.gate.type} gate: ${s.gate.state})` : ''}`);
  });
}

export const formulaListCommand: Command = {
  name: 'formula list',
  summary: 'formulas: built in, the town\'s (<town>/formulas) and a rig\'s (<town>/rigs/RIG/formulas)',
  options: { rig: { type: 'string', value: 'RIG', description: 'include this rig\'s formulas' }, ...JSON_OPTION },
  async run(ctx, v) {
    const list: FormulaInfo[] = await withTown(ctx, (c) => c.formulaList({ rig: str(v.rig) }));
    if (v.json) printJson(ctx, list);
    else for (const f of list) ctx.out(`${f.name.padEnd(24)} ${f.mode.padEnd(10)} ${String(f.steps).padStart(2)} steps  ${f.origin.padEnd(10)} ${f.description}`);
    return 0;
  },
};

export const formulaShowCommand: Command = {
  name: 'formula show',
  summary: 'a formula: its variables and steps (validated)',
  args: 'NAME',
  options: { rig: { type: 'string', value: 'RIG', description: 'as seen from this rig' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'formula name');
    const f: FormulaDetail = await withTown(ctx, (c) => c.formulaShow({ name, rig: str(v.rig) }));
    if (v.json) {
      printJson(ctx, f);
      return 0;
    }
    ctx.out(`${f.name} v${f.version} (${f.mode}, ${f.origin}: ${f.source})`);
    if (f.description) ctx.out(f.description);
    if (f.vars.length) ctx.out('Variables:');
    for (const x of f.vars) ctx.out(`  ${x.name}${x.required ? ' (required)' : ''}${x.default !== null ? ` = ${JSON.stringify(x.default)}` : ''}  ${x.description}`);
    ctx.out('Steps:');
    f.steps_.forEach((s, i) => ctx.out(`  ${i + 1}. ${s.id}: ${s.title}${s.needs.length ? `  (after ${s.needs.join(', ')})` : ''}${s.gate ? `  [${s.gate} gate]` : ''}${s.role ? `  role ${s.role}` : ''}${s.runtime ? `  runtime ${s.runtime}` : ''}`));
    return 0;
  },
};

export const formulaCookCommand: Command = {
  name: 'formula cook',
  summary: 'validate a formula and cook it into a molecule: a root bead and one step bead per step',
  args: 'NAME',
  options: {
    var: { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'a variable (repeatable)' },
    on: { type: 'string', value: 'BEAD', description: 'the work bead it is for (its polecat walks the steps)' },
    rig: { type: 'string', value: 'RIG', description: 'the rig whose polecats work it (default: the --on bead\'s rig)' },
    ...JSON_OPTION,
  },
  details: 'Then `gt sling MOLECULE [RIG]`: a sequential molecule goes to one polecat, which walks its steps with `gt done`; a parallel one slings its ready steps to several polecats as a convoy.',
  async run(ctx, v, positionals) {
    const name = requireArg(positionals, 0, 'formula name');
    const m = await withTown(ctx, (c) => c.formulaCook({ name, vars: parseVars(v.var), on: str(v.on), rig: str(v.rig) }));
    if (v.json) printJson(ctx, m);
    else {
      ctx.out(`molecule ${m.id} cooked from ${m.formula} (${m.steps.length} steps)`);
      printMolecule(ctx, m);
    }
    return 0;
  },
};

export const molStatusCommand: Command = {
  name: 'mol status',
  summary: 'a molecule and its steps (✓ done, → current, · blocked, ○ ready)',
  args: 'ID',
  options: { ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'molecule id');
    const m = await withTown(ctx, (c) => c.moleculeStatus({ id }));
    if (v.json) printJson(ctx, m);
    else printMolecule(ctx, m);
    return 0;
  },
};

export const molListCommand: Command = {
  name: 'mol list',
  summary: 'open molecules and their progress',
  options: { all: { type: 'boolean', description: 'closed ones too' }, ...JSON_OPTION },
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.moleculeList({ all: v.all === true }));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no molecules');
    else for (const m of list) ctx.out(`${m.id}  [${m.status}] ${m.title}  ${m.progress.closed}/${m.progress.total}`);
    return 0;
  },
};

export const molNextCommand: Command = {
  name: 'mol next',
  summary: 'the current step of the molecule on your hook: what to do now',
  options: { agent: { type: 'string', value: 'AGENT', description: 'another agent\'s' }, ...JSON_OPTION },
  async run(ctx, v) {
    const n: MoleculeNext = await withTown(ctx, (c) => c.moleculeNext({ agent: str(v.agent) }));
    if (v.json) printJson(ctx, n);
    else {
      ctx.out(n.message);
      if (n.step?.description) ctx.out(`\n${n.step.description}`);
    }
    return 0;
  },
};

function printGate(ctx: CliContext, g: GateInfo): void {
  ctx.out(`${g.id}  [${g.state}] ${g.type} gate  ${g.title}  (molecule ${g.molecule})  ${g.detail}`);
}

export const gateListCommand: Command = {
  name: 'gate list',
  summary: 'gates: steps waiting for a timer, a command, a human approval or another bead',
  options: { all: { type: 'boolean', description: 'released ones too' }, ...JSON_OPTION },
  async run(ctx, v) {
    const list = await withTown(ctx, (c) => c.gateList({ all: v.all === true }));
    if (v.json) printJson(ctx, list);
    else if (!list.length) ctx.out('no gates');
    else for (const g of list) printGate(ctx, g);
    return 0;
  },
};

export const gateApproveCommand: Command = {
  name: 'gate approve',
  summary: 'approve a human gate: its molecule goes on',
  args: 'ID',
  options: { message: { type: 'string', short: 'm', value: 'NOTE', description: 'a note kept with the approval' }, ...JSON_OPTION },
  async run(ctx, v, positionals) {
    const id = requireArg(positionals, 0, 'gate id');
    const g = await withTown(ctx, (c) => c.gateApprove({ id, note: str(v.message) }));
    if (v.json) printJson(ctx, g);
    else ctx.out(`${g.id} released: ${g.closeReason}`);
    return 0;
  },
};

const selection = (v: Record<string, unknown>, positionals: string[]) => ({ ...(positionals.length ? { beads: positionals } : {}), ...(str(v.epic) ? { epic: str(v.epic) } : {}) });

const CONVOY_OPTIONS = {
  name: { type: 'string', value: 'NAME', description: 'the convoy\'s name' },
  rig: { type: 'string', value: 'RIG', description: 'the rig its beads go to (default: by each bead\'s prefix)' },
  runtime: { type: 'string', value: 'NAME', description: 'runtime of its polecats' },
} as const;
const convoyOptions = (v: Record<string, unknown>) => ({ name: str(v.name), rig: str(v.rig), runtime: str(v.runtime) });

export const convoyStageCommand: Command = {
  name: 'convoy stage',
  summary: 'plan a convoy: the waves of beads (or an epic\'s children) by their dependencies, stored as a staged convoy (nothing is slung)',
  details: 'Prints the waves and stores a staged convoy of the beads; `gt convoy launch ID` starts it. Staging the same beads again updates that convoy. --dry-run only prints the waves.',
  args: 'BEAD...',
  options: {
    epic: { type: 'string', value: 'ID', description: 'plan every child of this epic' },
    'dry-run': { type: 'boolean', description: 'print the waves; store nothing' },
    ...CONVOY_OPTIONS,
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    if (v['dry-run']) {
      const plan: ConvoyPlan = await withTown(ctx, (c) => c.convoyStage(selection(v, positionals)));
      if (v.json) printJson(ctx, plan);
      else ctx.out(plan.text);
      return 0;
    }
    const r: ConvoyLaunchResult = await withTown(ctx, (c) => c.convoyStageStore({ ...selection(v, positionals), ...convoyOptions(v) }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`${r.plan.text}\nconvoy ${r.convoy.id} staged: ${r.convoy.title} (${r.convoy.progress.total} beads in ${r.plan.waves.length} waves); start it with gt convoy launch ${r.convoy.id}`);
    return 0;
  },
};

export const convoyLaunchCommand: Command = {
  name: 'convoy launch',
  summary: 'start a staged convoy (gt convoy launch ID), or stage and start beads: wave 1 now, later waves as earlier ones land',
  args: 'ID | BEAD...',
  options: {
    epic: { type: 'string', value: 'ID', description: 'every child of this epic' },
    ...CONVOY_OPTIONS,
    ...JSON_OPTION,
  },
  async run(ctx, v, positionals) {
    const r: ConvoyLaunchResult = await withTown(ctx, (c) => c.convoyLaunch({ ...selection(v, positionals), ...convoyOptions(v) }));
    if (v.json) printJson(ctx, r);
    else ctx.out(`${r.plan.text}\nconvoy ${r.convoy.id} launched: ${r.convoy.title} (${r.convoy.progress.total} beads in ${r.plan.waves.length} waves)`);
    return 0;
  },
};

export const MOLECULE_COMMANDS: Command[] = [
  formulaListCommand, formulaShowCommand, formulaCookCommand, molStatusCommand, molListCommand, molNextCommand,
  gateListCommand, gateApproveCommand, convoyStageCommand, convoyLaunchCommand,
];
