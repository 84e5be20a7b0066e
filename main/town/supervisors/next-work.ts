// Which waiting work goes to which rig next: queued slings first (in the order they were queued),
// then the ready beads of open convoys (convoys in the order given, beads in tracked order), as many
// as the free slots allow. Shared by the Witness's feed (every free slot of the town) and `gt done`
// (the finishing polecat's own slot: docs/work-loop.md). Reads only, through `WorkReads`: the caller
// hooks what is picked (a compare-and-set from open), so a pick that lost a race is refused there.
// Invariants: an open bead with an assignee is never picked (it is reserved for that agent, e.g. sent
// back by the merge queue); a bead in `skip` (a sling in flight) is never picked twice; a convoy bound
// to a rig with no free slot is not read at all.
import type { Bead } from '../../../preload/types.ts';
import type { RigInfo } from '../../../preload/requests/work-types.ts';
import { workNote } from '../polecats/work-beads.ts';

/** Tracked beads looked at per ready query. */
export const READY_CHUNK = 200;

export interface WorkPick {
  bead: string;
  rig: string;
  runtime?: string;
  convoy?: string;
}

/** Slots free now: in the town, and per rig (a rig missing from the map has none). */
export interface FreeSlots {
  town: number;
  rigs: Map<string, number>;
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
    if (rig && take(rig.name)) picks.push({ bead: b.id, rig: rig.name, runtime: note.runtime ?? undefined, convoy: note.convoy });
  }
  const picked = new Set([...picks.map((p) => p.bead), ...skip]);
  for (const { convoy, tracked } of convoys) {
    if (free.town <= 0) break;
    const meta = convoy.metadata as { rig?: string | null; runtime?: string | null };
    if (meta.rig && !room(meta.rig)) continue;
    for (let i = 0; i < tracked.length && free.town > 0; i += READY_CHUNK) {
      const chunk = tracked.slice(i, i + READY_CHUNK);
      const ready = new Set((await reads.ready(chunk)).filter((b) => !b.assignee).map((b) => b.id));
      for (const id of chunk) {
        if (!ready.has(id) || picked.has(id)) continue;
        const prefix = id.slice(0, id.indexOf('-'));
        const rig = meta.rig ? rigs.get(meta.rig) : [...rigs.values()].find((r) => r.prefix === prefix);
        if (!rig || !take(rig.name)) continue;
        picked.add(id);
        picks.push({ bead: id, rig: rig.name, runtime: meta.runtime ?? undefined, convoy: convoy.id });
      }
      if (meta.rig && !room(meta.rig)) break;
    }
  }
  return picks;
}
