// One Refinery per rig, owned by the Town: created for every rig when the Town starts and when a
// rig is added, stopped when its rig is removed and when the Town stops. Each runs continuously
// over the rig's bare repository in the rig's refinery worktree, with its queue in the ledger under
// the rig's prefix. New merge requests (from `gt done`, `gt mq submit`, or anyone writing a
// merge-request bead) reach it through the BeadFeed, which pokes the rig's Refinery: `gt done`
// needs to know nothing about the Refinery.
import { statSync } from 'node:fs';
import type { EventName, TownEvents } from '../../../preload/contract.ts';
import { TownError } from '../../../preload/contract.ts';
import type { BeadFeedEvent } from '../../../preload/types.ts';
import type { RigInfo } from '../../../preload/requests/work-types.ts';
import type { MqEntry, MqRequest } from '../../../preload/requests/merge-queue-types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { beadToMergeRequest } from '../../refinery/ledger-store.ts';
import { Refinery } from '../../refinery/refinery.ts';
import type { MergeRequest } from '../../refinery/types.ts';
import type { PolecatService } from '../polecats/polecat-service.ts';
import { isGitUrl } from '../rigs/rig-git.ts';
import { FEED_WAKE_MS, type WorkContext } from '../supervisors/work-context.ts';
import { FollowUpDispatch } from './follow-up-dispatch.ts';
import { readRefinerySettings, type RefinerySettings } from './refinery-settings.ts';
import { TownMergeQueueStore, type ReworkHold } from './town-queue-store.ts';
import { Escalations } from '../supervision/escalations.ts';

/** A rig without a gate still goes through the queue (ordering, conflicts); `true` lands what merges. */
const NO_GATE = 'true';
const RECENT_PER_RIG = 20;

export interface RefineryPoolOptions {
  ledger: Ledger;
  work: WorkContext;
  polecats: PolecatService;
  townRoot: string;
  publish<E extends EventName>(name: E, payload: TownEvents[E]): void;
  log(line: string): void;
}

interface Entry {
  rig: RigInfo;
  refinery: Refinery;
}

/**
 * Where landed work is pushed. A rig made from a URL or a bare repository pushes to it; a rig made
 * from a local working repository does not (git refuses a push to its checked-out branch, and the
 * user's checkout is theirs): its target lives in the rig's bare repository.
 */
export function originFor(rig: RigInfo): string | undefined {
  if (isGitUrl(rig.source)) return 'origin';
  try {
    const s = statSync(rig.source);
    if (s.isDirectory() && statSync(`${rig.source}/HEAD`).isFile() && statSync(`${rig.source}/objects`).isDirectory()) return 'origin';
  } catch {
    // not a bare repository (or gone): no origin
  }
  return undefined;
}

export class RefineryPool {
  private readonly byRig = new Map<string, Entry>();
  private readonly settings: RefinerySettings;
  readonly followUps: FollowUpDispatch;
  /** The town's one escalation path (stateless: the ledger holds the escalations). */
  private readonly escalations: Escalations;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: RefineryPoolOptions) {
    this.settings = readRefinerySettings(o.townRoot);
    this.followUps = new FollowUpDispatch(o.work, o.polecats);
    this.escalations = new Escalations(o.work);
  }

  async start(): Promise<void> {
    await this.sync();
    void this.followUps.kick();
  }

  /** Brings the set of running Refineries in line with the rigs in the ledger (serialised). */
  sync(): Promise<void> {
    const next = this.syncing.then(() => this.doSync());
    this.syncing = next.catch((e: Error) => this.o.log(`refinery sync: ${e.message}`));
    return next;
  }

  private async doSync(): Promise<void> {
    if (this.stopped) return;
    const rigs = await this.o.work.rigs.list();
    const names = new Set(rigs.map((r) => r.name));
    for (const name of [...this.byRig.keys()]) if (!names.has(name)) await this.stopRig(name);
    for (const rig of rigs) {
      const have = this.byRig.get(rig.name);
      if (have) {
        if (have.rig.gate !== rig.gate) have.refinery.setGate({ command: rig.gate ?? NO_GATE, timeoutMs: this.settings.gateTimeoutMs });
        have.rig = rig;
        continue;
      }
      this.startRig(rig);
    }
  }

  private startRig(rig: RigInfo): void {
    const actor = `${rig.name}/refinery`;
    const held = (h: ReworkHold): void => this.escalations.raiseQuietly({
      severity: 'high', from: actor, source: 'refinery', details: { bead: h.bead, mergeRequest: h.mergeRequest, rig: h.rig },
      message: `${h.bead} failed the merge queue ${h.reworks} times and is held for a human (status blocked): ${h.title}\nLast: ${h.reason}\nFix it, then \`gt sling ${h.bead}\` again (or close it).`,
    });
    const ledger = this.o.work.openRequests?.reporting(this.o.ledger, (beads) => this.o.work.reserved?.written(beads)) ?? this.o.ledger;
    const store = new TownMergeQueueStore(ledger, { prefix: rig.prefix, actor, rig: rig.name, reworkCap: this.settings.reworkCap, held }, () => void this.followUps.kick(), () => this.o.work.wake(FEED_WAKE_MS));
    void store.reconcileReviews().catch((e: Error) => this.o.log(`refinery ${rig.name}: reconciling beads in review: ${e.message}`));
    const refinery = new Refinery({
      repoDir: rig.paths.bare,
      workDir: rig.paths.refinery,
      targetBranch: rig.branch,
      gate: { command: rig.gate ?? NO_GATE, timeoutMs: this.settings.gateTimeoutMs },
      batchSize: this.settings.batchSize,
      maxBatchSize: this.settings.maxBatchSize,
      pollMs: this.settings.pollMs,
      gatherMs: this.settings.gatherMs,
      recordTestingAfterMs: this.settings.recordTestingAfterMs,
      origin: originFor(rig),
      identity: { name: `Gas Town Refinery (${rig.name})`, email: `refinery@${rig.name}.gastown.local` },
    }, store);
    refinery.on('event', (e) => {
      this.o.publish('mergeQueue', { ...e, rig: rig.name });
      if (e.type === 'problem') this.o.log(`refinery ${rig.name}: ${e.kind}: ${e.message}`);
    });
    this.byRig.set(rig.name, { rig, refinery });
    refinery.run();
    this.o.log(`refinery ${rig.name}: running on ${rig.branch}${rig.gate ? ` (gate: ${rig.gate})` : ' (no gate)'}`);
  }

  /** Stops a rig's Refinery (a running gate is killed; its requests go back to the queue). */
  async stopRig(name: string): Promise<void> {
    const e = this.byRig.get(name);
    if (!e) return;
    this.byRig.delete(name);
    await e.refinery.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.syncing;
    await this.followUps.stop();
    await Promise.all([...this.byRig.keys()].map((n) => this.stopRig(n)));
  }

  /** New merge requests wake their Refinery; rig changes re-sync; finished work may free a polecat. */
  onFeed(event: BeadFeedEvent): void {
    let rigsChanged = false;
    const ownWrite = /\/refinery\b/.test(event.author);
    for (const ch of event.changes) {
      if (!('bead' in ch)) continue;
      if (ch.bead.type === 'rig') rigsChanged = true;
      // Not on the Refineries' own phase writes: a blocked queue would otherwise poke itself forever.
      else if (ch.bead.type === 'merge-request' && (ch.kind === 'created' || ch.kind === 'updated') && !ownWrite) {
        const prefix = ch.id.slice(0, ch.id.indexOf('-'));
        for (const e of this.byRig.values()) if (e.rig.prefix === prefix) e.refinery.poke();
      }
    }
    if (rigsChanged) void this.sync().catch(() => undefined);
    if (this.followUps.pending) void this.followUps.kick();
  }

  /** The Refinery of a rig (not_found when the rig does not exist). */
  async refinery(rigName: string): Promise<{ rig: RigInfo; refinery: Refinery }> {
    let e = this.byRig.get(rigName);
    if (!e) {
      await this.o.work.rigs.get(rigName); // not_found with the usual message
      await this.sync();
      e = this.byRig.get(rigName);
    }
    if (!e) throw new TownError('unavailable', `the refinery of rig ${rigName} is not running`);
    return e;
  }

  /** The Refinery whose queue holds this request (by its id's prefix). */
  private async owner(id: string): Promise<Entry> {
    const prefix = id.slice(0, id.indexOf('-'));
    let e = [...this.byRig.values()].find((x) => x.rig.prefix === prefix);
    if (!e) {
      await this.sync();
      e = [...this.byRig.values()].find((x) => x.rig.prefix === prefix);
    }
    if (!e) throw new TownError('not_found', `no merge request ${id}: no rig has the prefix ${prefix} (see \`gt rig list\`)`);
    return e;
  }

  async list(rigName: string | undefined, all: boolean): Promise<MqEntry[]> {
    const entries = rigName ? [await this.refinery(rigName)] : [...this.byRig.values()].sort((a, b) => a.rig.name.localeCompare(b.rig.name));
    const out: MqEntry[] = [];
    for (const { rig, refinery } of entries) {
      for (const q of await refinery.queue()) {
        const mr = await refinery.show(q.id).catch(() => null);
        out.push({ rig: rig.name, ...q, ...extras(mr) });
      }
      const closed = (await this.o.ledger.list({ type: 'merge-request', prefix: rig.prefix, status: 'closed' }))
        .map(beadToMergeRequest)
        .filter((m): m is MergeRequest => m !== null)
        .sort((a, b) => String(b.meta.updatedAt ?? b.createdAt).localeCompare(String(a.meta.updatedAt ?? a.createdAt)));
      for (const mr of all ? closed : closed.slice(0, RECENT_PER_RIG)) {
        out.push({
          rig: rig.name, position: null, id: mr.id, title: mr.title, branch: mr.meta.branch, phase: mr.meta.phase, priority: mr.priority,
          attempts: mr.meta.attempts, score: null, ready: false, ...extras(mr),
        });
      }
    }
    return out;
  }

  async show(id: string): Promise<MqRequest> {
    const e = await this.owner(id);
    return { rig: e.rig.name, ...(await e.refinery.show(id)) };
  }

  async retry(id: string): Promise<MqRequest> {
    const e = await this.owner(id);
    return { rig: e.rig.name, ...(await e.refinery.retry(id)) };
  }

  async reject(id: string, reason: string): Promise<MqRequest> {
    const e = await this.owner(id);
    return { rig: e.rig.name, ...(await e.refinery.reject(id, reason)) };
  }

  async submit(args: { branch: string; rig: string; bead?: string; title?: string; priority?: number }): Promise<MqRequest> {
    const { rig, refinery } = await this.refinery(args.rig);
    const bead = args.bead ? await this.o.ledger.show(args.bead) : null; // not_found for an unknown bead
    const mr = await refinery.submit(args.branch, {
      ...(bead ? { bead: bead.id } : {}),
      title: args.title ?? (bead ? `Merge ${args.branch}: ${bead.title}` : undefined),
      priority: args.priority ?? bead?.priority ?? 2,
    });
    return { rig: rig.name, ...mr };
  }
}

function extras(mr: MergeRequest | null): Pick<MqEntry, 'bead' | 'polecat' | 'mergedAs' | 'reason' | 'updatedAt'> {
  if (!mr) return {};
  const m = mr.meta;
  return {
    ...(m.bead ? { bead: m.bead } : {}), ...(m.polecat ? { polecat: m.polecat } : {}), ...(m.mergedAs ? { mergedAs: m.mergedAs } : {}),
    ...(m.reason ? { reason: m.reason } : {}), ...(m.updatedAt ? { updatedAt: m.updatedAt } : {}),
  };
}
