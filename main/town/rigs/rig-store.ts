// Rigs live in the ledger as beads of type `rig` (town prefix), with their settings in metadata:
// durable, versioned by Dolt like everything else, and visible to every transport.
import type { Bead } from '../../../preload/types.ts';
import type { RigInfo } from '../../../preload/requests/work-types.ts';
import { rigPaths } from './rig-paths.ts';

export const RIG_LABEL = 'gt:rig';
export const DEFAULT_MAX_POLECATS = 4;

/** What a rig's bead keeps in its metadata: the rig's settings (the rest of RigInfo is derived). */
export type RigRecord = Pick<RigInfo, 'name' | 'prefix' | 'source' | 'branch' | 'gate' | 'runtime' | 'maxPolecats' | 'setupCommand' | 'copyFiles'>;

export function rigFromBead(bead: Bead, townRoot: string): RigInfo | null {
  const m = bead.metadata as Partial<RigRecord>;
  if (bead.type !== 'rig' || typeof m.name !== 'string' || typeof m.prefix !== 'string') return null;
  return {
    name: m.name,
    prefix: m.prefix,
    source: String(m.source ?? ''),
    branch: String(m.branch ?? 'main'),
    gate: m.gate ?? null,
    runtime: m.runtime ?? null,
    maxPolecats: Number(m.maxPolecats) || DEFAULT_MAX_POLECATS,
    setupCommand: m.setupCommand ?? null,
    copyFiles: Array.isArray(m.copyFiles) ? m.copyFiles.map(String) : [],
    bead: bead.id,
    createdAt: bead.createdAt,
    paths: rigPaths(townRoot, m.name),
  };
}

/** Of the rig beads, every rig that has not been removed (a removed rig's bead is closed), by name. */
export function rigsOf(beads: Bead[], townRoot: string): RigInfo[] {
  return beads
    .filter((b) => b.status !== 'closed')
    .map((b) => rigFromBead(b, townRoot))
    .filter((r): r is RigInfo => r !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
}
