// Convoys: a bead of type `convoy` that tracks work beads (`tracks` dependencies). The supervisor
// feeds their ready beads to free polecats in dependency order and closes a convoy when every
// tracked bead is closed (event `convoyClosed`). A staged convoy (preload/staged-convoys.ts) is
// stored but neither fed nor landed until it is launched. The open convoys (with their tracked edges)
// are held in memory for the Witness's patrols (bead-mirror.ts): every convoy write of this service
// drops them, as does a feed commit that changed one (any writer's); the next read loads them again.
import { TownError } from '../../../preload/contract.ts';
import type { ArgsOut } from '../../../preload/contract.ts';
import type { Bead, BeadFeedEvent } from '../../../preload/types.ts';
import type { ConvoyStatus } from '../../../preload/requests/work-types.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import { isWorkType, refuseSequentialSteps } from '../polecats/work-beads.ts';
import { fillTemplate, parseCsv } from '../../../preload/csv.ts';
import { isStagedConvoy, STAGED_STATUS, type StagedNote } from '../../../preload/staged-convoys.ts';
import { BeadMirror, NOT_CLOSED } from '../bead-mirror.ts';

export const CONVOY_LABEL = 'gt:convoy';

interface ConvoyMeta {
  rig?: string | null;
  runtime?: string | null;
  /** The tracked beads in the order they were given (CSV row order): the order they are fed in. */
  order?: string[];
  /** Set while the convoy is staged (status deferred): see preload/staged-convoys.ts. */
  staged?: StagedNote;
}

/** Tracked bead ids of a convoy bead, in the convoy's own order (the ids its `order` does not name
 *  last, by id). A rank per id, looked up in a Map: with `order.indexOf` in the comparison a
 *  3,000-bead convoy cost tens of ms a call, a third of the town's node CPU at 30 agents
 *  (docs/performance.md, "Tenth pass"). */
export function trackedOf(convoy: Bead): string[] {
  const ids = (convoy.dependencies ?? []).filter((d) => d.type === 'tracks').map((d) => d.dependsOnId);
  const order = (convoy.metadata as ConvoyMeta).order ?? [];
  const ranks = new Map<string, number>();
  order.forEach((id, i) => { if (!ranks.has(id)) ranks.set(id, i); });
  const rank = (id: string) => ranks.get(id) ?? order.length;
  return ids.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** An open convoy as the Witness reads it. Shared by every caller (ConvoyService.openConvoys): frozen. */
export interface OpenConvoyView {
  convoy: Bead;
  tracked: string[];
}

/** Freezes an object and everything in it (a bead is plain data: objects, arrays, strings, numbers). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class ConvoyService {
  /** Open convoys (staged ones included) with their dependencies: a list, then a show of each. */
  private readonly open: BeadMirror;
  /** Per held convoy bead (one object per version of it: bead-mirror.ts), its view, made once: a
   *  patrol and every `gt done`'s claim read the open convoys, and a convoy of 18,000 beads took
   *  ~10 ms to copy and sort each time (docs/performance.md, twentieth pass). */
  private readonly views = new WeakMap<Readonly<Bead>, OpenConvoyView>();

  constructor(private readonly c: WorkContext) {
    this.open = new BeadMirror(async () => {
      const beads = await c.ledger.list({ type: 'convoy', label: CONVOY_LABEL, statuses: NOT_CLOSED });
      const out: Bead[] = [];
      for (const b of beads) out.push(isStagedConvoy(b) ? b : await c.ledger.show(b.id));
      return out;
    }, (b) => b.type === 'convoy' && b.status !== 'closed');
  }

  /** A commit the feed delivered (any writer's). */
  onFeed(event: BeadFeedEvent): void {
    this.open.onFeed(event);
  }

  /** A convoy was written (by this service or the Witness's landing), or its write failed: the open
   *  convoys are read again next time. */
  changed(): void {
    this.open.drop();
  }

  /** Runs a convoy write; the open convoys held are dropped once it settled, before anyone is woken. */
  private writing<T>(write: Promise<T>): Promise<T> {
    return write.finally(() => this.open.drop());
  }

  /** A convoy of these beads; `staged`: stored staged (nothing fed until `launchStaged`). */
  async create(args: { name: string; beads: string[]; rig?: string; runtime?: string; staged?: boolean }, actor: string): Promise<ConvoyStatus> {
    if (args.rig) await this.c.rigs.get(args.rig);
    const ids = [...new Set(args.beads)];
    await this.mustBeWork(ids);
    const convoy = await this.writing(this.c.ledger.create({
      title: args.name, type: 'convoy', prefix: this.c.townPrefix, labels: [CONVOY_LABEL],
      ...(args.staged ? { status: STAGED_STATUS } : {}),
      metadata: {
        rig: args.rig ?? null, runtime: args.runtime ?? null, order: ids,
        ...(args.staged ? { staged: { at: new Date().toISOString(), by: actor } } : {}),
      } satisfies ConvoyMeta,
      // A bead is created with at most 100 dependencies; a bigger convoy gets the rest in one more
      // write (one transaction, one commit): one write per bead made a 1,200-bead convoy take minutes.
      dependencies: ids.slice(0, 100).map((dependsOnId) => ({ dependsOnId, type: 'tracks' as const })),
    }, actor));
    if (ids.length > 100) await this.writing(this.c.ledger.addDependencies(convoy.id, ids.slice(100), 'tracks', actor));
    this.c.wake();
    return this.status(convoy.id);
  }

  /** One bead per CSV row, then the convoy: the file is checked whole before anything is written. */
  async createFromCsv(args: ArgsOut<'convoyCreateCsv'>, actor: string): Promise<ConvoyStatus> {
    const rig = args.rig ? await this.c.rigs.get(args.rig) : null;
    const { rows } = parseCsv(args.csv);
    const inputs = rows.map((row) => {
      const title = fillTemplate(args.titleTemplate, row, 'title').trim();
      if (!title) throw new TownError('invalid', `CSV line ${row.line}: the title comes out empty`);
      if (title.length > 500) throw new TownError('invalid', `CSV line ${row.line}: the title is longer than 500 characters`);
      return { title, description: fillTemplate(args.descriptionTemplate, row, 'description'), type: 'task' as const, prefix: rig?.prefix };
    });
    const beads = await this.c.ledger.createMany(inputs, actor);
    return this.create({ name: args.name, beads: beads.map((b) => b.id), rig: args.rig, runtime: args.runtime }, actor);
  }

  async add(id: string, beads: string[], actor: string): Promise<ConvoyStatus> {
    const convoy = await this.mustConvoy(id);
    await this.mustBeWork(beads);
    await this.writing(this.c.ledger.addDependencies(id, beads, 'tracks', actor));
    const meta = convoy.metadata as ConvoyMeta;
    const order = [...(meta.order ?? []), ...beads.filter((b) => !(meta.order ?? []).includes(b))];
    await this.writing(this.c.ledger.update(id, { metadata: { ...meta, order } }, actor));
    // Adding work to a landed convoy reopens it, as in Gas Town.
    if (convoy.status === 'closed') await this.writing(this.c.ledger.reopen(id, actor));
    this.c.wake();
    return this.status(id);
  }

  /**
   * Starts a staged convoy: status open, `staged` dropped, its beads in the given (wave) order, and
   * any new name, rig or runtime, in one write; refused unless it is still staged (compare-and-set).
   */
  async launchStaged(id: string, order: string[], opts: { name?: string; rig?: string; runtime?: string }, actor: string): Promise<ConvoyStatus> {
    const convoy = await this.mustConvoy(id);
    if (!isStagedConvoy(convoy)) throw new TownError('conflict', `${id} is not a staged convoy (it is ${convoy.status}): gt convoy launch ID starts a convoy made by gt convoy stage`);
    if (opts.rig) await this.c.rigs.get(opts.rig);
    const { staged: _staged, ...meta } = convoy.metadata as ConvoyMeta;
    void _staged;
    await this.writing(this.c.ledger.update(id, {
      status: 'open', expectStatus: [STAGED_STATUS], ...(opts.name ? { title: opts.name } : {}),
      metadata: { ...meta, order, ...(opts.rig ? { rig: opts.rig } : {}), ...(opts.runtime ? { runtime: opts.runtime } : {}) },
    }, actor));
    this.c.wake();
    return this.status(id);
  }

  /** Staged convoys (oldest first) with their tracked bead ids. */
  async stagedConvoys(): Promise<Array<{ convoy: Bead; tracked: string[] }>> {
    const beads = (await this.c.ledger.list({ type: 'convoy', label: CONVOY_LABEL, status: STAGED_STATUS })).filter(isStagedConvoy);
    return Promise.all(beads.map(async (b) => {
      const full = await this.c.ledger.show(b.id);
      return { convoy: full, tracked: trackedOf(full) };
    }));
  }

  async close(id: string, reason: string, actor: string): Promise<ConvoyStatus> {
    const convoy = await this.mustConvoy(id);
    if (convoy.status !== 'closed') await this.writing(this.c.ledger.closeBead(id, reason, actor));
    return this.status(id);
  }

  async list(all: boolean): Promise<ConvoyStatus[]> {
    const beads = await this.c.ledger.list({ type: 'convoy' });
    const chosen = beads.filter((b) => all || b.status !== 'closed');
    return Promise.all(chosen.map((b) => this.status(b.id)));
  }

  async status(id: string): Promise<ConvoyStatus> {
    const convoy = await this.mustConvoy(id);
    const trackedIds = trackedOf(convoy);
    const blocked = new Set((await this.c.ledger.blocked({ limit: 100_000 })).map((b) => b.id));
    const tracked: ConvoyStatus['tracked'] = (await this.c.ledger.getMany(trackedIds))
      .map((b) => ({ id: b.id, title: b.title, status: b.status, assignee: b.assignee, blocked: blocked.has(b.id) }));
    const m = convoy.metadata as ConvoyMeta;
    return {
      id: convoy.id, title: convoy.title, status: convoy.status, staged: isStagedConvoy(convoy), rig: m.rig ?? null, runtime: m.runtime ?? null,
      createdAt: convoy.createdAt, closedAt: convoy.closedAt, tracked,
      progress: { closed: tracked.filter((t) => t.status === 'closed').length, total: tracked.length },
    };
  }

  /** Open convoys, oldest first, with their tracked bead ids (for the feeder); staged ones are not. */
  async openConvoys(): Promise<OpenConvoyView[]> {
    const views = await this.open.derive((b) => b.status !== 'closed' && !isStagedConvoy(b as Bead), (held) => this.viewOf(held));
    return views.sort((a, b) => a.convoy.createdAt.localeCompare(b.convoy.createdAt) || a.convoy.id.localeCompare(b.convoy.id));
  }

  private viewOf(held: Readonly<Bead>): OpenConvoyView {
    let view = this.views.get(held);
    if (!view) {
      const convoy = structuredClone(held) as Bead;
      view = deepFreeze({ convoy, tracked: trackedOf(convoy) });
      this.views.set(held, view);
    }
    return view;
  }

  /** When a convoy was made (it never changes): from the open convoys held, else one light read. */
  async createdAt(id: string): Promise<string | undefined> {
    const held = await this.open.pick(id, (b) => b.createdAt);
    return held ?? (await this.c.ledger.getMany([id]))[0]?.createdAt;
  }

  /** Every id is an existing work bead (read in a few queries, not one per bead). */
  private async mustBeWork(ids: string[]): Promise<void> {
    const found = new Map((await this.c.ledger.getMany(ids)).map((b) => [b.id, b]));
    for (const id of ids) {
      const b = found.get(id);
      if (!b) throw new TownError('not_found', `no bead ${id}`);
      if (!isWorkType(b)) throw new TownError('invalid', `${id} is a ${b.type}; a convoy tracks work beads`);
    }
    await refuseSequentialSteps(this.c.ledger, [...found.values()]);
  }

  private async mustConvoy(id: string): Promise<Bead> {
    const b = await this.c.ledger.show(id);
    if (b.type !== 'convoy') throw new TownError('invalid', `${id} is a ${b.type}, not a convoy`);
    return b;
  }
}
