// The Board's and the bead detail's part of the store: moves (compare-and-set, applied
// optimistically), slings, the create dialog, file imports, field edits, and the detail's data
// (the bead with comments and dependencies, its Dolt history, its cost, the bead as of a commit).
//
// Invariants:
// - A move or a sling shows at once through `board.pending` (an optimistic copy of the bead, kept
//   with the `updatedAt` it was made from). It stops showing as soon as the store's bead changes
//   (the feed brought the truth) or the server refused (then `lastError` says why): the card goes
//   back to where the town has it, and nothing is overwritten.
// - A move carries the status the card had when the drag began (`expectStatus`), checked by the
//   ledger inside its write transaction.
// - Imports write nothing unless the preview was confirmed; a refused import writes nothing.
import type { StoreApi } from 'zustand/vanilla';
import type { TownClient } from '../../preload/contract.ts';
import type { Bead, BeadHistoryEntry, BeadType, DependencyType } from '../../preload/types.ts';
import type { ScopeCost } from '../../preload/requests/cost-types.ts';
import type { BeadDomain } from './bead-changes.ts';
import { moveTo, openBlockers, optimistic, type Column } from '../board/board-columns.ts';
import type { SlingDecision } from '../board/board-drops.ts';
import type { ImportPreview } from '../board/file-import.ts';

export interface PendingBead {
  bead: Bead;
  /** The store's `updatedAt` of the bead when the change was made: a newer one is the truth. */
  base: string;
}

export interface BeadDetailData {
  id: string;
  /** The bead with its comments and dependencies (beadShow). */
  bead: Bead | null;
  history: BeadHistoryEntry[] | null;
  cost: ScopeCost | null;
  /** "Show as of this commit": the bead then. */
  asOf: { commit: string; bead: Bead } | null;
  error: string | null;
}

export interface BoardSlice {
  board: { pending: Record<string, PendingBead>; notice: string | null; createOpen: boolean };
  beadDetail: BeadDetailData | null;
}

export const emptyBoardSlice = (): BoardSlice => ({ board: { pending: {}, notice: null, createOpen: false }, beadDetail: null });

/** The bead as the board shows it: the optimistic copy while nothing newer arrived. */
export function shownBead(beads: Record<string, Bead>, pending: Record<string, PendingBead>, id: string): Bead | undefined {
  const p = pending[id];
  const b = beads[id];
  if (p && b && b.updatedAt === p.base) return p.bead;
  return b;
}

/** Every bead as the board shows it (same object when nothing is pending). */
export function shownBeads(beads: Record<string, Bead>, pending: Record<string, PendingBead>): Record<string, Bead> {
  const ids = Object.keys(pending);
  if (!ids.length) return beads;
  const out = { ...beads };
  for (const id of ids) {
    const b = shownBead(beads, pending, id);
    if (b) out[id] = b;
  }
  return out;
}

export interface NewBead {
  title: string;
  description?: string;
  type?: BeadType;
  priority?: number;
  labels?: string[];
  dependsOn?: string[];
  prefix?: string;
}

type State = BoardSlice & { beads: BeadDomain; lastError: string | null };

export function boardActions(client: TownClient, store: StoreApi<State>) {
  const get = store.getState;
  const set = store.setState;
  const fail = (what: string, err: unknown): void => set({ lastError: `${what}: ${(err as Error).message}` });
  const setPending = (id: string, bead: Bead | null, base?: string): void => {
    const pending = { ...get().board.pending };
    if (bead) pending[id] = { bead, base: base ?? get().beads.beads[id]?.updatedAt ?? '' };
    else delete pending[id];
    set({ board: { ...get().board, pending } });
  };
  /** A reply's bead, unless the feed already brought a newer one. */
  const keep = (bead: Bead): void => {
    const now = get().beads;
    const held = now.beads[bead.id];
    if (held && held.updatedAt > bead.updatedAt) return;
    set({ beads: { ...now, beads: { ...now.beads, [bead.id]: stripped(bead) } } });
  };
  const refreshDetail = (id: string): void => {
    if (get().beadDetail?.id === id) void loadDetail(id);
  };
  const loadDetail = async (id: string): Promise<void> => {
    if (get().beadDetail?.id !== id) set({ beadDetail: { id, bead: null, history: null, cost: null, asOf: null, error: null } });
    const [bead, history, cost] = await Promise.allSettled([client.beadShow({ id }), client.beadHistory({ id }), client.costOf({ scope: 'bead', id })]);
    const current = get().beadDetail;
    if (current?.id !== id) return;
    const error = [bead, history].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    set({
      beadDetail: {
        ...current,
        bead: bead.status === 'fulfilled' ? bead.value : current.bead,
        history: history.status === 'fulfilled' ? history.value : current.history,
        cost: cost.status === 'fulfilled' ? cost.value : current.cost,
        error: error ? (error.reason as Error).message : null,
      },
    });
  };
  const edit = async (id: string, what: string, p: Promise<unknown>): Promise<boolean> => {
    try {
      const r = await p;
      if (r && typeof r === 'object' && 'updatedAt' in r && 'id' in r) keep(r as Bead);
      refreshDetail(id);
      return true;
    } catch (err) {
      fail(what, err);
      return false;
    }
  };

  const writeImport = async (p: ImportPreview, where: { prefix?: string; rig?: string }): Promise<string | null> => {
    try {
      if (p.kind === 'csv') {
        const convoy = await client.convoyCreateCsv({ name: p.name, csv: p.csv, titleTemplate: p.titleTemplate, descriptionTemplate: p.descriptionTemplate, ...(where.rig ? { rig: where.rig } : {}) });
        return `Convoy ${convoy.id} "${convoy.title}" with ${convoy.tracked.length} beads`;
      }
      if (p.kind === 'jsonl') {
        const r = await client.ledgerImport({ jsonl: p.jsonl });
        return `Imported ${p.file}: ${r.created} created, ${r.updated} updated, ${r.skipped} skipped`;
      }
      // One request, one commit: every bead of the file is created, or none.
      const made = await client.beadCreateMany({
        beads: p.beads.map((d) => ({ title: d.title, ...(d.description ? { description: d.description } : {}), ...(where.prefix ? { prefix: where.prefix } : {}) })),
      });
      return `Created ${made.length} beads from ${p.file}`;
    } catch (err) {
      fail(`Import of ${p.file}`, err);
      return null;
    }
  };

  return {
    /**
     * Drops a bead on a column. `seen` is the bead as the card showed it when the drag began: its
     * status is the compare-and-set's expectation.
     */
    async moveBead(seen: Bead, to: Column): Promise<'moved' | 'refused' | 'none'> {
      const s = get();
      const blockers = openBlockers(s.beads.beads, s.beads.dependencies).get(seen.id) ?? [];
      const move = moveTo(seen, to, blockers);
      if (move.kind === 'none') return 'none';
      if (move.kind === 'refuse') { set({ lastError: `Move refused: ${move.reason}` }); return 'refused'; }
      setPending(seen.id, optimistic(seen, move));
      try {
        if (move.kind === 'unsling') await client.unsling({ bead: seen.id });
        else keep(await client.beadUpdate({ id: seen.id, status: move.status, expectStatus: move.expectStatus }));
        setPending(seen.id, null);
        return 'moved';
      } catch (err) {
        setPending(seen.id, null);
        const message = (err as Error).message;
        set({ lastError: `Move of ${seen.id} refused: ${message}. Somebody changed it first; the card is back where the town has it.` });
        return 'refused';
      }
    },

    /** Slings what slingDecision allowed (after its confirmation, if it asked one). */
    async sling(decision: Extract<SlingDecision, { kind: 'sling' }>): Promise<boolean> {
      const beads = get().beads.beads;
      for (const id of decision.beads) {
        const b = beads[id];
        if (b) setPending(id, { ...b, status: 'hooked', assignee: decision.target && decision.target.includes('/') ? decision.target : `${decision.target ?? 'any free polecat'} (starting…)` });
      }
      try {
        const results = decision.convoy
          ? (await client.slingMany({ args: decision.target ? [...decision.beads, decision.target] : decision.beads })).results
          : [await client.sling({ bead: decision.beads[0], ...(decision.target ? { target: decision.target } : {}) })];
        for (const r of results) {
          const b = get().beads.beads[r.bead];
          const base = get().board.pending[r.bead]?.base;
          if (b && r.outcome === 'hooked' && r.agent) setPending(r.bead, { ...b, status: 'hooked', assignee: r.agent }, base);
          else setPending(r.bead, null);
        }
        const queued = results.filter((r) => r.outcome === 'queued');
        set({ board: { ...get().board, notice: queued.length ? `Queued: ${queued.map((r) => `${r.bead} (${r.reason ?? 'at capacity'})`).join(', ')}` : null } });
        // The feed normally brings the truth first; never keep an optimistic card longer than this.
        setTimeout(() => { for (const id of decision.beads) if (get().board.pending[id]) setPending(id, null); }, 15_000);
        return true;
      } catch (err) {
        for (const id of decision.beads) setPending(id, null);
        fail(`Sling refused`, err);
        return false;
      }
    },

    async createBeadFull(b: NewBead): Promise<Bead | undefined> {
      try {
        const bead = await client.beadCreate({
          title: b.title,
          ...(b.description ? { description: b.description } : {}),
          ...(b.type ? { type: b.type } : {}),
          ...(b.priority !== undefined ? { priority: b.priority } : {}),
          ...(b.labels?.length ? { labels: b.labels } : {}),
          ...(b.prefix ? { prefix: b.prefix } : {}),
          ...(b.dependsOn?.length ? { dependencies: b.dependsOn.map((dependsOnId) => ({ dependsOnId, type: 'blocks' as const })) } : {}),
        });
        keep(bead);
        return bead;
      } catch (err) {
        fail('Create bead', err);
        return undefined;
      }
    },

    /** Writes a confirmed import preview; `prefix`/`rig` say where new beads go. */
    async importPreview(p: ImportPreview, where: { prefix?: string; rig?: string }): Promise<string | null> {
      const done = await writeImport(p, where);
      if (done) set({ board: { ...get().board, notice: done } });
      return done;
    },
    /** A refusal (a drop, a file) that wrote nothing: shown as the error message. */
    showRefusal(message: string): void {
      set({ lastError: message });
    },

    loadBeadDetail: loadDetail,
    async showAsOf(id: string, commit: string | null): Promise<void> {
      const d = get().beadDetail;
      if (!d || d.id !== id) return;
      if (!commit) { set({ beadDetail: { ...d, asOf: null } }); return; }
      try {
        const bead = await client.beadShow({ id, asOf: commit });
        const now = get().beadDetail;
        if (now?.id === id) set({ beadDetail: { ...now, asOf: { commit, bead } } });
      } catch (err) {
        fail(`Show ${id} as of ${commit.slice(0, 8)}`, err);
      }
    },
    updateBead: (id: string, patch: { title?: string; description?: string; type?: BeadType; priority?: number; assignee?: string | null }) =>
      edit(id, `Update ${id}`, client.beadUpdate({ id, ...patch })),
    /** A status change from the detail: a compare-and-set on the status shown. */
    setBeadStatus: (seen: Bead, status: Bead['status']) =>
      edit(seen.id, `Status of ${seen.id}`, client.beadUpdate({ id: seen.id, status, expectStatus: [seen.status] })),
    addLabel: (id: string, label: string) => edit(id, `Label ${id}`, client.beadLabelAdd({ id, label })),
    removeLabel: (id: string, label: string) => edit(id, `Label ${id}`, client.beadLabelRemove({ id, label })),
    addDependency: (id: string, dependsOn: string, type: DependencyType) => edit(id, `Dependency of ${id}`, client.beadDepAdd({ id, dependsOn, type })),
    removeDependency: (id: string, dependsOn: string) => edit(id, `Dependency of ${id}`, client.beadDepRemove({ id, dependsOn })),
    comment: (id: string, text: string) => edit(id, `Comment on ${id}`, client.beadComment({ id, text })),
    setCreateOpen(open: boolean): void {
      set({ board: { ...get().board, createOpen: open } });
    },
    clearBoardNotice(): void {
      set({ board: { ...get().board, notice: null } });
    },
  };
}

function stripped(b: Bead): Bead {
  const { dependencies: _d, comments: _c, ...rest } = b;
  void _d; void _c;
  return rest;
}
