// The claim protocol's decisions and the commons' merge rules. Pure: no I/O.
//
// The protocol (docs/federation.md): a town claims an open item by a local commit on its clone of
// the commons, then pushes. Dolt accepts only fast-forward pushes, so of two towns that claimed the
// same item at once exactly one push lands; the other is rejected, pulls, and Dolt reports the item
// as a conflict (both changed claimed_by). The rule below gives it to the side that is already on the
// commons (theirs): first push wins. The loser marks its own claim attempt `lost` in the same merge.
//
// Invariants:
//   - An item has at most one claimant; a claim already on the commons is never displaced.
//   - A town whose claim is displaced learns it in that merge (lost list) and its claim attempt is
//     recorded `lost` in the commons, never dropped.
//   - Status only moves forward: open < claimed < completed; withdrawn (by the poster) ends an
//     item that is not completed.
//   - Entries posted by a town the commons does not accept are untrusted: shown, never auto-claimed.
import type { ConflictRow, Resolution, Row, TableResolver } from './merge-rules.ts';
import { laterSide } from './merge-rules.ts';

export const WANTED_STATUSES = ['open', 'claimed', 'completed', 'withdrawn'] as const;
export type WantedStatus = (typeof WANTED_STATUSES)[number];
const WANTED_RANK: Record<string, number> = { open: 0, claimed: 1, withdrawn: 2, completed: 3 };

const CLAIM_FIELDS = ['claimed_by', 'claimed_at', 'completed_ref', 'completed_at'];

/** The claimant that stands: theirs (already on the commons) over ours when both claimed. */
export function standingClaimant(ours: Row, theirs: Row): unknown {
  if (theirs.claimed_by && ours.claimed_by && theirs.claimed_by !== ours.claimed_by) return theirs.claimed_by;
  return theirs.claimed_by ?? ours.claimed_by ?? null;
}

/** One conflicting `wanted` row, seen from town `me`. `lost` names the item when me's claim lost. */
export function resolveWanted(c: ConflictRow, me: string): Resolution & { lost?: string } {
  const { ours, theirs } = c;
  if (!ours && !theirs) return { action: 'delete' };
  if (!ours) return { action: 'write', row: { ...theirs! } };
  if (!theirs) return { action: 'keep-ours' };
  const claimant = standingClaimant(ours, theirs);
  const claimSide = claimant === theirs.claimed_by ? theirs : ours;
  const row: Row = {};
  for (const field of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    if (CLAIM_FIELDS.includes(field)) row[field] = claimSide[field] ?? null;
    else if (field === 'status') row[field] = wantedStatus(ours, theirs, claimSide);
    else if (field === 'updated_at') row[field] = String(ours.updated_at ?? '') >= String(theirs.updated_at ?? '') ? ours.updated_at : theirs.updated_at;
    else if (JSON.stringify(ours[field]) === JSON.stringify(theirs[field])) row[field] = ours[field];
    else {
      const base = c.base ?? {};
      const oChanged = JSON.stringify(ours[field]) !== JSON.stringify(base[field]);
      const tChanged = JSON.stringify(theirs[field]) !== JSON.stringify(base[field]);
      row[field] = oChanged && !tChanged ? ours[field] : tChanged && !oChanged ? theirs[field] : laterSide(ours, theirs, field) === 1 ? ours[field] : theirs[field];
    }
  }
  const lost = ours.claimed_by === me && claimant !== me ? String(ours.id) : undefined;
  return { action: 'write', row, lost };
}

function wantedStatus(ours: Row, theirs: Row, claimSide: Row): string {
  const o = String(ours.status);
  const t = String(theirs.status);
  if (o === 'withdrawn' || t === 'withdrawn') return o === 'completed' || t === 'completed' ? 'completed' : 'withdrawn';
  // The claim fields come from claimSide; its status is the one consistent with them, unless the
  // other side went further with the same claimant (e.g. completed by the claimant itself).
  const other = claimSide === ours ? theirs : ours;
  const same = other.claimed_by === claimSide.claimed_by;
  const s = String(claimSide.status);
  return same && (WANTED_RANK[String(other.status)] ?? 0) > (WANTED_RANK[s] ?? 0) ? String(other.status) : s;
}

/** A town's claim attempt: its own row (wanted_id, town), so two towns never conflict on it. */
export function resolveClaimAttempt(c: ConflictRow): Resolution {
  if (!c.ours) return c.theirs ? { action: 'write', row: { ...c.theirs } } : { action: 'delete' };
  if (!c.theirs) return { action: 'keep-ours' };
  const rank: Record<string, number> = { claimed: 0, won: 1, lost: 1 };
  return (rank[String(c.theirs.outcome)] ?? 0) > (rank[String(c.ours.outcome)] ?? 0) ? { action: 'write', row: { ...c.theirs } } : { action: 'keep-ours' };
}

/** A town's entry: accepted once stays accepted (acceptance is only ever granted). */
export function resolveTown(c: ConflictRow): Resolution {
  if (!c.ours) return c.theirs ? { action: 'write', row: { ...c.theirs } } : { action: 'delete' };
  if (!c.theirs) return { action: 'keep-ours' };
  const accepted = Number(c.ours.accepted) || Number(c.theirs.accepted) ? 1 : 0;
  const winner = Number(c.theirs.accepted) >= Number(c.ours.accepted) ? c.theirs : c.ours;
  return { action: 'write', row: { ...winner, accepted } };
}

export function commonsRules(me: string, lost: string[]): Record<string, TableResolver> {
  return {
    wanted: (c) => {
      const r = resolveWanted(c, me);
      if (r.lost) lost.push(r.lost);
      return r;
    },
    claim_attempts: resolveClaimAttempt,
    towns: resolveTown,
  };
}

export interface WantedEntry {
  id: string;
  status: string;
  postedBy: string;
  claimedBy: string | null;
}

/** Trusted = posted by a town the commons accepts. */
export function isTrusted(entry: Pick<WantedEntry, 'postedBy'>, accepted: ReadonlySet<string>): boolean {
  return accepted.has(entry.postedBy);
}

/** What an automatic claimer may take: open, trusted, not posted by itself. */
export function autoClaimable<E extends WantedEntry>(entries: E[], accepted: ReadonlySet<string>, me: string): E[] {
  return entries.filter((e) => e.status === 'open' && isTrusted(e, accepted) && e.postedBy !== me);
}

/** Why a claim is refused before anything is written, or null when it may go ahead. */
export function claimRefusal(entry: WantedEntry | null, accepted: ReadonlySet<string>, me: string, allowUntrusted: boolean): string | null {
  if (!entry) return 'no such wanted item';
  if (entry.claimedBy === me && entry.status !== 'open') return null;
  if (entry.status !== 'open') return `${entry.id} is ${entry.status}${entry.claimedBy ? ` by ${entry.claimedBy}` : ''}`;
  if (!isTrusted(entry, accepted) && !allowUntrusted) return `${entry.id} was posted by ${entry.postedBy}, a town this commons does not accept (untrusted); pass --untrusted to claim it anyway`;
  return null;
}
