// Bead ids the way beads makes them (reference/beads-format.md §5): `<prefix>-<base36 of a sha256>`,
// the length growing with the number of top-level beads under the prefix so collisions stay rare.
// Pure functions: the collision check against the database happens in the Ledger's transaction.
import { createHash, randomBytes } from 'node:crypto';

export const MIN_HASH_LENGTH = 3;
export const MAX_HASH_LENGTH = 8;
const MAX_COLLISION_PROB = 0.25;

/** Smallest length L in [3, 8] whose birthday-collision probability for n ids stays ≤ 25%. */
export function hashLengthFor(n: number): number {
  for (let L = MIN_HASH_LENGTH; L <= MAX_HASH_LENGTH; L++) {
    const p = 1 - Math.exp(-(n * n) / (2 * 36 ** L));
    if (p <= MAX_COLLISION_PROB) return L;
  }
  return MAX_HASH_LENGTH;
}

function bytesFor(length: number): number {
  if (length <= 3) return 2;
  if (length === 4) return 3;
  if (length <= 6) return 4;
  return 5;
}

/** base36 of the first bytes of sha256(title|description|creator|time|nonce), padded/trimmed to `length`. */
export function hashId(prefix: string, length: number, seed: { title: string; description: string; creator: string; nonce: number }): string {
  // JS has no nanosecond clock; random low digits keep two same-millisecond creates apart.
  const ns = `${Date.now()}${randomBytes(3).readUIntBE(0, 3).toString().padStart(8, '0')}`;
  const digest = createHash('sha256').update(`${seed.title}|${seed.description}|${seed.creator}|${ns}|${seed.nonce}`).digest();
  let n = 0n;
  for (let i = 0; i < bytesFor(length); i++) n = (n << 8n) | BigInt(digest[i]);
  let s = n.toString(36).padStart(length, '0');
  if (s.length > length) s = s.slice(s.length - length);
  return `${prefix}-${s}`;
}

/** Candidate ids in the order beads tries them: the base length first, 10 nonces per length, growing to 8. */
export function* idCandidates(prefix: string, count: number, seed: { title: string; description: string; creator: string }): Generator<string> {
  for (let L = hashLengthFor(count); L <= MAX_HASH_LENGTH; L++) {
    for (let nonce = 0; nonce < 10; nonce++) yield hashId(prefix, L, { ...seed, nonce });
  }
}

/** The prefix of an id: everything before the last hyphen that is followed by the hash. */
export function prefixOf(id: string): string {
  const top = id.split('.')[0];
  return top.slice(0, top.lastIndexOf('-'));
}
