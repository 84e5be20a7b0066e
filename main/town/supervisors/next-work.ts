// Which waiting work goes to which rig next: queued slings first (in the order they were queued),
// then the ready beads of open convoys (convoys in the order given, beads in tracked order), as many
// as the free slots allow (freeSlots). Shared by the Witness's feed (every free slot of the town) and
// `gt done` (the finishing polecat's own slot: docs/work-loop.md), with `gt done`'s claims sharing
// their reads (ClaimReads) and a big convoy's finished prefix skipped (FinishedPrefix); and whether a
// convoy still has work to do (convoyUnfinished), which the Witness asks before landing it. Reads
// only, through `WorkReads` and `UnfinishedReads`: the caller hooks what is picked (a compare-and-set
// from open), so a pick that lost a race is refused there.
// Invariants: an open bead with an assignee is never picked (it is reserved for that agent, e.g. sent
// back by the merge queue); a bead in `skip` (a sling in flight) is never picked twice; a convoy bound
// to a rig with no free slot is not read at all.
import type { Bead } from '../../../preload/types.ts';
import type { RigInfo } from '../../../preload/requests/work-types.ts';
import { workNote } from '../polecats/work-beads.ts';

/** Tracked beads looked at per ready query (and per read of a convoy's unfinished beads). Dolt's
 *  planning of `id IN (…)` grows with the list (~55 µs of its CPU an id on top of ~1.3 ms: a ready
 *  query of 200 ids cost 12 ms, of 50 ids 4.3 ms), and a read stops at the first chunk that answers
 *  it, so chunks are small: 50 leaves room for 30 beads in flight and still a few ready ones. */
export const READY_CHUNK = 50;

export interface WorkPick {
  bead: string;
  rig: string;
  runtime?: string;
  convoy?: string;
  /** The bead as the read that picked it saw it (a hook built from it is built again in its write). */
  read?: Bead;
}

/** Slots free now: in the town, and per rig (a rig missing from the map has none). */
export interface FreeSlots {
  town: number;
  rigs: Map<string, number>;
}

/**
 * Slots free now, per rig and in the town (`townMax`): working polecats and slings still in flight
 * (not hooked yet, or hooked after the agents were read) count against each cap; `gt done`'s claims
 * (`claim`) do not: their polecat is working, counted already, and keeps its slot for the bead.
 */
export function freeSlots(rigs: Map<string, RigInfo>, townMax: number, working: Array<{ rig: string | null }>, inFlight: Array<{ rig: string; claim?: boolean }>): FreeSlots {
  const flying = inFlight.filter((f) => !f.claim);
  const perRig = new Map<string, number>();
  for (const rig of rigs.values()) {
    const used = working.filter((a) => a.rig === rig.name).length + flying.filter((f) => f.rig === rig.name).length;
    perRig.set(rig.name, rig.maxPolecats - used);
  }
  return { town: townMax - working.length - flying.length, rigs: perRig };
}

export interface WorkReads {
  /** Open beads labelled gt:queued (explicit slings that waited for room). */
  queued(): Promise<Bead[]>;
  /** The ready beads among these ids. */
  ready(ids: string[]): Promise<Bead[]>;
}

export interface OpenConvoy {
  convoy: Bead;
  tracked: string[];
  /** Tracked beads before this index were all finished when last read (FinishedPrefix): not read again. */
  from?: number;
}

export async function pickWork(reads: WorkReads, rigs: Map<string, RigInfo>, convoys: OpenConvoy[], slots: FreeSlots, skip: ReadonlySet<string>): Promise<WorkPick[]> {
  const free = { town: slots.town, rigs: new Map(slots.rigs) };
  const room = (rig: string) => free.town > 0 && (free.rigs.get(rig) ?? 0) > 0;
  const take = (rig: string): boolean => {
    if (!room(rig)) return false;
    free.town--;
    free.rigs.set(rig, free.rigs.get(rig)! - 1);
    return true;
  };
  const picks: WorkPick[] = [];
  if (free.town <= 0) return picks;
  const queued = (await reads.queued())
    .sort((a, b) => String(workNote(a).queuedAt ?? a.createdAt).localeCompare(String(workNote(b).queuedAt ?? b.createdAt)));
  for (const b of queued) {
    if (skip.has(b.id)) continue;
    const note = workNote(b);
    const rig = note.rig ? rigs.get(note.rig) : undefined;
    if (rig && take(rig.name)) picks.push({ bead: b.id, rig: rig.name, runtime: note.runtime ?? undefined, convoy: note.convoy, read: b });
  }
  const picked = new Set([...picks.map((p) => p.bead), ...skip]);
  for (const c of convoys) {
    const { convoy, tracked } = c;
    if (free.town <= 0) break;
    const meta = convoy.metadata as { rig?: string | null; runtime?: string | null };
    if (meta.rig && !room(meta.rig)) continue;
    for (let i = c.from ?? 0; i < tracked.length && free.town > 0; i += READY_CHUNK) {
      const chunk = tracked.slice(i, i + READY_CHUNK);
      const ready = new Map((await reads.ready(chunk)).filter((b) => !b.assignee).map((b) => [b.id, b]));
      for (const id of chunk) {
        if (!ready.has(id) || picked.has(id)) continue;
        const prefix = id.slice(0, id.indexOf('-'));
        const rig = meta.rig ? rigs.get(meta.rig) : [...rigs.values()].find((r) => r.prefix === prefix);
        if (!rig || !take(rig.name)) continue;
        picked.add(id);
        picks.push({ bead: id, rig: rig.name, runtime: meta.runtime ?? undefined, convoy: convoy.id, read: ready.get(id) });
      }
      if (meta.rig && !room(meta.rig)) break;
    }
  }
  return picks;
}

/** Statuses of a tracked bead still to be done (a convoy with one of them does not land). */
const UNFINISHED = new Set<string>(['open', 'hooked', 'in_progress', 'blocked', 'deferred', 'pinned']);

export interface UnfinishedReads {
  /** Whether a polecat holds any of these beads, from memory (HookedWork); absent: always read. */
  held?(ids: string[]): Promise<boolean>;
  /** The beads among these ids (ids with no bead left out). */
  beads(ids: string[]): Promise<Array<Pick<Bead, 'status'>>>;
}

/**
 * Whether any of a convoy's tracked beads is still to be done (a bead that no longer exists counts
 * as done). Read in chunks from the convoy's finished prefix (the leading chunks found all finished
 * before: FinishedPrefix), stopping at the first unfinished one: a big convoy in full swing is
 * answered by one chunk, instead of every bead of it being read on every patrol. None left past
 * the prefix: read again from the start before the answer lets the convoy close. A chunk with a
 * bead a polecat holds (`held`) is unfinished without a read: the answer and the prefix are what its
 * read would give, and a held bead closed meanwhile by someone else only delays the landing until
 * the feed delivers that close (its event wakes the patrol that reads the chunk).
 */
export async function convoyUnfinished(reads: UnfinishedReads, prefix: FinishedPrefix, convoy: string, ids: string[]): Promise<boolean> {
  const start = prefix.from(convoy, ids.length);
  for (let i = start; i < ids.length; i += READY_CHUNK) {
    const chunk = ids.slice(i, i + READY_CHUNK);
    if (await reads.held?.(chunk)) return true;
    if ((await reads.beads(chunk)).some((b) => UNFINISHED.has(b.status))) return true;
    prefix.finished(convoy, ids.length, i);
  }
  if (start === 0) return false;
  prefix.forget(convoy);
  return convoyUnfinished(reads, prefix, convoy, ids);
}

interface SharedRead {
  picks: Promise<WorkPick[]>;
  /** When the read finished (null: in flight). */
  settledAt: number | null;
  /** Its picks already handed to a claim. */
  given: Set<string>;
}

/** How long a convoy's finished prefix is trusted before it is read again from the start. */
export const PREFIX_TRUST_MS = 60_000;

/**
 * Per convoy, how many of its tracked beads, in whole READY_CHUNKs from the start, were all finished
 * when last read: a big convoy in full swing has most of its first chunks closed, and every read of
 * its ready work or of its unfinished beads would read them again. Reads start past them instead.
 * Trusted for PREFIX_TRUST_MS (a bead reopened there by hand is seen again within that time) and
 * while the convoy tracks as many beads as then; the Witness closes a convoy only after reading it
 * from the start.
 */
export class FinishedPrefix {
  private readonly prefixes = new Map<string, { upTo: number; tracked: number; since: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Where reads of this convoy's tracked beads start. */
  from(convoy: string, tracked: number): number {
    const p = this.prefixes.get(convoy);
    if (!p) return 0;
    if (p.tracked !== tracked || this.now() - p.since > PREFIX_TRUST_MS) {
      this.prefixes.delete(convoy);
      return 0;
    }
    return p.upTo;
  }

  /** The chunk starting at `start` was read all finished: the prefix grows if it ended there. */
  finished(convoy: string, tracked: number, start: number): void {
    const p = this.prefixes.get(convoy);
    const upTo = p && p.tracked === tracked ? p.upTo : 0;
    if (start !== upTo) return;
    this.prefixes.set(convoy, { upTo: Math.min(tracked, start + READY_CHUNK), tracked, since: p && p.tracked === tracked ? p.since : this.now() });
  }

  forget(convoy: string): void {
    this.prefixes.delete(convoy);
  }
}

/** Picks read at once for `gt done`'s claims of a rig: concurrent claims share one read. */
export const CLAIM_CANDIDATES = 8;
/** A finished read's remaining picks serve later claims for this long (then they may be stale). */
export const CLAIM_FRESH_MS = 500;

/**
 * `gt done`'s next-bead claims of each rig, sharing their reads: claims arriving while a read is in
 * flight (or within CLAIM_FRESH_MS after it) take its picks in order, each the first one no other
 * claim or sling holds (`held`), so polecats finishing together get different beads from one read
 * instead of each reading the queue and all but one finding their pick taken. Candidates exhausted,
 * a claim reads again once. A pick that went stale meanwhile (hooked by someone else) is refused by
 * the hook's compare-and-set, as any lost race is.
 */
export class ClaimReads {
  private readonly reads = new Map<string, SharedRead>();

  constructor(
    private readonly held: (bead: string) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** The next pick for `rig` that nobody holds, handed to `hold` at once (it marks the pick held, in
   *  the same step as it was chosen, so a claim resumed right after this one skips it), or null;
   *  `read` reads the rig's candidates (CLAIM_CANDIDATES of them) when no shared read serves. */
  async next<T>(rig: string, read: () => Promise<WorkPick[]>, hold: (pick: WorkPick) => T): Promise<T | null> {
    const shared = this.reads.get(rig);
    const fresh = shared !== undefined && (shared.settledAt === null || this.now() - shared.settledAt <= CLAIM_FRESH_MS);
    // A read's pick is handed out once: released later (hooked, or given up), it is not offered again.
    const choose = (from: SharedRead, picks: WorkPick[]): T | null => {
      const pick = picks.find((p) => !from.given.has(p.bead) && !this.held(p.bead));
      if (!pick) return null;
      from.given.add(pick.bead);
      return hold(pick);
    };
    const from = fresh ? shared : this.start(rig, read);
    const first = choose(from, await from.picks.catch(() => []));
    if (first !== null || !fresh) return first;
    const again = this.start(rig, read);
    return choose(again, await again.picks.catch(() => []));
  }

  private start(rig: string, read: () => Promise<WorkPick[]>): SharedRead {
    const entry: SharedRead = { picks: Promise.resolve([]), settledAt: null, given: new Set() };
    entry.picks = read().finally(() => { entry.settledAt = this.now(); });
    this.reads.set(rig, entry);
    return entry;
  }
}
