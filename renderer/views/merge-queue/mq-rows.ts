// The merge queue view's rows, per rig: pure. The queue's order and scores come from `mqList`; the
// phase and what the Refinery wrote (gate output, resolution bead, batch) come live from the
// merge-request beads in the store, which the feed keeps current.
//
// Invariants:
// - Open requests first, in landing order (position); a request the list does not know yet (just
//   submitted) follows them, oldest first; then finished requests (merged, rejected), newest first.
// - A request's phase is its bead's phase when the bead is in the store (newer than the list).
// - Every rig with a rig bead has a section, even an empty one; so does every rig the list names.
import type { Bead } from '../../../preload/types.ts';
import type { MergeRequestMeta, MqEntry, MrPhase } from '../../../preload/requests/merge-queue-types.ts';
import { TERMINAL_PHASES } from '../../../preload/requests/merge-queue-types.ts';
import { rigPrefixes } from '../convoys/graph-model.ts';

export interface MqRow {
  id: string;
  rig: string;
  title: string;
  branch: string;
  phase: MrPhase;
  position: number | null;
  score: number | null;
  priority: number;
  attempts: number;
  waiting: string | null;
  bead: string | null;
  polecat: string | null;
  batch: string | null;
  gateOutput: string | null;
  reason: string | null;
  resolutionBead: string | null;
  rejectionBead: string | null;
  mergedAs: string | null;
  conflictFiles: string[];
  open: boolean;
}

export interface RigQueue {
  rig: string;
  open: MqRow[];
  finished: MqRow[];
}

const metaOf = (b: Bead | undefined): Partial<MergeRequestMeta> => (b?.metadata ?? {}) as Partial<MergeRequestMeta>;

export function queuesByRig(entries: readonly MqEntry[], beads: Record<string, Bead>): RigQueue[] {
  const rigs = new Map<string, RigQueue>();
  const queue = (rig: string): RigQueue => {
    let q = rigs.get(rig);
    if (!q) rigs.set(rig, (q = { rig, open: [], finished: [] }));
    return q;
  };
  for (const name of rigPrefixes(beads).values()) queue(name);
  const listed = new Set<string>();
  const rowOf = (id: string, rig: string, e: MqEntry | null): MqRow => {
    const bead = beads[id];
    const meta = metaOf(bead);
    const phase = meta.phase ?? e?.phase ?? 'queued';
    return {
      id,
      rig,
      title: bead?.title ?? e?.title ?? id,
      branch: meta.branch ?? e?.branch ?? '',
      phase,
      position: TERMINAL_PHASES.includes(phase) ? null : (e?.position ?? null),
      score: TERMINAL_PHASES.includes(phase) ? null : (e?.score ?? null),
      priority: bead?.priority ?? e?.priority ?? 2,
      attempts: meta.attempts ?? e?.attempts ?? 0,
      waiting: e?.waiting ?? null,
      bead: meta.bead ?? e?.bead ?? null,
      polecat: meta.polecat ?? e?.polecat ?? null,
      batch: meta.batch ?? null,
      gateOutput: meta.gateOutput ?? null,
      reason: meta.reason ?? e?.reason ?? null,
      resolutionBead: meta.resolutionBead ?? null,
      rejectionBead: meta.rejectionBead ?? null,
      mergedAs: meta.mergedAs ?? e?.mergedAs ?? null,
      conflictFiles: meta.conflictFiles ?? [],
      open: !TERMINAL_PHASES.includes(phase),
    };
  };
  for (const e of entries) {
    listed.add(e.id);
    const row = rowOf(e.id, e.rig, e);
    (row.open ? queue(e.rig).open : queue(e.rig).finished).push(row);
  }
  // Requests the list does not hold yet (submitted since it was read): open ones only.
  const unlisted = Object.values(beads)
    .filter((b) => b.type === 'merge-request' && !listed.has(b.id) && b.status !== 'closed' && metaOf(b).rig)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  for (const b of unlisted) {
    const row = rowOf(b.id, metaOf(b).rig!, null);
    if (row.open) queue(row.rig).open.push(row);
  }
  for (const q of rigs.values()) {
    q.open.sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity));
  }
  return [...rigs.values()].sort((a, b) => a.rig.localeCompare(b.rig));
}

/** What the user may do with a request: retry puts a stopped one back; reject is refused while it is tested. */
export function mqActions(phase: MrPhase): { retry: boolean; reject: boolean } {
  return {
    retry: phase === 'rejected' || phase === 'conflict' || phase === 'branch-missing',
    reject: phase !== 'merged' && phase !== 'rejected' && phase !== 'batched' && phase !== 'testing',
  };
}
