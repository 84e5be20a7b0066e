// Where a rig keeps its repositories inside the town folder. One place, so the rig manager, the
// polecats, the crew and the Refinery agree.
import { join } from 'node:path';

export interface RigPaths {
  root: string;
  /** The bare repository every worktree is made from; branches of polecats and the target live here. */
  bare: string;
  /** A normal clone on the target branch, for reading the project (the Mayor's view of the rig). */
  canonical: string;
  /** The Refinery's own worktree. */
  refinery: string;
  polecats: string;
  crew: string;
}

export function rigPaths(townRoot: string, rig: string): RigPaths {
  const root = join(townRoot, 'rigs', rig);
  return {
    root,
    bare: join(root, '.repo.git'),
    canonical: join(root, 'canonical'),
    refinery: join(root, 'refinery'),
    polecats: join(root, 'polecats'),
    crew: join(root, 'crew'),
  };
}

export const polecatWorktree = (townRoot: string, rig: string, polecat: string): string => join(rigPaths(townRoot, rig).polecats, polecat);
export const crewClone = (townRoot: string, rig: string, name: string): string => join(rigPaths(townRoot, rig).crew, name);
/** A polecat's branch for one bead, as in Gas Town. */
export const polecatBranch = (polecat: string, bead: string): string => `polecat/${polecat}/${bead}`;
