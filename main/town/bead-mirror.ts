// A small set of beads the town reads all the time and almost only it writes (its agents, its rigs),
// held in memory so a read asks Dolt nothing. Filled by one ledger read, then kept true by:
//   - written(): the town's own writes, with the beads the ledger returned (read inside the write's
//     transaction, so they are the committed state): a reader after an acknowledged write sees it;
//   - onFeed(): every Dolt commit, whoever made it (the `bd` CLI, another connection), as the town's
//     BeadFeed diffs it. A change that differs from what is held drops the whole set, so the next read
//     asks Dolt again: the feed never writes an older state over a newer one.
// Invariants:
//   - A read returns either the set as a load saw it, with later own writes applied, or a fresh load:
//     a load that began before a drop or a write never becomes the held set (generation check).
//   - A failed write changes nothing here (written() is only called with a write's result).
//   - Readers get copies: mutating an answer cannot change what is held.
//   - External writes are seen once the feed delivers their Dolt commit (≤ its poll interval).
//   - A bead the town wrote out of the set (closed, when the set is of open beads) leaves it, and
//     the feed's later report of one of its earlier states is not a difference: a change whose bead
//     is strictly older (updatedAt) than the one held, or than the one that left, was read by the
//     town's later write (inside its transaction) and is in what is held. The feed lags the town's own
//     writes, so without this a bead written twice in quick succession (a merge request made, then
//     merged) would drop the set every time. The last LEFT_KEPT departures are remembered.
import { BEAD_STATUSES, type Bead, type BeadChange, type BeadFeedEvent } from '../../preload/types.ts';

/** Every status but closed: what a mirror of open beads loads (`list({ statuses })`). */
export const NOT_CLOSED = BEAD_STATUSES.filter((s) => s !== 'closed');

/** How many beads that left the set (their last updatedAt) are remembered for the feed. */
const LEFT_KEPT = 1000;

export class BeadMirror {
  private held: Map<string, Bead> | null = null;
  /** Bumped by every drop and own write: a load begun under an older generation is not kept. */
  private generation = 0;
  private loading: { generation: number; beads: Promise<Map<string, Bead>> } | null = null;
  /** Beads the town wrote out of the set: id → their updatedAt then (oldest first, at most LEFT_KEPT). */
  private readonly left = new Map<string, string>();

  /** `load` reads every bead of the set; `belongs` says whether a bead is of its kind; `joins`, for a
   *  set defined by a label, whether a bead not held may belong now that its labels are these (a
   *  change of labels carries no status: the set is dropped and loaded again). */
  constructor(
    private readonly load: () => Promise<Bead[]>,
    private readonly belongs: (bead: Bead) => boolean,
    private readonly joins: (labels: readonly string[]) => boolean = () => false,
  ) {}

  /** The beads of the set that pass `keep`, as copies (a bead the town closed stays held, closed: callers filter by status). */
  async beads(keep: (bead: Bead) => boolean = () => true): Promise<Bead[]> {
    const held = this.held ?? (await this.fill());
    return [...held.values()].filter(keep).map((b) => structuredClone(b));
  }

  /** A value derived from each held bead that passes `keep`, without copying the beads: `derive` may
   *  cache its value per bead object (a held bead is replaced, never changed in place, so an object
   *  is one version of its bead) and must share nothing a caller could change (freeze what it shares). */
  async derive<T>(keep: (bead: Readonly<Bead>) => boolean, derive: (bead: Readonly<Bead>) => T): Promise<T[]> {
    const held = this.held ?? (await this.fill());
    const out: T[] = [];
    for (const bead of held.values()) if (keep(bead)) out.push(derive(bead));
    return out;
  }

  /** One value derived from one held bead (loading the set if needed), without copying the bead:
   *  `pick` must return a value that shares nothing with it (a string, a number). */
  async pick<T extends string | number | boolean | null>(id: string, pick: (bead: Readonly<Bead>) => T): Promise<T | undefined> {
    const held = this.held ?? (await this.fill());
    const bead = held.get(id);
    return bead ? pick(bead) : undefined;
  }

  /** Whether any of these ids is a held bead that passes `test` (loading the set if needed), without copying. */
  async some(ids: Iterable<string>, test: (bead: Readonly<Bead>) => boolean): Promise<boolean> {
    const held = this.held ?? (await this.fill());
    for (const id of ids) {
      const bead = held.get(id);
      if (bead && test(bead)) return true;
    }
    return false;
  }

  /** The town wrote these beads (the ledger's answer to its write): the held set takes them. */
  written(beads: Bead[]): void {
    const ours = beads.filter((b) => this.belongs(b) || this.held?.has(b.id));
    if (!ours.length) return;
    this.generation++;
    for (const b of ours) {
      if (this.belongs(b)) {
        this.held?.set(b.id, structuredClone(b));
        this.left.delete(b.id);
      } else {
        this.held?.delete(b.id);
        this.left.delete(b.id);
        this.left.set(b.id, b.updatedAt);
        if (this.left.size > LEFT_KEPT) this.left.delete(this.left.keys().next().value!);
      }
    }
  }

  /** A commit the feed delivered: drops the held set if the commit changed one of its beads otherwise. */
  onFeed(event: BeadFeedEvent): void {
    if (event.changes.some((c) => this.differs(c))) this.drop();
  }

  /** Forgets the held set; the next read loads it again. */
  drop(): void {
    this.generation++;
    this.held = null;
  }

  private differs(c: BeadChange): boolean {
    const mine = this.held?.get(c.id);
    switch (c.kind) {
      case 'created':
      case 'updated':
      case 'closed': {
        const newest = mine?.updatedAt ?? this.left.get(c.id);
        if (newest !== undefined && c.bead.updatedAt < newest) return false; // an earlier state the town has written over
        return mine ? !sameBead(mine, c.bead) : this.belongs(c.bead);
      }
      case 'labels-changed':
        return mine ? mine.labels.join('\n') !== [...c.labels].sort().join('\n') : this.joins(c.labels);
      case 'deleted':
        return !!mine;
      // Dependencies and comments matter only where the held bead carries them (a show, not a list).
      case 'dependency-added':
        return !!mine?.dependencies && !mine.dependencies.some((d) => d.dependsOnId === c.dependsOnId && d.type === c.type);
      case 'dependency-removed':
        return !!mine?.dependencies?.some((d) => d.dependsOnId === c.dependsOnId && d.type === c.type);
      case 'comment-added':
        return !!mine?.comments && !mine.comments.some((x) => x.id === c.comment.id);
    }
  }

  private fill(): Promise<Map<string, Bead>> {
    if (this.loading?.generation === this.generation) return this.loading.beads;
    const generation = this.generation;
    const beads = this.load().then((list) => {
      const held = new Map(list.map((b) => [b.id, b]));
      if (this.generation === generation) this.held = held;
      return held;
    });
    const entry = { generation, beads };
    this.loading = entry;
    const clear = () => { if (this.loading === entry) this.loading = null; };
    beads.then(clear, clear);
    return beads;
  }
}

/** The fields a list read carries, compared (dependencies and comments are not held). */
export function sameBead(a: Bead, b: Bead): boolean {
  return a.status === b.status && a.updatedAt === b.updatedAt && a.assignee === b.assignee && a.title === b.title
    && a.type === b.type && a.closedAt === b.closedAt && a.labels.join('\n') === [...b.labels].sort().join('\n')
    && canonical(a.metadata) === canonical(b.metadata) && a.description === b.description && a.priority === b.priority;
}

/** JSON with object keys sorted: Dolt stores JSON with its keys reordered, a create answers them as given. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x);
}
