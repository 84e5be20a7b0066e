// Sling and polecat sessions: picks a polecat (named, idle, or new), hooks the bead to it with a
// compare-and-set, puts its worktree on `polecat/<name>/<bead>`, and starts its primed session.
// Capacity per rig and per town is respected; work beyond it waits in order (the gt:queued label).
// Invariants: capacity is decided and the bead hooked (compare-and-set from open) and its polecat
// marked working under the rig's lock, so two slings never overfill a rig; the session is started
// after that lock is released (slings to one rig start sessions side by side), and while it starts
// the polecat is `isStarting` so the Witness's GUPP does not start a second one.
// slingBatch (the Witness's feed): several beads to one rig under one acquisition of its lock and one
// commit (every hook still a compare-and-set from open: one that fails refuses the whole write, and
// each bead is then slung alone, as by sling).
import { TownError } from '../../../preload/contract.ts';
import type { Bead } from '../../../preload/types.ts';
import type { RigInfo, SlingResult } from '../../../preload/requests/work-types.ts';
import { runtimeNameFor } from '../../agents/runtimes/runtime-registry.ts';
import { polecatBranch, polecatWorktree } from '../rigs/rig-paths.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { parseAddress, polecatAddress, type AgentRecord } from './agent-store.ts';
import { nextPolecatName } from './names.ts';
import { copyRigFiles, identityEnv, prepareWorktree } from './polecat-git.ts';
import { isHeld, isWorkType, refuseSequentialSteps, withWorkNote, workNote } from './work-beads.ts';
import { enqueue, leaveQueue } from './queued-slings.ts';
import { spawnSync } from 'node:child_process';

export interface SlingOptions {
  target?: string;
  runtime?: string;
  /** false: at capacity, report 'full' instead of queueing (the convoy feeder is its own queue). */
  enqueue?: boolean;
  convoy?: string;
}

interface Circuit {
  failures: number;
  openUntil: number;
  lastError: string;
}

const CIRCUIT_COOLDOWN_MS = 60_000;

/** A bead hooked to a polecat under the rig's lock, its session not started yet. */
interface Hooked {
  bead: Bead;
  address: string;
  branch: string;
  workdir: string;
}

export class PolecatService {
  private readonly circuits = new Map<string, Circuit>();
  /** Polecats whose session a sling is starting (hooked under the rig's lock, started outside it). */
  private readonly starting = new Set<string>();

  constructor(
    private readonly c: WorkContext,
    /** Builds the prime text for a session's first instructions. */
    private readonly primeText: (agent: string) => Promise<string>,
  ) {}

  /** `gt sling BEAD [TARGET]`. The rig's lock is held only to decide and hook (capacity, the
   *  compare-and-set, the polecat marked working); its session starts after, outside that lock,
   *  so slings to one rig start their sessions side by side. */
  sling(beadId: string, opts: SlingOptions, actor: string): Promise<SlingResult & { full?: boolean }> {
    return this.c.locks.run(`bead:${beadId}`, async () => {
      // A light read (issue + labels): sling uses no dependencies or comments.
      const bead = await this.c.ledger.getOne(beadId);
      if (bead.status === 'closed') throw new TownError('conflict', `${bead.id} is closed; reopen it first (gt bead reopen ${bead.id})`);
      if (isHeld(bead)) throw new TownError('conflict', `${bead.id} is already ${bead.status} by ${bead.assignee ?? 'someone'}`);
      if (!isWorkType(bead)) throw new TownError('invalid', `${bead.id} is a ${bead.type}, not work a polecat can do`);
      if (bead.status !== 'open') throw new TownError('conflict', `${bead.id} is ${bead.status}; only open beads can be slung`);
      await refuseSequentialSteps(this.c.ledger, [bead]);
      const { rig, polecat } = await this.resolveTarget(opts.target, bead);
      const runtime = opts.runtime ?? workNote(bead).runtime ?? rig.runtime ?? runtimeNameFor(this.c.settings.runtimes, { rig: rig.name, role: 'polecat' });
      const decided = await this.c.locks.run(`rig:${rig.name}`, async (): Promise<(SlingResult & { full?: boolean }) | Hooked> => {
        // E-stop, a parked rig or a spent budget: the work waits in the queue, with that reason.
        const blocked = (await this.c.gate?.({ rig: rig.name, bead: bead.id, convoy: opts.convoy ?? workNote(bead).convoy ?? null })) ?? null;
        // One read of the town's polecats serves the capacity check, the pick and the hook's write.
        const polecats = blocked ? [] : await this.c.agents.list({ role: 'polecat' });
        const room = blocked ?? (await this.room(rig, polecats));
        if (room) {
          if (opts.enqueue === false) return { bead: bead.id, outcome: 'queued', agent: null, branch: null, workdir: null, terminal: null, reason: room, full: !blocked };
          await this.enqueue(bead, rig, runtime, actor, opts.convoy);
          return { bead: bead.id, outcome: 'queued', agent: null, branch: null, workdir: null, terminal: null, reason: room };
        }
        return this.hook(bead, rig, polecat, runtime, actor, opts.convoy, polecats.filter((a) => a.meta.rig === rig.name));
      });
      if ('outcome' in decided) return decided;
      return this.start(decided, rig, runtime, actor);
    });
  }

  /**
   * Several beads to one rig (the Witness's feed): decided under one acquisition of the rig's lock and
   * hooked in one write (bead hooked + polecat working, for each), sessions started side by side after.
   * Never queues (as `enqueue: false`): a bead beyond capacity comes back `full`. A bead that cannot be
   * slung (no longer open, a step of a sequential molecule) or a batch write refused by a failed
   * compare-and-set falls back to `sling`, bead by bead (its own checks and errors).
   */
  async slingBatch(rigName: string, picks: Array<{ bead: string; runtime?: string; convoy?: string }>, actor: string): Promise<Array<PromiseSettledResult<SlingResult & { full?: boolean }>>> {
    const alone = (p: { bead: string; runtime?: string; convoy?: string }) => this.sling(p.bead, { target: rigName, runtime: p.runtime, enqueue: false, convoy: p.convoy }, actor);
    if (picks.length < 2) return Promise.allSettled(picks.map(alone));
    const rig = await this.c.rigs.get(rigName);
    const read = new Map((await this.c.ledger.getMany(picks.map((p) => p.bead))).map((b) => [b.id, b]));
    const slingable = (b: Bead | undefined): b is Bead => !!b && b.status === 'open' && !b.assignee && isWorkType(b);
    const ok = picks.filter((p) => slingable(read.get(p.bead)));
    const steps = await refuseSequentialSteps(this.c.ledger, ok.map((p) => read.get(p.bead)!)).then(() => false, () => true);
    if (steps || ok.length < 2) return Promise.allSettled(picks.map(alone));
    const out = new Map<string, Promise<SlingResult & { full?: boolean }>>();
    for (const p of picks) if (!ok.includes(p)) out.set(p.bead, alone(p));
    const decided = await this.c.locks.run(`rig:${rig.name}`, async () => {
      const polecats = (await this.c.agents.list({ role: 'polecat' })).map((a) => ({ ...a, meta: { ...a.meta } }));
      const hooks: Array<Hooked & { runtime: string; convoy?: string }> = [];
      const answers = new Map<string, SlingResult & { full?: boolean }>();
      const writes: Parameters<typeof this.c.ledger.updateMany>[0] = [];
      for (const p of ok) {
        const bead = read.get(p.bead)!;
        const runtime = p.runtime ?? workNote(bead).runtime ?? rig.runtime ?? runtimeNameFor(this.c.settings.runtimes, { rig: rig.name, role: 'polecat' });
        const blocked = (await this.c.gate?.({ rig: rig.name, bead: bead.id, convoy: p.convoy ?? workNote(bead).convoy ?? null })) ?? null;
        const room = blocked ?? (await this.room(rig, polecats));
        if (room) {
          answers.set(bead.id, { bead: bead.id, outcome: 'queued', agent: null, branch: null, workdir: null, terminal: null, reason: room, full: !blocked });
          continue;
        }
        const agent = await this.pickPolecat(rig, null, actor, polecats.filter((a) => a.meta.rig === rig.name));
        if (!polecats.includes(agent)) polecats.push(agent);
        const address = agent.meta.address;
        const branch = polecatBranch(agent.meta.name, bead.id);
        const workdir = polecatWorktree(this.c.townRoot, rig.name, agent.meta.name);
        writes.push(
          {
            id: bead.id,
            patch: {
              status: 'hooked', assignee: address, expectStatus: ['open'],
              metadata: withWorkNote(bead, { rig: rig.name, polecat: address, branch, runtime, slungBy: actor, slungAt: new Date().toISOString(), ...(p.convoy ? { convoy: p.convoy } : {}) }),
            },
          },
          this.c.agents.updateOf(agent, { state: 'working', hook: bead.id, branch, workdir, runtime, respawns: 0, handoff: null }),
        );
        // Counted as working by the next decision of this batch (room, the pick).
        agent.meta.state = 'working';
        hooks.push({ bead, address, branch, workdir, runtime, convoy: p.convoy });
      }
      if (!writes.length) return { hooks, answers, written: true };
      try {
        const written = await this.c.ledger.updateMany(writes, actor);
        this.c.agents.written(written);
        this.c.hooked?.written(written);
      } catch {
        return { hooks: [], answers: new Map(), written: false };
      }
      for (const h of hooks) this.starting.add(h.address);
      return { hooks, answers, written: true };
    });
    if (!decided.written) {
      // A compare-and-set failed (someone hooked one of them meanwhile): nothing was written; one by one.
      for (const p of ok) out.set(p.bead, alone(p));
    } else {
      for (const [bead, answer] of decided.answers) out.set(bead, Promise.resolve(answer));
      for (const h of decided.hooks) {
        await leaveQueue(this.c, h.bead, actor).catch(() => undefined);
        out.set(h.bead.id, this.start(h, rig, h.runtime, actor));
      }
    }
    return Promise.allSettled(picks.map((p) => out.get(p.bead)!));
  }

  /** Whether a sling is starting this polecat's session right now (GUPP must not start another). */
  isStarting(address: string): boolean {
    return this.starting.has(address);
  }

  /** Why nothing more may start on this rig now (capacity, circuit breaker), or null. */
  async room(rig: RigInfo, polecats?: AgentRecord[]): Promise<string | null> {
    const circuit = this.circuits.get(rig.name);
    if (circuit && circuit.openUntil > Date.now()) return `rig ${rig.name}: circuit breaker open after ${circuit.failures} failed starts (${circuit.lastError})`;
    const working = (polecats ?? (await this.c.agents.list({ role: 'polecat' }))).filter((a) => a.meta.state === 'working');
    if (working.filter((a) => a.meta.rig === rig.name).length >= rig.maxPolecats) return `rig ${rig.name} is at capacity (${rig.maxPolecats} working)`;
    if (working.length >= this.c.settings.maxPolecats) return `the town is at capacity (${this.c.settings.maxPolecats} working)`;
    return null;
  }

  /** The rig (and named polecat, if any) a sling target means; not_found/invalid when it means none. */
  async resolveTarget(target: string | undefined, bead: Bead): Promise<{ rig: RigInfo; polecat: string | null }> {
    if (!target) {
      const prefix = bead.id.slice(0, bead.id.indexOf('-'));
      const rig = await this.c.rigs.byPrefix(prefix);
      if (!rig) throw new TownError('invalid', `${bead.id} belongs to no rig (prefix ${prefix}); name one: gt sling ${bead.id} RIG`);
      return { rig, polecat: null };
    }
    const addr = parseAddress(target);
    if (addr?.role === 'polecat') return { rig: await this.c.rigs.get(addr.rig!), polecat: addr.name };
    const rig = await this.c.rigs.find(target);
    if (rig) return { rig, polecat: null };
    // A bare polecat name: the polecat of that name on the bead's rig (or on any rig, if unique).
    const named = (await this.c.agents.list({ role: 'polecat' })).filter((a) => a.meta.name === target);
    if (named.length === 1) return { rig: await this.c.rigs.get(named[0].meta.rig!), polecat: target };
    if (named.length > 1) throw new TownError('invalid', `several polecats are named ${target}; say ${named.map((a) => a.meta.address).join(' or ')}`);
    throw new TownError('not_found', `no rig or polecat named ${target} (see \`gt rig list\`, \`gt agent list\`)`);
  }

  private async enqueue(bead: Bead, rig: RigInfo, runtime: string, actor: string, convoy?: string): Promise<void> {
    await enqueue(this.c, bead, withWorkNote(bead, { rig: rig.name, runtime, queuedAt: new Date().toISOString(), slungBy: actor, ...(convoy ? { convoy } : {}) }), actor);
  }

  /** `pool`: the rig's polecats, read under the rig's lock by the caller. */
  private async pickPolecat(rig: RigInfo, named: string | null, actor: string, pool: AgentRecord[]): Promise<AgentRecord> {
    if (named) {
      const found = pool.find((a) => a.meta.name === named);
      if (found && found.meta.state !== 'idle') throw new TownError('conflict', `polecat ${found.meta.address} is ${found.meta.state}${found.meta.hook ? ` with ${found.meta.hook}` : ''}`);
      return found ?? this.c.agents.create({ address: polecatAddress(rig.name, named), role: 'polecat', name: named, rig: rig.name }, rig.prefix, actor);
    }
    // Reuse an idle polecat (its worktree saves a checkout); else a new one from the name pool.
    // An idle polecat's lingering session (an agent that has not exited after `gt done`) is replaced.
    const idle = pool.filter((a) => a.meta.state === 'idle');
    if (idle.length) return idle.sort((a, b) => Number(!!b.meta.workdir) - Number(!!a.meta.workdir) || a.meta.name.localeCompare(b.meta.name))[0];
    const name = nextPolecatName(pool.map((a) => a.meta.name));
    return this.c.agents.create({ address: polecatAddress(rig.name, name), role: 'polecat', name, rig: rig.name }, rig.prefix, actor);
  }

  /** Under the rig's lock: picks the polecat, hooks the bead to it (compare-and-set) and marks it
   *  working, so the next decision under the lock counts it. Its session is marked starting. */
  private async hook(bead: Bead, rig: RigInfo, named: string | null, runtime: string, actor: string, convoy: string | undefined, pool: AgentRecord[]): Promise<Hooked> {
    const agent = await this.pickPolecat(rig, named, actor, pool);
    const address = agent.meta.address;
    const branch = polecatBranch(agent.meta.name, bead.id);
    const workdir = polecatWorktree(this.c.townRoot, rig.name, agent.meta.name);
    // The hook is the compare-and-set: whoever moves the bead from open to hooked owns it. The
    // polecat is marked working in the same write (one commit: a crash cannot split them).
    const written = await this.c.ledger.updateMany([
      {
        id: bead.id,
        patch: {
          status: 'hooked', assignee: address, expectStatus: ['open'],
          metadata: withWorkNote(bead, { rig: rig.name, polecat: address, branch, runtime, slungBy: actor, slungAt: new Date().toISOString(), ...(convoy ? { convoy } : {}) }),
        },
      },
      this.c.agents.updateOf(agent, { state: 'working', hook: bead.id, branch, workdir, runtime, respawns: 0, handoff: null }),
    ], actor);
    this.c.agents.written(written);
    this.c.hooked?.written(written);
    // Marked before the lock is released: a patrol that sees the hook without a session leaves it to us.
    this.starting.add(address);
    await leaveQueue(this.c, bead, actor).catch(() => undefined);
    return { bead, address, branch, workdir };
  }

  /** Outside the rig's lock: the hooked polecat's worktree and session. On failure the work is given
   *  back under the lock (the bead open again, the polecat idle: nothing half-slung). */
  private async start(h: Hooked, rig: RigInfo, runtime: string, actor: string): Promise<SlingResult> {
    const { bead, address, branch, workdir } = h;
    try {
      const terminal = await this.startSession(rig, address, { ...bead, status: 'hooked' }, branch, workdir, runtime);
      this.circuitOk(rig.name);
      return { bead: bead.id, outcome: 'hooked', agent: address, branch, workdir, terminal };
    } catch (err) {
      await this.c.locks.run(`rig:${rig.name}`, async () => {
        await this.c.ledger.update(bead.id, { status: 'open', assignee: null, expectStatus: ['hooked'] }, actor).catch(() => undefined);
        await this.c.agents.patch(address, { state: 'idle', hook: null }, actor).catch(() => undefined);
      });
      this.circuitFail(rig.name, (err as Error).message);
      throw err;
    } finally {
      this.starting.delete(address);
    }
  }

  /** Worktree on the bead's branch, then a primed session. Also GUPP's restart path. */
  async startSession(rig: RigInfo, address: string, bead: Bead, branch: string, workdir: string, runtime: string): Promise<string> {
    const wt = await prepareWorktree(rig.paths.bare, workdir, branch, rig.branch);
    if (!wt.reused) {
      copyRigFiles(rig.paths.canonical, workdir, rig.copyFiles);
      if (rig.setupCommand) {
        const r = spawnSync('/bin/sh', ['-c', rig.setupCommand], { cwd: workdir, encoding: 'utf8', timeout: 600_000 });
        if (r.status !== 0) throw new TownError('internal', `setup command of rig ${rig.name} failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().slice(-500)}`);
      }
    }
    const name = parseAddress(address)?.name ?? address;
    const rec = await this.c.sessions.start({
      agent: address, role: 'polecat', rig: rig.name, bead: bead.id, cwd: workdir, runtime,
      prompt: await this.primeText(address),
      extraEnv: { ...identityEnv({ name: address, email: `${name}@${rig.name}.gastown.local` }), GT_BRANCH: branch, GT_POLECAT: name },
    });
    return rec.terminal;
  }

  private circuitOk(rig: string): void {
    const c = this.circuits.get(rig);
    if (c && c.failures >= this.c.settings.spawnFailureLimit) this.c.publish('workEvent', { kind: 'circuit-closed', rig, message: `rig ${rig}: polecats start again`, at: Date.now() });
    this.circuits.delete(rig);
  }

  private circuitFail(rig: string, message: string): void {
    const c = this.circuits.get(rig) ?? { failures: 0, openUntil: 0, lastError: '' };
    c.failures++;
    c.lastError = message.slice(0, 300);
    if (c.failures >= this.c.settings.spawnFailureLimit) {
      c.openUntil = Date.now() + CIRCUIT_COOLDOWN_MS;
      this.c.publish('workEvent', { kind: 'circuit-open', rig, message: `rig ${rig}: ${c.failures} polecat starts failed in a row; pausing for ${CIRCUIT_COOLDOWN_MS / 1000}s: ${c.lastError}`, at: Date.now() });
    }
    this.circuits.set(rig, c);
  }
}
