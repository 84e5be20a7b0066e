// The Board's columns: which column a work bead is in, and what moving it to another column writes.
// Pure: beads and dependency edges in, decisions out (the store applies them).
//
// Invariants:
// - Only work beads are on the board (not agents, rigs, convoys, merge requests, mail, escalations…).
// - "In review" is `in_progress` held by `<rig>/refinery` with a `gt.review` note (docs/work-loop.md);
//   every other `in_progress` or `hooked` bead is "in progress".
// - An open bead with an open `blocks` blocker is "blocked" though its status is open (bd's rule);
//   a blocker the page does not hold counts as not blocking (the server checks again).
// - A move is a compare-and-set: it carries the status the card showed (`expectStatus`), checked by
//   the ledger inside its write; nobody's change is overwritten.
import type { Bead, BeadStatus, Dependency } from '../../preload/types.ts';

export const COLUMNS = ['ready', 'blocked', 'in-progress', 'in-review', 'done'] as const;
export type Column = (typeof COLUMNS)[number];

export const COLUMN_LABELS: Record<Column, string> = {
  ready: 'Ready', blocked: 'Blocked', 'in-progress': 'Hooked / in progress', 'in-review': 'In review', done: 'Done',
};

const NOT_WORK = new Set(['merge-request', 'gate', 'molecule', 'message', 'agent', 'role', 'rig', 'convoy', 'event', 'escalation']);

export const isWorkBead = (b: Bead): boolean => !NOT_WORK.has(b.type);

/** The work loop's review note, if the bead is in review. */
export function reviewNote(b: Bead): { mergeRequest: string; since: string } | null {
  const gt = (b.metadata as { gt?: { review?: { mergeRequest: string; since: string } | null } }).gt;
  return gt && typeof gt === 'object' && gt.review ? gt.review : null;
}

export const isInReview = (b: Bead): boolean => b.status === 'in_progress' && !!reviewNote(b) && /\/refinery$/.test(b.assignee ?? '');

/** Open `blocks` blockers of each bead: bead id → ids of the beads that block it and are not closed. */
export function openBlockers(beads: Record<string, Bead>, dependencies: Record<string, Dependency>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of Object.values(dependencies)) {
    if (d.type !== 'blocks') continue;
    const blocker = beads[d.dependsOnId];
    if (!blocker || blocker.status === 'closed') continue;
    const list = out.get(d.issueId);
    if (list) list.push(d.dependsOnId); else out.set(d.issueId, [d.dependsOnId]);
  }
  return out;
}

/** The column a bead shows in, or null when it is not on the board (not work, pinned). */
export function columnOf(b: Bead, blockers: readonly string[] = []): Column | null {
  if (!isWorkBead(b)) return null;
  switch (b.status) {
    case 'closed': return 'done';
    case 'in_progress': return isInReview(b) ? 'in-review' : 'in-progress';
    case 'hooked': return 'in-progress';
    case 'blocked':
    case 'deferred': return 'blocked';
    case 'open': return blockers.length ? 'blocked' : 'ready';
    default: return null;
  }
}

/** Beads by column, each column by priority then age (oldest first), as `gt ready` orders. */
export function boardColumns(beads: Record<string, Bead>, blockers: Map<string, string[]>): Record<Column, Bead[]> {
  const out: Record<Column, Bead[]> = { ready: [], blocked: [], 'in-progress': [], 'in-review': [], done: [] };
  for (const b of Object.values(beads)) {
    const c = columnOf(b, blockers.get(b.id));
    if (c) out[c].push(b);
  }
  const order = (a: Bead, b: Bead): number => a.priority - b.priority || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
  for (const c of COLUMNS) out[c].sort(c === 'done' ? (a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? '') || order(a, b) : order);
  return out;
}

export type Move =
  | { kind: 'none' }
  | { kind: 'refuse'; reason: string }
  /** A compare-and-set status write. */
  | { kind: 'update'; status: BeadStatus; expectStatus: BeadStatus[] }
  /** Off its holder's hook first (open, unassigned): `gt unsling`. */
  | { kind: 'unsling' };

/** What dropping a bead on a column does. */
export function moveTo(b: Bead, to: Column, blockers: readonly string[] = []): Move {
  const from = columnOf(b, blockers);
  if (from === to) return { kind: 'none' };
  if (from === 'in-review') return { kind: 'refuse', reason: `${b.id} is in review: its merge request ${reviewNote(b)?.mergeRequest ?? ''} is in the merge queue (reject it there first)`.replace('  ', ' ') };
  if (to === 'in-review') return { kind: 'refuse', reason: `${b.id} goes in review only through gt done (its polecat's merge request)` };
  const expectStatus: BeadStatus[] = [b.status];
  switch (to) {
    case 'ready':
      if (blockers.length) return { kind: 'refuse', reason: `${b.id} is blocked by ${blockers.join(', ')} (not closed): close them or remove the dependency first` };
      if ((b.status === 'hooked' || b.status === 'in_progress') && b.assignee) return { kind: 'unsling' };
      return { kind: 'update', status: 'open', expectStatus };
    case 'blocked': return { kind: 'update', status: 'blocked', expectStatus };
    case 'in-progress': return { kind: 'update', status: 'in_progress', expectStatus };
    case 'done': return { kind: 'update', status: 'closed', expectStatus };
    default: return { kind: 'none' };
  }
}

/** How the card shows the move before the server answered (optimistic). */
export function optimistic(b: Bead, move: Move): Bead {
  if (move.kind === 'update') return { ...b, status: move.status };
  if (move.kind === 'unsling') return { ...b, status: 'open', assignee: null };
  return b;
}
