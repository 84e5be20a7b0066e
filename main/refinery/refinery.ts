// The Refinery: one rig's deterministic merge queue. Each pass (processOnce) derives the state from
// the target branch and the store, takes a batch in queue order, builds its merges in the object
// database, gates the tip in the refinery's own worktree, bisects a red batch, and fast-forwards
// the target (compare-and-swap) to a commit whose gate passed.
//
// Restart safety comes from the order of writes: the target ref moves BEFORE requests are
// recorded merged, and every pass first marks merged any request whose head is already in the
// target. A crash between the two therefore never merges anything twice; a crash mid-gate leaves
// in-flight phases (batched/testing) that the next pass simply re-queues, and a worktree that is
// forcibly reset before every gate.
//
// What is written (each write one commit in the ledger): where a request rests (queued, waiting,
// terminal) and, for a gate that runs longer than `recordTestingAfterMs`, that it is being tested.
// The passage through one pass (re-queued, batched, testing on a quick gate) is kept in memory:
// emitted as events and shown by queue()/show(), but not written. A crash loses nothing by it: a
// request never written in flight still reads as it rested, and the next pass takes it from there
// exactly as it re-queues one left `batched`/`testing`. A request whose durable phase is in flight
// gets its way back (`queued`) written when its pass does not finish it.

import { EventEmitter } from 'node:events';
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { TownError } from '../../preload/contract.ts';
import { fetchRef } from '../git/fetch-ref.ts';
import { isAncestor } from '../git/is-ancestor.ts';
import { pushRef } from '../git/push-ref.ts';
import { resolveBranch } from '../git/resolve-commit.ts';
import { createRef, updateRef } from '../git/update-ref.ts';
import { branchesMergedInto, branchHeads } from '../git/branch-heads.ts';
import { isValidBranchName } from '../git/check-branch-name.ts';
import { addDetachedWorktree } from '../git/worktree-add.ts';
import { checkoutClean } from '../git/worktree-checkout.ts';
import { linkedGitDir, repositoryCommonDir, worktreeInfo } from '../git/worktree-info.ts';
import { GateStopped, resolveBatch, type Resolution } from './batch-resolver.ts';
import { runGate } from './gate-runner.ts';
import { buildMergeStack, type StackItem } from './merge-stack.ts';
import { clearGate, GATE_MARKER_ENV, killOrphanGate, recordGate } from './orphan-gate.ts';
import { batchSizeFor, gatherWait, orderByScore, readiness, scoreOf } from './queue-order.ts';
import {
  TERMINAL_PHASES,
  type GateConfig,
  type GateResult,
  type MergeQueueStore,
  type MergeRequest,
  type MergeRequestMeta,
  type MrPhase,
  type PassReport,
  type PhaseRecord,
  type QueueEntry,
  type RefineryEvent,
  type RefineryOptions,
} from './types.ts';

const DEFAULT_IDENTITY = { name: 'Gas Town Refinery', email: 'refinery@gastown.local' };
const OUTPUT_KEEP = 16 * 1024;

export interface SubmitOptions {
  title?: string;
  bead?: string;
  polecat?: string;
  priority?: number;
  convoy?: string;
  convoyCreatedAt?: string;
}

interface Candidate {
  /** As this pass sees it (possibly re-queued in memory). */
  mr: MergeRequest;
  head: string;
  /** Its phase in the store. */
  stored: MrPhase;
}

/** Phases that say a pass holds the request: one found so in the store was left by a killed pass. */
const IN_FLIGHT: readonly MrPhase[] = ['batched', 'testing', 'flaky'];

/** A phase to record, and the event that tells it. */
interface PhaseEntry {
  mr: MergeRequest;
  phase: MrPhase;
  patch: Partial<MergeRequestMeta>;
  detail: string;
}

const tail = (s: string, n = OUTPUT_KEEP): string => (s.length > n ? `[…]\n${s.slice(-n)}` : s);

function emptyReport(kind: PassReport['kind']): PassReport {
  return { kind, merged: [], rejected: [], conflicts: [], deferred: [], missing: [], flaky: false, gateRuns: 0 };
}

export class Refinery extends EventEmitter<{ event: [RefineryEvent] }> {
  readonly repoDir: string;
  readonly workDir: string;
  readonly targetBranch: string;
  readonly batchSize: number;
  /** A long queue's batch grows up to this (batchSizeFor). */
  readonly maxBatchSize: number;
  private gate: GateConfig;
  private readonly origin?: string;
  private readonly identity: { name: string; email: string };
  private readonly pollMs: number;
  private readonly gatherMs: number;
  private readonly now: () => number;
  private readonly recordTestingAfterMs: number;
  private worktreeGitDir: string | null = null;
  /** worktreeGitDir resolved, once checked by worktreeInfo: later passes compare the .git file with it. */
  private worktreeGitDirReal: string | null = null;
  private marker = '';
  /** Target commits this refinery saw pass the gate (a red target must not blame requests). */
  private readonly greenTargets = new Set<string>();
  private busy: Promise<unknown> = Promise.resolve();
  /** The running batch's requests and their phase in this pass (shown by queue() and show()). */
  private readonly inFlight = new Map<string, MrPhase>();
  private loop: Promise<void> | null = null;
  private stopping: AbortController | null = null;
  private wake: (() => void) | null = null;
  /** A poke that arrived while a pass was running: the loop must not sleep on it. */
  private poked = false;

  constructor(
    opts: RefineryOptions,
    private readonly store: MergeQueueStore,
  ) {
    super();
    if (!opts.repoDir || !opts.workDir) throw new TownError('invalid', 'refinery: repoDir and workDir are required');
    this.repoDir = resolvePath(opts.repoDir);
    this.workDir = resolvePath(opts.workDir);
    this.targetBranch = opts.targetBranch ?? 'main';
    this.gate = validateGate(opts.gate);
    this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? 4));
    this.maxBatchSize = Math.max(this.batchSize, Math.floor(opts.maxBatchSize ?? this.batchSize));
    this.origin = opts.origin;
    this.identity = opts.identity ?? DEFAULT_IDENTITY;
    this.pollMs = opts.pollMs ?? 30_000;
    this.gatherMs = Math.max(0, opts.gatherMs ?? 0);
    this.now = opts.now ?? Date.now;
    this.recordTestingAfterMs = Math.max(0, opts.recordTestingAfterMs ?? 2_000);
  }

  /** Changes the gate (a rig's config was edited); takes effect at the next gate run. */
  setGate(gate: GateConfig): void {
    this.gate = validateGate(gate);
  }

  // ---------------------------------------------------------------- queue API (for `gt mq`)

  /** The visible queue: ready requests in the order they will be batched, then waiting ones. */
  async queue(): Promise<QueueEntry[]> {
    const open = await this.store.listOpen();
    const now = this.now();
    const entries: Array<Omit<QueueEntry, 'position'>> = [];
    for (const mr of orderByScore(open, now)) {
      const head = await resolveBranch(this.repoDir, mr.meta.branch);
      const r = readiness(mr, head);
      entries.push({
        id: mr.id, title: mr.title, branch: mr.meta.branch, phase: this.inFlight.get(mr.id) ?? mr.meta.phase, priority: mr.priority,
        attempts: mr.meta.attempts, score: Math.round(scoreOf(mr, now) * 100) / 100, ready: r.ready,
        ...(r.ready ? {} : { waiting: r.why }),
      });
    }
    const sorted = [...entries.filter((e) => e.ready), ...entries.filter((e) => !e.ready)];
    return sorted.map((e, i) => ({ position: i + 1, ...e }));
  }

  async show(id: string): Promise<MergeRequest> {
    const mr = await this.store.get(id);
    if (!mr) throw new TownError('not_found', `no merge request ${id}`);
    const phase = this.inFlight.get(id);
    return phase ? { ...mr, meta: { ...mr.meta, phase } } : mr;
  }

  /**
   * Queues a branch that exists in the repository (or, fetched from, its origin). An open request
   * for the same branch is returned instead of a duplicate.
   */
  async submit(branch: string, opts: SubmitOptions = {}): Promise<MergeRequest> {
    if (!(await isValidBranchName(this.repoDir, branch))) throw new TownError('invalid', `not a valid branch name: ${JSON.stringify(branch).slice(0, 200)}`);
    if (branch === this.targetBranch) throw new TownError('invalid', `cannot submit the target branch ${branch} to its own queue`);
    const priority = opts.priority ?? 2;
    if (!Number.isInteger(priority) || priority < 0 || priority > 4) throw new TownError('invalid', 'priority must be an integer 0–4');
    let head = await resolveBranch(this.repoDir, branch);
    if (!head && this.origin) {
      const f = await fetchRef(this.repoDir, this.origin, branch, `refs/heads/${branch}`);
      if (f.ok) head = f.sha;
    }
    if (!head) throw new TownError('not_found', `branch ${branch} exists neither in ${this.repoDir}${this.origin ? ` nor in ${this.origin}` : ''}`);
    const existing = (await this.store.listOpen()).find((m) => m.meta.branch === branch);
    if (existing) {
      this.poke();
      return existing;
    }
    const meta: MergeRequestMeta = {
      branch, base: this.targetBranch, phase: 'queued', attempts: 0, head,
      ...(opts.bead ? { bead: opts.bead } : {}),
      ...(opts.polecat ? { polecat: opts.polecat } : {}),
      ...(opts.convoy ? { convoy: opts.convoy } : {}),
      ...(opts.convoyCreatedAt ? { convoyCreatedAt: opts.convoyCreatedAt } : {}),
    };
    const mr = await this.store.create({ title: opts.title ?? `Merge ${branch}`, priority, meta });
    this.emitPhase(mr, 'queued', 'submitted');
    this.poke();
    return mr;
  }

  /** Puts a rejected, conflicting or waiting request back in the queue. */
  async retry(id: string): Promise<MergeRequest> {
    const mr = await this.show(id);
    if (mr.meta.phase === 'merged') throw new TownError('conflict', `${id} is already merged`);
    if (this.inFlight.has(id)) throw new TownError('conflict', `${id} is being tested right now`);
    const out = await this.recordPhase(mr, 'queued', {}, 'retry requested');
    this.poke();
    return out;
  }

  /** Rejects a request by hand (closes it). */
  async reject(id: string, reason: string): Promise<MergeRequest> {
    const mr = await this.show(id);
    if (mr.meta.phase === 'merged') throw new TownError('conflict', `${id} is already merged`);
    if (this.inFlight.has(id)) throw new TownError('conflict', `${id} is being tested right now; reject it after this batch`);
    return this.recordPhase(mr, 'rejected', { reason: reason.slice(0, 2000) }, `rejected by hand: ${reason.slice(0, 200)}`);
  }

  // ---------------------------------------------------------------- running

  /** Runs passes until stop(): back-to-back while there is work, else sleeps pollMs (or, gathering a
   *  batch, its wait) or until a submit. */
  run(): void {
    if (this.loop) return;
    const ctrl = new AbortController();
    this.stopping = ctrl;
    this.loop = (async () => {
      while (!ctrl.signal.aborted) {
        let report: PassReport;
        this.poked = false;
        try {
          report = await this.processOnce();
        } catch (err) {
          this.emitEvent({ type: 'problem', kind: 'internal', message: err instanceof Error ? err.message : String(err) });
          report = emptyReport('blocked');
        }
        if (ctrl.signal.aborted) break;
        if (report.kind === 'batch' || this.poked) continue;
        await new Promise<void>((res) => {
          const t = setTimeout(done, report.kind === 'gather' ? report.waitMs ?? 0 : this.pollMs);
          function done(): void {
            clearTimeout(t);
            // Each sleep adds a listener to the loop's one signal: remove it, or they pile up.
            ctrl.signal.removeEventListener('abort', done);
            res();
          }
          this.wake = done;
          ctrl.signal.addEventListener('abort', done, { once: true });
        });
        this.wake = null;
      }
    })();
  }

  /** Stops the loop; a running gate is killed and its requests go back to the queue. */
  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.loop;
    this.loop = null;
    this.stopping = null;
  }

  /** Wakes a sleeping run() loop (a request was submitted or retried). */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** One pass: reconcile, take one batch, land what passes. Passes never overlap. */
  processOnce(): Promise<PassReport> {
    const next = this.busy.then(() => this.pass());
    this.busy = next.catch(() => undefined);
    return next;
  }

  // ---------------------------------------------------------------- one pass

  private async pass(): Promise<PassReport> {
    // Gathering is decided from the store alone (no git run): a poke while a batch gathers costs a
    // look at the queue, not two git runs.
    const open = await this.store.listOpen();
    const gather = gatherWait(open.filter((mr) => mr.meta.phase === 'queued' && !mr.meta.holdFor).map((mr) => mr.createdAt), this.now(), this.batchSize, this.gatherMs);
    if (gather > 0) return { ...emptyReport('gather'), waitMs: gather };
    await this.ensureWorktree();
    if (this.origin && !(await this.syncFromOrigin())) return { ...emptyReport('blocked'), problem: 'origin' };
    const target = await resolveBranch(this.repoDir, this.targetBranch);
    if (!target) {
      const message = `target branch ${this.targetBranch} does not exist in ${this.repoDir}`;
      this.emitEvent({ type: 'problem', kind: 'internal', message });
      return { ...emptyReport('blocked'), problem: message };
    }

    const report = emptyReport('idle');
    const ready: Candidate[] = [];
    // Every request's branch head, and which are already in the target: two git runs for the queue,
    // reading only the open requests' branches (the rig keeps every merged one).
    const branches = open.map((mr) => mr.meta.branch);
    const heads = await branchHeads(this.repoDir, branches);
    const inTarget = await branchesMergedInto(this.repoDir, target, branches);
    for (const mr of open) {
      const known = heads.get(mr.meta.branch);
      // A branch missing here may be fetched from origin (branchHead): then ask git about it alone.
      const head = known ?? (await this.branchHead(mr.meta.branch));
      if (head && (known ? inTarget.get(mr.meta.branch) === head : await isAncestor(this.repoDir, head, target))) {
        // Landed already (e.g. the target moved, then we crashed before recording it).
        await this.recordPhase(mr, 'merged', { head, mergedAs: mr.meta.mergedAs ?? target, batch: undefined }, 'its head is already in the target');
        report.merged.push(mr.id);
        continue;
      }
      const r = readiness(mr, head);
      if (!r.ready) {
        if (r.changed) {
          await this.recordPhase(mr, r.phase, { batch: undefined }, r.why);
          report.missing.push(mr.id);
        }
        continue;
      }
      let cur = mr;
      if (r.requeue) {
        // In memory (see the header): the store keeps where it rested until this pass moves it on.
        const why = mr.meta.phase === 'conflict' || mr.meta.phase === 'branch-missing' ? `branch ${mr.meta.branch} changed` : `resumed after ${mr.meta.phase}`;
        cur = this.passPhase({ mr, phase: 'queued', patch: { batch: undefined }, detail: why });
      }
      ready.push({ mr: cur, head: head!, stored: mr.meta.phase });
    }
    if (ready.length === 0) return report;

    const byId = new Map(ready.map((c) => [c.mr.id, c]));
    // A long queue is taken in bigger batches (batchSizeFor): one gate run and one write per phase for all.
    const batch = orderByScore(ready.map((c) => c.mr), this.now())
      .slice(0, batchSizeFor(ready.length, this.batchSize, this.maxBatchSize))
      .map((mr) => byId.get(mr.id)!);
    report.kind = 'batch';
    report.batch = target;
    for (const c of batch) this.inFlight.set(c.mr.id, c.mr.meta.phase);
    try {
      return await this.runBatch(target, batch, report);
    } finally {
      this.inFlight.clear();
    }
  }

  private async runBatch(target: string, batch: Candidate[], report: PassReport): Promise<PassReport> {
    const mrs = new Map<string, MergeRequest>();
    // Requests whose phase in the store says a pass holds them: they need their way back written.
    const held = new Set(batch.filter((c) => IN_FLIGHT.includes(c.stored)).map((c) => c.mr.id));
    const moved = (mr: MergeRequest, phase: MrPhase): void => {
      mrs.set(mr.id, mr);
      this.inFlight.set(mr.id, phase);
    };
    // Batched and testing are in memory (see the header); a long gate writes `testing` (gateRecorded).
    for (const c of batch) moved(this.passPhase({ mr: c.mr, phase: 'batched', patch: { head: c.head, batch: target }, detail: `batched on ${target.slice(0, 10)}` }), 'batched');
    this.emitEvent({ type: 'batch', batch: target, ids: batch.map((c) => c.mr.id), target: this.targetBranch });
    const requeue = (list: MergeRequest[], why: string, gateOutput?: string) => this.requeue(list, held, why, gateOutput);

    const items: StackItem[] = batch.map((c) => ({ id: c.mr.id, title: c.mr.title, branch: c.mr.meta.branch, head: c.head }));
    const testing = new Set<string>();
    const testingWritten = new Set<string>();
    let run = 0;
    let resolution: Resolution<StackItem>;
    try {
      resolution = await resolveBatch(target, items, {
        build: (onto, its) => buildMergeStack(this.repoDir, target, onto, its, this.identity),
        gate: async (tip, its) => {
          const fresh = its.filter((it) => !testing.has(it.id));
          for (const it of fresh) {
            testing.add(it.id);
            moved(this.passPhase({ mr: mrs.get(it.id)!, phase: 'testing', patch: {}, detail: `gate running on ${tip.slice(0, 10)}` }), 'testing');
          }
          const r = await this.gateRecorded(tip, async () => {
            const unwritten = its.filter((it) => !testingWritten.has(it.id));
            const written = await this.writePhases(unwritten.map((it) => ({ mr: mrs.get(it.id)!, phase: 'testing', patch: { head: it.head, batch: target }, detail: `gate running on ${tip.slice(0, 10)}` })));
            for (const mr of written) {
              testingWritten.add(mr.id);
              held.add(mr.id);
              moved(mr, 'testing');
            }
          });
          this.emitEvent({ type: 'gate', batch: target, tip, ids: its.map((i) => i.id), outcome: r.outcome, durationMs: r.durationMs, run: ++run });
          if (r.outcome === 'pass') this.greenTargets.add(tip);
          return r;
        },
      }, this.greenTargets.has(target));
    } catch (err) {
      if (!(err instanceof GateStopped)) {
        await requeue([...mrs.values()], 'internal error; back in the queue');
        throw err;
      }
      report.gateRuns = run;
      const r = err.result;
      const message = r.outcome === 'aborted' ? 'refinery stopping' : `gate cannot run: ${tail(r.output, 2000).trim()}`;
      if (r.outcome !== 'aborted') this.emitEvent({ type: 'problem', kind: 'gate-unavailable', message });
      await requeue([...mrs.values()], message, r.outcome === 'aborted' ? undefined : tail(r.output));
      return { ...report, kind: 'blocked', problem: message };
    }
    report.gateRuns = resolution.gateRuns;

    if (resolution.targetRed) {
      const message = `target ${this.targetBranch} (${target.slice(0, 10)}) fails its own gate; nothing is judged until it is fixed`;
      this.emitEvent({ type: 'problem', kind: 'target-red', message });
      await requeue([...mrs.values()], message, tail(resolution.targetRed.output));
      return { ...report, kind: 'blocked', problem: message };
    }

    // Land first, record second (see the header): a crash in between is repaired by ancestry.
    if (resolution.landTip) {
      const landed = await this.advanceTarget(target, resolution.landTip, resolution.landed.map((i) => i.id));
      if (!landed.ok) {
        await requeue([...mrs.values()], landed.message);
        return { ...report, kind: 'blocked', problem: landed.message };
      }
      let landedMrs = resolution.landed.map((it) => mrs.get(it.id)!);
      if (resolution.flaky) {
        const flaky = resolution.flaky;
        landedMrs = await this.recordPhases(resolution.landed.map((it, i) => ({ mr: landedMrs[i], phase: 'flaky', patch: { head: it.head, gateOutput: tail(flaky.output), flakyRuns: (landedMrs[i].meta.flakyRuns ?? 0) + 1 }, detail: 'gate failed once, passed on retry' })));
      }
      // One write for the whole landing (in the town it also closes the work beads: one commit).
      await this.recordPhases(resolution.landed.map((it, i) => ({ mr: landedMrs[i], phase: 'merged', patch: { head: it.head, mergedAs: resolution.mergedAs.get(it)!, batch: undefined }, detail: `merged as ${resolution.mergedAs.get(it)!.slice(0, 10)}` })));
      for (const it of resolution.landed) report.merged.push(it.id);
      report.flaky = resolution.flaky !== null;
    }

    for (const { item, result } of resolution.culprits) {
      const mr = mrs.get(item.id)!;
      const why = result.outcome === 'timeout' ? `gate timed out (${this.gate.timeoutMs} ms)` : `gate failed (exit ${result.exitCode})`;
      const output = tail(result.output);
      const followUp = await this.store.createFollowUp(mr, {
        kind: 'rejection',
        title: `Fix ${mr.meta.branch}: ${why}`,
        description: `Merge request ${mr.id} (${mr.meta.branch} @ ${item.head.slice(0, 10)}) was rejected by the refinery: ${why} with it merged onto ${this.targetBranch}.\n\nGate: ${this.gate.command}\n\nOutput (tail):\n\n${output}\n\nFix the branch and run \`gt done\` again (or \`gt mq retry ${mr.id}\`).`,
        assignee: mr.meta.polecat ?? null,
        priority: Math.min(mr.priority, 1),
      });
      await this.recordPhase(mr, 'rejected', { gateOutput: output, reason: why, rejectionBead: followUp, attempts: mr.meta.attempts + 1, head: item.head, batch: undefined }, `${why}; ${followUp} created`);
      report.rejected.push(item.id);
    }

    for (const { item, files } of resolution.conflicts) {
      const mr = mrs.get(item.id)!;
      const followUp = await this.store.createFollowUp(mr, {
        kind: 'conflict',
        title: `Resolve merge conflicts: ${mr.meta.branch}`,
        description: `Merge request ${mr.id} (${mr.meta.branch} @ ${item.head.slice(0, 10)}) conflicts with ${this.targetBranch} (${target.slice(0, 10)}).\n\nConflicting files:\n${files.map((f) => `- ${f}`).join('\n')}\n\nMerge or rebase ${this.targetBranch} into the branch, resolve, and commit on the branch (a polecat: in its worktree, then \`gt done\`): the request re-enters the queue by itself when the branch changes.`,
        assignee: mr.meta.polecat ?? null,
        priority: Math.min(mr.priority, 1),
      });
      await this.recordPhase(mr, 'conflict', { conflictFiles: files, resolutionBead: followUp, head: item.head, batch: undefined }, `conflicts in ${files.join(', ')}; ${followUp} created`);
      report.conflicts.push(item.id);
    }

    for (const { item, message } of resolution.broken) {
      await this.recordPhase(mrs.get(item.id)!, 'rejected', { reason: message, head: item.head, batch: undefined }, `cannot be merged: ${message}`);
      report.rejected.push(item.id);
    }

    for (const item of resolution.deferred) {
      await requeue([mrs.get(item.id)!], 'conflicts with an earlier request of this batch; retried on the new target');
      report.deferred.push(item.id);
    }
    return report;
  }

  /** Pushes (when an origin is configured) then moves the local target, both fast-forward only. */
  private async advanceTarget(from: string, to: string, ids: string[]): Promise<{ ok: true } | { ok: false; message: string }> {
    if (this.origin) {
      const p = await pushRef(this.repoDir, this.origin, to, this.targetBranch);
      if (!p.ok) {
        const message = `push to ${this.origin} failed (${p.reason}): ${p.message}`;
        this.emitEvent({ type: 'problem', kind: 'origin', message });
        return { ok: false, message };
      }
    }
    const u = await updateRef(this.repoDir, `refs/heads/${this.targetBranch}`, to, from, `refinery: land ${ids.join(' ')}`);
    if (!u.ok) {
      const message = `target ${this.targetBranch} moved during the batch; re-merging onto the new target`;
      this.emitEvent({ type: 'problem', kind: 'target-moved', message: `${message} (${u.message})` });
      return { ok: false, message };
    }
    this.greenTargets.add(to);
    this.emitEvent({ type: 'landed', target: this.targetBranch, from, to, ids });
    return { ok: true };
  }

  /** Fast-forwards the local target to origin's when origin is ahead (someone else landed there). */
  private async syncFromOrigin(): Promise<boolean> {
    const ref = `refs/gt-refinery/origin/${this.targetBranch}`;
    const f = await fetchRef(this.repoDir, this.origin!, this.targetBranch, ref);
    if (!f.ok) {
      if (f.reason === 'missing') return true; // first push will create it
      this.emitEvent({ type: 'problem', kind: 'origin', message: `fetch from ${this.origin} failed: ${f.message}` });
      return false;
    }
    const local = await resolveBranch(this.repoDir, this.targetBranch);
    if (local === f.sha) return true;
    if (!local || (await isAncestor(this.repoDir, local, f.sha))) {
      const u = local
        ? await updateRef(this.repoDir, `refs/heads/${this.targetBranch}`, f.sha, local, 'refinery: sync from origin')
        : await createRef(this.repoDir, `refs/heads/${this.targetBranch}`, f.sha, 'refinery: sync from origin');
      return u.ok;
    }
    if (await isAncestor(this.repoDir, f.sha, local)) return true; // we are ahead: the next push catches up
    this.emitEvent({ type: 'problem', kind: 'origin', message: `${this.targetBranch} has diverged from ${this.origin}/${this.targetBranch}; fix by hand` });
    return false;
  }

  /** A request's branch head; with an origin, a branch missing locally is fetched from it. */
  private async branchHead(branch: string): Promise<string | null> {
    const local = await resolveBranch(this.repoDir, branch);
    if (local || !this.origin) return local;
    const f = await fetchRef(this.repoDir, this.origin, branch, `refs/heads/${branch}`);
    return f.ok ? f.sha : null;
  }

  /**
   * Puts requests of this pass back in the queue: written for those the store holds in flight (and
   * for all when there is gate output to keep); the others still rest as the store says (queued,
   * or waiting with a branch that has moved since), and the next pass takes them from there.
   */
  private async requeue(list: MergeRequest[], held: ReadonlySet<string>, why: string, gateOutput?: string): Promise<void> {
    const entries = list.map((mr): PhaseEntry => ({ mr, phase: 'queued', patch: { batch: undefined, ...(gateOutput ? { gateOutput } : {}) }, detail: why }));
    const write = entries.filter((e) => gateOutput || held.has(e.mr.id));
    await this.recordPhases(write);
    for (const e of entries) if (!write.includes(e)) this.passPhase(e);
  }

  // ---------------------------------------------------------------- worktree and gate

  private async ensureWorktree(): Promise<void> {
    // Checked before by this process and its .git file still names that git dir: no git run needed
    // (every pass comes here; two git processes a pass were a good share of the town's spawns).
    if (this.worktreeGitDirReal && (await linkedGitDir(this.workDir)) === this.worktreeGitDirReal) return;
    const info = await worktreeInfo(this.workDir).catch(() => null);
    const repoCommon = await repositoryCommonDir(this.repoDir);
    if (!repoCommon) throw new TownError('not_found', `not a git repository: ${this.repoDir}`);
    if (info && info.commonDir === repoCommon) {
      if (this.worktreeGitDir !== info.gitDir) {
        this.worktreeGitDir = info.gitDir;
        this.marker = await realpath(this.workDir);
        // First use by this process: a previous refinery may have died mid-gate.
        await killOrphanGate(info.gitDir, this.marker);
      }
      this.worktreeGitDirReal = await realpath(info.gitDir);
      return;
    }
    if (await exists(this.workDir)) {
      if (info) throw new TownError('conflict', `${this.workDir} is a worktree of another repository`);
      if (!(await isEmptyDir(this.workDir))) throw new TownError('conflict', `${this.workDir} exists and is not a worktree of ${this.repoDir}; refusing to touch it`);
    }
    const target = await resolveBranch(this.repoDir, this.targetBranch);
    if (!target) throw new TownError('not_found', `target branch ${this.targetBranch} does not exist in ${this.repoDir}`);
    await mkdir(dirname(this.workDir), { recursive: true });
    const add = await addDetachedWorktree(this.repoDir, this.workDir, target);
    if (!add.ok) throw new TownError('internal', `cannot create the refinery worktree: ${add.message}`);
    const created = await worktreeInfo(this.workDir);
    if (!created) throw new TownError('internal', `worktree ${this.workDir} was created but git does not see it`);
    this.worktreeGitDir = created.gitDir;
    this.worktreeGitDirReal = await realpath(created.gitDir);
    this.marker = await realpath(this.workDir);
  }

  /**
   * Runs the gate at `tip`; when it is still running after recordTestingAfterMs, `record` writes its
   * requests `testing` meanwhile (at once when that is 0). Returns once both are done.
   */
  private async gateRecorded(tip: string, record: () => Promise<void>): Promise<GateResult> {
    if (this.recordTestingAfterMs === 0) {
      await record();
      return this.runGateAt(tip);
    }
    const pending: { write?: Promise<void> } = {};
    const timer = setTimeout(() => {
      pending.write = record();
      pending.write.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    }, this.recordTestingAfterMs);
    try {
      return await this.runGateAt(tip);
    } finally {
      clearTimeout(timer);
      if (pending.write) await pending.write;
    }
  }

  private async runGateAt(tip: string): Promise<GateResult> {
    const co = await checkoutClean(this.workDir, tip);
    if (!co.ok) {
      this.emitEvent({ type: 'problem', kind: 'worktree', message: co.message });
      return { outcome: 'unavailable', exitCode: null, output: `cannot check out ${tip} in ${this.workDir}: ${co.message}`, durationMs: 0 };
    }
    const gitDir = this.worktreeGitDir!;
    try {
      return await runGate(this.gate, {
        cwd: this.workDir,
        signal: this.stopping?.signal,
        env: { [GATE_MARKER_ENV]: this.marker, GT_GATE_COMMIT: tip },
        onStart: (pgid) => void recordGate(gitDir, pgid).catch(() => undefined),
      });
    } finally {
      await clearGate(gitDir);
    }
  }

  // ---------------------------------------------------------------- recording

  private async recordPhase(mr: MergeRequest, phase: MrPhase, patch: Partial<MergeRequestMeta>, detail: string): Promise<MergeRequest> {
    const updated = await this.store.record(mr.id, phase, { ...patch, updatedAt: new Date(this.now()).toISOString() }, `${phase}: ${detail}`);
    this.emitPhase(updated, phase, detail);
    return updated;
  }

  /** Several phases in one store write when the store can (recordMany: one commit, a batch of one
   *  too), else one by one; the same events as recordPhase, in order, once written. */
  private async recordPhases(list: PhaseEntry[]): Promise<MergeRequest[]> {
    const updated = await this.writePhases(list);
    updated.forEach((mr, i) => this.emitPhase(mr, list[i].phase, list[i].detail));
    return updated;
  }

  /** recordPhases without the events (they were emitted when the pass moved the requests). */
  private async writePhases(list: PhaseEntry[]): Promise<MergeRequest[]> {
    if (!list.length) return [];
    const updatedAt = new Date(this.now()).toISOString();
    const entries: PhaseRecord[] = list.map((x) => ({ id: x.mr.id, phase: x.phase, patch: { ...x.patch, updatedAt }, note: `${x.phase}: ${x.detail}`, bead: x.mr.meta.bead ?? '' }));
    if (this.store.recordMany) return this.store.recordMany(entries);
    const out: MergeRequest[] = [];
    for (const e of entries) out.push(await this.store.record(e.id, e.phase, e.patch, e.note));
    return out;
  }

  /** A phase this pass moves a request to without writing it (see the header): its event, and the
   *  request as the pass now sees it. */
  private passPhase(e: PhaseEntry): MergeRequest {
    const mr = { ...e.mr, meta: { ...e.mr.meta, ...e.patch, phase: e.phase, updatedAt: new Date(this.now()).toISOString() } };
    this.emitPhase(mr, e.phase, e.detail);
    return mr;
  }

  private emitPhase(mr: MergeRequest, phase: MrPhase, detail: string): void {
    this.emitEvent({ type: 'phase', id: mr.id, branch: mr.meta.branch, phase, detail, meta: mr.meta });
  }

  private emitEvent(e: RefineryEvent): void {
    this.emit('event', e);
  }
}

export function isTerminal(phase: MrPhase): boolean {
  return TERMINAL_PHASES.includes(phase);
}

function validateGate(gate: GateConfig): GateConfig {
  if (!gate || typeof gate.command !== 'string' || gate.command.trim() === '') throw new TownError('invalid', 'refinery: gate.command must be a non-empty string');
  if (!Number.isFinite(gate.timeoutMs) || gate.timeoutMs <= 0) throw new TownError('invalid', 'refinery: gate.timeoutMs must be a positive number');
  return { command: gate.command, timeoutMs: gate.timeoutMs };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

async function isEmptyDir(p: string): Promise<boolean> {
  return readdir(p).then((e) => e.length === 0, () => false);
}
