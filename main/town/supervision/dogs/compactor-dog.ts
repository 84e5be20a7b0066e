// The compactor dog: `CALL DOLT_GC()` once the database folder grew past compactThresholdBytes.
// Dolt's garbage collection drops only unreachable chunks: every commit stays, so the bead
// history view (dolt_diff over the commit graph) loses nothing.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dog, DogOutcome } from './dog.ts';

export function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += folderBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

export const compactorDog: Dog = {
  name: 'compactor',
  summary: 'dolt gc when the ledger grew past the threshold (history kept)',
  async run(s): Promise<DogOutcome> {
    const before = folderBytes(s.dolt.dataDir);
    if (before < s.settings.compactThresholdBytes) return { ok: true, message: `${(before / 2 ** 20).toFixed(1)} MiB, under the threshold: nothing to do`, details: { before } };
    await s.ledger.pool.query('CALL DOLT_GC()');
    const after = folderBytes(s.dolt.dataDir);
    return { ok: true, message: `dolt gc: ${(before / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MiB`, details: { before, after } };
  },
};
