// Molecules at work: cooking a formula into beads, their status, the current step of a polecat's
// molecule, `gt done` on a step, slinging a molecule, gates (list, approve, the patrol that arms,
// releases and escalates them), and convoy planning (stage, launch). The decisions are the pure
// cores beside this file (formula.ts, cook-plan.ts, gate-rules.ts) and the shared preload/waves.ts;
// this is the I/O.
//
// Invariants:
// - A molecule is a root bead (type `molecule`, label gt:molecule, metadata.molecule) and one child
//   `<root>.<n>` per step in plan order, chained by `blocks` dependencies; gate steps are beads of
//   type `gate` (never slung). Cooking writes the root in one commit and every step with its
//   dependencies in one more (the ledger makes child ids from an existing parent).
// - The ledger is the truth of progress: a step is done when its bead is closed (one commit per
//   step). A polecat whose session dies resumes at its first open step, never from the start.
// - Sequential molecules are walked by the polecat holding their work bead: `gt done` closes the
//   current step and keeps the bead on the hook; the last step's `gt done` is the normal one.
// - Parallel molecules are slung as a convoy of their steps: ready ones now, the others when the
//   steps they need have closed (the convoy feeder).
// - Staging stores a staged convoy (preload/staged-convoys.ts) of the plan's beads; launching it, or
//   launching the same set of beads, starts that convoy: one convoy per plan, never a staged twin.
// - Open molecule roots and open gates are held in memory (bead-mirror.ts): this service's writes
//   are handed to them (wrote), and the feed's commits drop them when another writer changed one.
import { spawn } from 'node:child_process';
import { TownError } from '../../../preload/contract.ts';
import type { ArgsOut } from '../../../preload/contract.ts';
import type { Bead, BeadFeedEvent } from '../../../preload/types.ts';
import { BeadMirror, NOT_CLOSED } from '../bead-mirror.ts';
import type { DoneResult, SlingManyResult } from '../../../preload/requests/work-types.ts';
import type { ConvoyLaunchResult, ConvoyPlan, FormulaDetail, FormulaInfo, GateInfo, MoleculeNext, MoleculeStatus, MoleculeStep } from '../../../preload/requests/molecule-types.ts';
import type { ConvoyService } from '../convoys/convoy-service.ts';
import type { HookService } from '../polecats/hook-service.ts';
import { parseAddress } from '../polecats/agent-store.ts';
import { isWorkType } from '../polecats/work-beads.ts';
import type { RaiseInput } from '../supervision/escalations.ts';
import { TOWN_ACTOR, type WorkContext } from '../supervisors/work-context.ts';
import { GATE_LABEL, MOLECULE_LABEL, planMolecule, STEP_LABEL, type MoleculeNote, type StepNote } from './cook-plan.ts';
import { decideGate, waiting } from './gate-rules.ts';
import { FormulaError, parseFormula } from './formula.ts';
import { formulaSources, loadFormula } from './formula-store.ts';
import { computeWaves, renderWaves } from '../../../preload/waves.ts';

const GATE_ACTOR = 'town/gates';
/** A command gate's command is run at most this often, and killed after this long. */
const COMMAND_EVERY_MS = 5000;
const COMMAND_TIMEOUT_MS = 60_000;

export interface MoleculeDeps {
  /** The bead on an agent's hook (hooked or in progress), or null. */
  hookOf(agent: string): Promise<Bead | null>;
  hooks: HookService;
  convoys: ConvoyService;
  escalate(input: RaiseInput): Promise<unknown>;
}

const moleculeNote = (b: Bead): MoleculeNote | null => {
  const m = (b.metadata as { molecule?: MoleculeNote }).molecule;
  return m && typeof m === 'object' && Array.isArray(m.steps) ? m : null;
};
const stepNote = (b: Bead): StepNote | null => {
  const s = (b.metadata as { step?: StepNote }).step;
  return s && typeof s === 'object' && typeof s.molecule === 'string' ? s : null;
};

export class MoleculeService {
  private timer: NodeJS.Timeout | null = null;
  private patrolling: Promise<void> | null = null;
  private soon: NodeJS.Timeout | null = null;
  /** Whether the last patrol saw an open gate (true until one has run). Only gates decide by the
   *  clock; everything else a patrol does follows a ledger change, which kicks it (feed events). */
  private gatesOpen = true;
  private readonly commandRuns = new Map<string, { at: number; exit: number | null; running: boolean }>();

  /** Open molecule roots; open gates. */
  private readonly roots: BeadMirror;
  private readonly openGates: BeadMirror;

  constructor(private readonly c: WorkContext, private readonly d: MoleculeDeps) {
    this.roots = new BeadMirror(() => c.ledger.list({ type: 'molecule', label: MOLECULE_LABEL, statuses: NOT_CLOSED }), (b) => b.type === 'molecule');
    this.openGates = new BeadMirror(() => c.ledger.list({ type: 'gate', label: GATE_LABEL, status: 'open' }), (b) => b.type === 'gate');
  }

  /** A commit the feed delivered (any writer's). */
  onFeed(event: BeadFeedEvent): void {
    this.roots.onFeed(event);
    this.openGates.onFeed(event);
  }

  /** The ledger's answer to a write of this service: the roots and gates held take it. */
  private wrote<T extends Bead | Bead[]>(result: T): T {
    const beads: Bead[] = Array.isArray(result) ? (result as Bead[]) : [result as Bead];
    this.roots.written(beads);
    this.openGates.written(beads);
    return result;
  }

  private openRoots(keep: (b: Bead) => boolean = () => true): Promise<Bead[]> {
    return this.roots.beads((b) => b.status !== 'closed' && b.labels.includes(MOLECULE_LABEL) && keep(b));
  }

  // ---- formulas --------------------------------------------------------------------------------

  listFormulas(rig?: string): FormulaInfo[] {
    const out: FormulaInfo[] = [];
    for (const s of formulaSources(this.c.townRoot, rig).values()) {
      try {
        const f = parseFormula(s.text, s.source, s.name);
        out.push({ name: s.name, description: f.description, mode: f.mode, version: f.version, origin: s.origin, source: s.source, steps: f.steps.length });
      } catch (e) {
        // A broken file is listed with its error, not hidden.
        out.push({ name: s.name, description: `INVALID: ${(e as FormulaError).message}`, mode: 'sequential', version: 0, origin: s.origin, source: s.source, steps: 0 });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  showFormula(name: string, rig?: string): FormulaDetail {
    const { formula: f, source } = loadFormula(this.c.townRoot, name, rig);
    return {
      name: f.name, description: f.description, mode: f.mode, version: f.version, origin: source.origin, source: source.source, steps: f.steps.length,
      vars: f.vars.map((v) => ({ name: v.name, description: v.description, required: v.required, default: v.default ?? null })),
      steps_: f.steps.map((s) => ({ id: s.id, title: s.title, needs: s.needs, role: s.role ?? null, runtime: s.runtime ?? null, gate: s.gate ? s.gate.type : null })),
      text: source.text,
    };
  }

  /** `gt formula cook NAME --var k=v … [--on BEAD] [--rig RIG]`. */
  async cook(args: ArgsOut<'formulaCook'>, actor: string): Promise<MoleculeStatus> {
    const on = args.on ? await this.c.ledger.show(args.on) : null;
    if (on && on.status === 'closed') throw new TownError('conflict', `${on.id} is closed; a molecule is cooked on open work`);
    if (on && !isWorkType(on)) throw new TownError('invalid', `${on.id} is a ${on.type}; a molecule is cooked on a work bead`);
    const rig = on ? await this.c.rigs.byPrefix(on.id.slice(0, on.id.indexOf('-'))) : args.rig ? await this.c.rigs.get(args.rig) : null;
    if (!rig) throw new TownError('invalid', on ? `${on.id} belongs to no rig: its molecule's steps would have no polecats` : 'name the rig whose polecats work the molecule (--rig RIG), or the bead it is for (--on BEAD)');
    const { formula } = loadFormula(this.c.townRoot, args.name, rig.name);
    const vars = { ...args.vars };
    // The bead it is cooked on fills a variable named issue (or bead) unless given.
    if (on) for (const v of ['issue', 'bead']) if (formula.vars.some((x) => x.name === v) && vars[v] === undefined) vars[v] = on.id;
    let plan;
    try {
      plan = planMolecule(formula, vars, on);
    } catch (e) {
      if (e instanceof FormulaError) throw new TownError('invalid', e.message);
      throw e;
    }
    if (on && (await this.moleculeFor(on))) throw new TownError('conflict', `${on.id} already has an open molecule (${(await this.moleculeFor(on))!.id}); close it first`);
    // One commit: the work bead (a sequential formula cooked on nothing gets one of its own: what its
    // polecat hooks), the molecule's root, and its steps (children <root>.1 … in order) with their chain.
    const ownWork = !on && formula.mode === 'sequential';
    const rootAt = ownWork ? 1 : 0;
    const made = this.wrote(await this.c.ledger.createMany([
      ...(ownWork ? [{ title: plan.title, description: plan.description, type: 'task' as const, prefix: rig.prefix, labels: [MOLECULE_LABEL] }] : []),
      {
        title: plan.title, description: plan.description, type: 'molecule' as const, prefix: rig.prefix, labels: [MOLECULE_LABEL],
        metadata: { molecule: plan.note },
        ...(ownWork ? { metadataRefs: [{ path: ['molecule', 'for'], ref: 0 }] } : {}),
        ...(ownWork ? { dependencies: [{ ref: 0, type: 'related' as const }] } : on ? { dependencies: [{ dependsOnId: on.id, type: 'related' as const }] } : {}),
      },
      ...plan.steps.map((s, i) => ({
        title: s.title, description: s.description, type: s.type, parentRef: rootAt,
        labels: s.type === 'gate' ? [STEP_LABEL, GATE_LABEL] : [STEP_LABEL],
        metadata: {
          step: { molecule: '', id: s.id, index: i, needs: s.needs.map((n) => plan.steps[n].id), ...(s.role ? { role: s.role } : {}), ...(s.runtime ? { runtime: s.runtime } : {}), ...(s.gate ? { gate: s.gate } : {}) } satisfies StepNote,
          ...(s.runtime ? { gt: { runtime: s.runtime } } : {}),
        },
        dependencies: s.needs.map((n) => ({ ref: rootAt + 1 + n, type: 'blocks' as const })),
        metadataRefs: [{ path: ['step', 'molecule'], ref: rootAt }],
      })),
    ], actor));
    const root = made[rootAt];
    made.slice(rootAt + 1).forEach((b, i) => {
      if (b.id !== `${root.id}.${i + 1}`) throw new TownError('internal', `step ${i + 1} of ${root.id} was created as ${b.id}`);
    });
    this.c.wake();
    this.kick();
    return this.status(root.id);
  }

  // ---- molecules -------------------------------------------------------------------------------

  private async mustMolecule(id: string): Promise<{ root: Bead; note: MoleculeNote }> {
    const root = await this.c.ledger.show(id);
    const note = moleculeNote(root);
    if (root.type !== 'molecule' || !note) throw new TownError('invalid', `${id} is a ${root.type}, not a molecule`);
    return { root, note };
  }

  private async stepsOf(root: Bead, note: MoleculeNote): Promise<Bead[]> {
    const ids = note.steps.map((_, i) => `${root.id}.${i + 1}`);
    const byId = new Map((await this.c.ledger.getMany(ids)).map((b) => [b.id, b]));
    return ids.map((id) => byId.get(id)).filter((b): b is Bead => !!b);
  }

  async status(id: string): Promise<MoleculeStatus> {
    const { root, note } = await this.mustMolecule(id);
    const beads = await this.stepsOf(root, note);
    const closedSteps = new Set(beads.filter((b) => b.status === 'closed').map((b) => stepNote(b)?.id));
    const steps: MoleculeStep[] = beads.map((b) => {
      const s = stepNote(b);
      const blocked = (s?.needs ?? []).some((n) => !closedSteps.has(n));
      const gate = s?.gate ? {
        type: s.gate.type,
        state: b.status === 'closed' ? b.closeReason || 'released' : blocked ? 'waiting for the steps before it' : waiting(s.gate, s.armedAt ? Date.now() - Date.parse(s.armedAt) : 0),
        armedAt: s.armedAt ?? null,
      } : null;
      return { id: b.id, step: s?.id ?? b.id, title: b.title, type: b.type, status: b.status, assignee: b.assignee, blocked, gate };
    });
    const open = steps.filter((s) => s.status !== 'closed');
    return {
      id: root.id, title: root.title, formula: note.formula, mode: note.mode, status: root.status, for: note.for, vars: note.vars, steps,
      current: note.mode === 'sequential' ? open[0]?.id ?? null : null,
      progress: { closed: steps.length - open.length, total: steps.length },
    };
  }

  async list(all: boolean): Promise<MoleculeStatus[]> {
    const roots = (await this.c.ledger.list({ type: 'molecule', label: MOLECULE_LABEL })).filter((b) => all || b.status !== 'closed');
    return Promise.all(roots.map((b) => this.status(b.id)));
  }

  /** The open molecule a bead walks: itself if it is one, else the newest cooked on it. */
  async moleculeFor(bead: Bead): Promise<Bead | null> {
    if (bead.type === 'molecule') return bead.status === 'closed' ? null : bead;
    return this.newestRootFor(bead.id);
  }

  /** The newest open molecule cooked on this bead, from the roots held (no read of the bead). */
  private async newestRootFor(id: string): Promise<Bead | null> {
    const prefix = id.slice(0, id.indexOf('-'));
    const roots = await this.openRoots((b) => b.id.startsWith(`${prefix}-`) && moleculeNote(b)?.for === id);
    roots.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return roots[0] ?? null;
  }

  /** moleculeFor by id, without reading the bead: an open root held (it carries MOLECULE_LABEL, what
   *  cook writes with every molecule note), else the newest cooked on it. */
  private async moleculeForId(id: string): Promise<Bead | null> {
    return (await this.openRoots((b) => b.id === id))[0] ?? this.newestRootFor(id);
  }

  /** Whether an open molecule is cooked on the bead (from the roots held: the bead is not read). */
  async walks(id: string): Promise<boolean> {
    return (await this.moleculeForId(id)) !== null;
  }

  /** `gt mol next`: what the agent does now. A polecat's record names its hook (the town writes it
   *  with every hook change); when no open molecule is cooked on that bead — the common answer — the
   *  bead itself is not read, as in `gt done` below. */
  async next(agent: string): Promise<MoleculeNext> {
    const named = parseAddress(agent)?.role === 'polecat' ? (await this.c.agents.find(agent))?.meta.hook : null;
    if (named && !(await this.moleculeForId(named))) {
      return { agent, bead: named, molecule: null, step: null, message: `${named} walks no molecule: work on it, then gt done` };
    }
    const hook = await this.d.hookOf(agent);
    if (!hook) return { agent, bead: null, molecule: null, step: null, message: `nothing is on ${agent}'s hook` };
    const root = await this.moleculeFor(hook);
    if (!root) return { agent, bead: hook.id, molecule: null, step: null, message: `${hook.id} walks no molecule: work on it, then gt done` };
    const molecule = await this.status(root.id);
    if (molecule.mode !== 'sequential' || !molecule.current) {
      return { agent, bead: hook.id, molecule, step: null, message: molecule.current ? '' : `every step of ${molecule.id} is done` };
    }
    const step = molecule.steps.find((s) => s.id === molecule.current)!;
    const full = await this.c.ledger.show(step.id);
    const n = molecule.steps.indexOf(step) + 1;
    const message = step.gate
      ? `step ${n}/${molecule.steps.length} ${step.step} is a ${step.gate.type} gate: ${step.gate.state}. Wait; it is released by its condition.`
      : `step ${n}/${molecule.steps.length}: ${step.step} — ${step.title}. When it is done, run gt done.`;
    return { agent, bead: hook.id, molecule, step: { ...step, description: full.description }, message };
  }

  /**
   * `gt done` of a polecat whose hooked bead walks a sequential molecule: closes the current step
   * (one commit) and keeps the bead on the hook; on the last step, the normal `gt done` (plain) runs
   * first, then the step and the molecule close. Anything else is plain `gt done`.
   */
  async done(actor: string, noChanges: string | undefined, plain: () => Promise<DoneResult>): Promise<DoneResult> {
    const addr = parseAddress(actor);
    if (addr?.role !== 'polecat') return plain();
    const agent = await this.c.agents.find(actor);
    const hookId = agent?.meta.hook;
    if (!agent || !hookId) return plain();
    // Only a molecule's root carries a sequential note, and every root cook makes is held: the bead
    // itself is not read (plain() reads it, under its agent's lock).
    const root = await this.moleculeForId(hookId);
    if (!root || moleculeNote(root)?.mode !== 'sequential') return plain();
    const mol = await this.status(root.id);
    const current = mol.steps.find((s) => s.id === mol.current);
    if (!current) return this.finish(root, await plain(), null, actor);
    if (noChanges !== undefined) {
      const r = await plain();
      for (const s of mol.steps.filter((x) => x.status !== 'closed')) this.wrote(await this.c.ledger.closeBead(s.id, `skipped: ${hookId} needs no change`, actor));
      return this.finish(root, r, null, actor);
    }
    if (current.gate) throw new TownError('conflict', `step ${current.step} of ${root.id} is a ${current.gate.type} gate (${current.gate.state}); wait for it to be released (gt mol next shows the current step)`);
    const rest = mol.steps.filter((s) => s.status !== 'closed' && s.id !== current.id);
    if (!rest.length) {
      // The last step: submit the work, then record the step (a failed submit leaves it current).
      const r = await plain();
      this.wrote(await this.c.ledger.closeBead(current.id, `step done by ${actor}: ${r.outcome}`, actor, { assignee: actor }));
      return this.finish(root, r, { molecule: root.id, done: current.id, title: current.title, next: null, nextTitle: null }, actor);
    }
    await this.c.locks.run(`agent:${actor}`, async () => this.wrote(await this.c.ledger.closeBead(current.id, `step done by ${actor}`, actor, { assignee: actor })));
    this.c.log(`${actor} finished step ${current.step} (${current.id}) of ${root.id}`);
    this.kick();
    const next = rest[0];
    return {
      bead: hookId, agent: actor, branch: agent.meta.branch ?? '', mergeRequest: null, head: null, already: false, autoCommit: null, outcome: 'step',
      step: { molecule: root.id, done: current.id, title: current.title, next: next.id, nextTitle: next.title },
    };
  }

  private async finish(root: Bead, r: DoneResult, step: DoneResult['step'] | null, actor: string): Promise<DoneResult> {
    // A molecule cooked on a bead is done when its steps are; a molecule hooked itself closes when it lands.
    if (root.id !== r.bead) await this.c.ledger.closeBead(root.id, 'every step done', actor).then((b) => this.wrote(b), () => undefined);
    return step ? { ...r, step } : r;
  }

  /** The "## Molecule" section of a polecat's prime: where it is, and what to do now. */
  async primeSection(agent: string, hook: Bead | null): Promise<string | null> {
    if (!hook || parseAddress(agent)?.role !== 'polecat') return null;
    const root = await this.moleculeFor(hook);
    if (!root) return null;
    const mol = await this.status(root.id);
    if (mol.mode !== 'sequential') return null;
    const lines = [`## Molecule ${mol.id} (formula ${mol.formula}): ${mol.progress.closed} of ${mol.progress.total} steps done`];
    mol.steps.forEach((s, i) => lines.push(`  ${s.status === 'closed' ? '✓' : s.id === mol.current ? '→' : '○'} ${i + 1}. ${s.step}: ${s.title}${s.gate ? ` [${s.gate.type} gate]` : ''}`));
    const current = mol.steps.find((s) => s.id === mol.current);
    if (current) {
      const full = await this.c.ledger.show(current.id);
      lines.push('', `Current step: ${current.step} — ${current.title} (${current.id})`, full.description);
      lines.push('', 'Do only this step. When it is done, run `gt done`: it records the step (your bead stays on your hook) and names the next one; `gt mol next` shows the current step again. The last step\'s `gt done` submits your branch.');
    }
    return lines.join('\n');
  }

  /** `gt sling MOLECULE [TARGET]`. */
  async sling(id: string, target: string | undefined, runtime: string | undefined, actor: string): Promise<SlingManyResult> {
    const { root, note } = await this.mustMolecule(id);
    if (root.status === 'closed') throw new TownError('conflict', `${id} is closed`);
    if (note.mode === 'sequential') {
      if (!note.for) throw new TownError('invalid', `${id} is walked by the polecat of its work bead, and it has none`);
      return this.d.hooks.slingMany([note.for, ...(target ? [target] : [])], { runtime }, actor);
    }
    const steps = (await this.stepsOf(root, note)).filter((b) => b.type !== 'gate' && b.status === 'open' && !b.assignee);
    if (!steps.length) throw new TownError('conflict', `${id} has no open step to sling`);
    const rig = target ?? (await this.c.rigs.byPrefix(id.slice(0, id.indexOf('-'))))?.name;
    if (!rig) throw new TownError('invalid', `${id} belongs to no rig; name one: gt sling ${id} RIG`);
    return this.d.hooks.slingMany([...steps.map((b) => b.id), rig], { runtime }, actor);
  }

  // ---- gates -----------------------------------------------------------------------------------

  private gateInfo(b: Bead, blocked: boolean): GateInfo {
    const s = stepNote(b);
    const g = s?.gate;
    const state = b.status === 'closed' ? 'released' : blocked || !s?.armedAt ? 'waiting' : 'armed';
    return {
      id: b.id, title: b.title, molecule: s?.molecule ?? '', type: g?.type ?? 'unknown', status: b.status, state,
      detail: b.status === 'closed' ? b.closeReason : !g ? 'no gate spec' : state === 'waiting' ? 'waiting for the steps before it' : waiting(g, Date.now() - Date.parse(s!.armedAt!)),
      armedAt: s?.armedAt ?? null, closeReason: b.closeReason,
    };
  }

  async gates(all: boolean): Promise<GateInfo[]> {
    const beads = (await this.c.ledger.list({ type: 'gate', label: GATE_LABEL })).filter((b) => all || b.status !== 'closed');
    const blocked = new Set((await this.c.ledger.blocked({ limit: 100_000 })).map((b) => b.id));
    return beads.map((b) => this.gateInfo(b, blocked.has(b.id))).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** `gt gate approve ID`: releases a human-approval gate whose steps before it are done. */
  async approve(id: string, note: string | undefined, actor: string): Promise<GateInfo> {
    const bead = await this.c.ledger.show(id);
    const s = stepNote(bead);
    if (bead.type !== 'gate' || !s?.gate) throw new TownError('invalid', `${id} is a ${bead.type}, not a gate`);
    if (s.gate.type !== 'human') throw new TownError('invalid', `${id} is a ${s.gate.type} gate: its condition releases it, not an approval`);
    if (bead.status === 'closed') throw new TownError('conflict', `${id} is already released (${bead.closeReason})`);
    const blocked = (await this.c.ledger.blocked({ limit: 100_000 })).some((b) => b.id === id);
    if (blocked) throw new TownError('conflict', `${id} is not waiting for approval yet: the steps before it are not done`);
    const closed = this.wrote(await this.c.ledger.closeBead(id, `approved by ${actor}${note?.trim() ? `: ${note.trim()}` : ''}`.slice(0, 2000), actor));
    this.c.log(`gate ${id} approved by ${actor}`);
    this.c.wake();
    return this.gateInfo(closed, false);
  }

  /** Starts the patrol: gates are armed, released and escalated every tick while any is open, and
   *  whenever kicked (every ledger change kicks it). */
  start(): void {
    this.timer = setInterval(() => {
      if (this.gatesOpen) this.kick();
    }, Math.max(200, this.c.settings.tickMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.soon) clearTimeout(this.soon);
    this.soon = null;
    await this.patrolling?.catch(() => undefined);
  }

  /** A patrol after `delayMs`, taking every kick until then in one (ledger changes come in bursts). */
  kickSoon(delayMs: number): void {
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      this.kick();
    }, delayMs);
    this.soon.unref();
  }

  /** Runs one patrol soon (never two at once). */
  kick(): void {
    if (this.patrolling) return;
    this.patrolling = this.patrol().catch((e: Error) => this.c.log(`molecule patrol: ${e.message}`)).finally(() => {
      this.patrolling = null;
    });
  }

  /** One pass: every open gate decided; every molecule whose steps are all closed closed. */
  async patrol(now = Date.now()): Promise<void> {
    const open = await this.openGates.beads((b) => b.status === 'open' && b.labels.includes(GATE_LABEL));
    this.gatesOpen = open.length > 0;
    if (open.length) {
      const blocked = new Set((await this.c.ledger.blocked({ limit: 100_000 })).map((b) => b.id));
      for (const gate of open) await this.patrolGate(gate, !blocked.has(gate.id), now);
    }
    for (const root of await this.openRoots()) {
      const note = moleculeNote(root);
      if (!note || note.for === null && note.mode === 'sequential') continue;
      const steps = await this.stepsOf(root, note);
      if (steps.length && steps.every((s) => s.status === 'closed') && (note.mode === 'parallel' || note.for !== root.id)) {
        await this.c.ledger.closeBead(root.id, 'every step done', TOWN_ACTOR).then((b) => this.wrote(b), () => undefined);
      }
    }
  }

  private async patrolGate(gate: Bead, needsDone: boolean, now: number): Promise<void> {
    const s = stepNote(gate);
    if (!s?.gate) return;
    const run = this.commandRuns.get(gate.id);
    const beadClosed = s.gate.type === 'bead' && s.gate.bead ? await this.c.ledger.show(s.gate.bead).then((b) => b.status === 'closed', () => false) : false;
    const d = decideGate({
      gate: s.gate, needsDone, armedAt: s.armedAt ? Date.parse(s.armedAt) : null, escalated: !!s.escalatedAt, now,
      commandExit: run && !run.running ? run.exit : null, beadClosed,
    });
    const withStep = (patch: Partial<StepNote>) => ({ ...gate.metadata, step: { ...s, ...patch } });
    switch (d.action) {
      case 'arm':
        this.wrote(await this.c.ledger.update(gate.id, { metadata: withStep({ armedAt: new Date(now).toISOString() }), expectStatus: ['open'] }, GATE_ACTOR));
        this.c.log(`gate ${gate.id} armed (${s.gate.type})`);
        return;
      case 'release':
        this.commandRuns.delete(gate.id);
        this.wrote(await this.c.ledger.closeBead(gate.id, `gate released: ${d.reason}`.slice(0, 2000), GATE_ACTOR));
        this.c.log(`gate ${gate.id} released: ${d.reason}`);
        this.c.wake();
        return;
      case 'escalate':
        await this.d.escalate({
          severity: 'high', message: `Gate ${gate.id} (${gate.title}) of molecule ${s.molecule}: ${d.reason}. ${waiting(s.gate, 0).split(':')[0]}.`,
          from: GATE_ACTOR, source: 'gate', details: { bead: gate.id, molecule: s.molecule },
        });
        this.wrote(await this.c.ledger.update(gate.id, { metadata: withStep({ escalatedAt: new Date(now).toISOString() }) }, GATE_ACTOR));
        return;
      case 'run-command':
        if (run?.running || (run && now - run.at < COMMAND_EVERY_MS)) return;
        this.runCommand(gate.id, s.gate.command!);
        return;
      default:
    }
  }

  /** Runs a command gate's command in the town folder (in the background; the next patrol reads the exit). */
  private runCommand(id: string, command: string): void {
    const entry = { at: Date.now(), exit: null as number | null, running: true };
    this.commandRuns.set(id, entry);
    const child = spawn('sh', ['-c', command], { cwd: this.c.townRoot, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    const end = (code: number | null) => {
      clearTimeout(timer);
      entry.exit = code;
      entry.running = false;
      entry.at = Date.now();
      if (code === 0) this.kick();
    };
    child.on('exit', (code) => end(code));
    child.on('error', () => end(127));
  }

  // ---- convoy planning -------------------------------------------------------------------------

  /** `gt convoy stage BEAD…|--epic ID`: the waves; a cycle is an `invalid` error naming it. */
  async stage(sel: { beads?: string[]; epic?: string }): Promise<ConvoyPlan> {
    const edges = await this.c.ledger.dependencyEdges();
    let ids: string[];
    if (sel.epic) {
      if (sel.beads?.length) throw new TownError('invalid', 'give beads or --epic, not both');
      const epic = await this.c.ledger.show(sel.epic);
      ids = edges.filter((e) => e.type === 'parent-child' && e.dependsOnId === epic.id).map((e) => e.issueId);
      if (!ids.length) throw new TownError('invalid', `${epic.id} has no children to plan`);
    } else {
      ids = [...new Set(sel.beads ?? [])];
      if (!ids.length) throw new TownError('invalid', 'give the beads to plan (gt convoy stage BEAD…) or an epic (--epic ID)');
    }
    const beads = new Map((await this.c.ledger.getMany(ids)).map((b) => [b.id, b]));
    for (const id of ids) {
      const b = beads.get(id);
      if (!b) throw new TownError('not_found', `no bead ${id}`);
      if (!isWorkType(b)) throw new TownError('invalid', `${id} is a ${b.type}, not work to plan`);
    }
    const open = ids.filter((id) => beads.get(id)!.status !== 'closed');
    const blockerIds = [...new Set(edges.filter((e) => e.type === 'blocks' && open.includes(e.issueId)).map((e) => e.dependsOnId))];
    const closed = new Set((await this.c.ledger.getMany(blockerIds)).filter((b) => b.status === 'closed').map((b) => b.id));
    const plan = computeWaves(open.map((id) => ({
      id, title: beads.get(id)!.title,
      blockers: edges.filter((e) => e.type === 'blocks' && e.issueId === id && !closed.has(e.dependsOnId)).map((e) => e.dependsOnId),
    })));
    if (!plan.ok) throw new TownError('invalid', `the beads' dependencies form a cycle: ${plan.cycle.join(' → ')} → ${plan.cycle[0]}; remove one of these dependencies (gt bead dep remove)`);
    const titles = new Map(open.map((id) => [id, beads.get(id)!.title]));
    const skipped = ids.filter((id) => !open.includes(id));
    return {
      waves: plan.waves.map((w) => w.map((id) => ({ id, title: titles.get(id)! }))),
      outside: plan.outside,
      text: renderWaves(plan, titles) + (skipped.length ? `\nalready closed (not planned): ${skipped.join(', ')}` : ''),
    };
  }

  /**
   * `gt convoy stage BEAD…|--epic ID`: the plan, stored as a staged convoy of its beads in wave order
   * (nothing is slung). Staging the same set again updates the staged convoy instead of adding one.
   */
  async stageConvoy(args: ArgsOut<'convoyStageStore'>, actor: string): Promise<ConvoyLaunchResult> {
    const plan = await this.stage(args);
    const ids = plan.waves.flat().map((b) => b.id);
    if (!ids.length) throw new TownError('invalid', 'nothing to stage: every bead is closed');
    const same = await this.stagedWith(ids);
    if (same) {
      if (args.name) this.wrote(await this.c.ledger.update(same, { title: args.name }, actor));
      return { plan, convoy: await this.d.convoys.status(same) };
    }
    const convoy = await this.d.convoys.create({ name: this.convoyName(args, plan), beads: ids, rig: args.rig, runtime: args.runtime, staged: true }, actor);
    return { plan, convoy };
  }

  /**
   * `gt convoy launch ID` (a staged convoy) or `gt convoy launch BEAD…|--epic ID`: a convoy of the
   * plan's beads in wave order, open; the feeder slings wave 1 now. The beads of a staged convoy
   * tracking exactly that set launch that convoy rather than a second one.
   */
  async launch(args: ArgsOut<'convoyLaunch'>, actor: string): Promise<ConvoyLaunchResult> {
    const one = !args.epic && args.beads?.length === 1 ? await this.c.ledger.show(args.beads[0]).catch(() => null) : null;
    if (one?.type === 'convoy') return this.launchStaged(one.id, args, actor);
    const plan = await this.stage(args);
    const ids = plan.waves.flat().map((b) => b.id);
    if (!ids.length) throw new TownError('invalid', 'nothing to launch: every bead is closed');
    const same = await this.stagedWith(ids);
    if (same) return this.launchStaged(same, args, actor);
    const convoy = await this.d.convoys.create({ name: this.convoyName(args, plan), beads: ids, rig: args.rig, runtime: args.runtime }, actor);
    this.c.wake();
    return { plan, convoy };
  }

  /** Launches a staged convoy: its waves are planned again from the live dependencies (a cycle changes nothing). */
  private async launchStaged(id: string, args: ArgsOut<'convoyLaunch'>, actor: string): Promise<ConvoyLaunchResult> {
    const before = await this.d.convoys.status(id);
    if (!before.staged) throw new TownError('conflict', `${id} is not a staged convoy (it is ${before.status}); stage one with gt convoy stage BEAD…`);
    const open = before.tracked.filter((t) => t.status !== 'closed').map((t) => t.id);
    const plan = open.length ? await this.stage({ beads: open }) : { waves: [], outside: [], text: 'every bead is closed: it lands at once' };
    const order = [...plan.waves.flat().map((b) => b.id), ...before.tracked.filter((t) => t.status === 'closed').map((t) => t.id)];
    const convoy = await this.d.convoys.launchStaged(id, order, { name: args.name, rig: args.rig, runtime: args.runtime }, actor);
    return { plan, convoy };
  }

  /** The staged convoy tracking exactly these beads, if any. */
  private async stagedWith(ids: string[]): Promise<string | null> {
    const want = [...ids].sort().join(' ');
    const found = (await this.d.convoys.stagedConvoys()).find((s) => [...s.tracked].sort().join(' ') === want);
    return found?.convoy.id ?? null;
  }

  private convoyName(args: { name?: string; epic?: string }, plan: ConvoyPlan): string {
    return (args.name ?? (args.epic ? `Waves of ${args.epic}` : `Waves: ${plan.waves[0].map((b) => b.title).join(', ')}`)).slice(0, 200);
  }
}
