// Which backups the backup dog may rotate away, pure.
//
// Invariants:
//   - The newest `keep` backups stay; older ones go, oldest first.
//   - When the ledger's bead count dropped by more than half against the last good backup, nothing
//     is rotated away (the halt is reported and escalated): a mass deletion must never push the last
//     good copy out. The new backup is kept but not counted as good.
//   - A backup is "good" when its manifest says so; the comparison uses the newest good one.

export interface BackupEntry {
  name: string;
  at: number;
  beads: number;
  good: boolean;
}

export interface RotationPlan {
  remove: string[];
  halted: boolean;
  /** This new backup counts as good (false when the count dropped). */
  good: boolean;
  reason: string | null;
}

export function planRotation(existing: BackupEntry[], currentBeads: number, keep: number): RotationPlan {
  const lastGood = [...existing].filter((b) => b.good).sort((a, b) => b.at - a.at)[0];
  if (lastGood && currentBeads * 2 < lastGood.beads) {
    return { remove: [], halted: true, good: false, reason: `the ledger has ${currentBeads} beads, the last good backup ${lastGood.name} had ${lastGood.beads}: more than half gone, rotation halted` };
  }
  // existing does not include the new one: keep (keep - 1) of them.
  const byAge = [...existing].sort((a, b) => b.at - a.at);
  return { remove: byAge.slice(Math.max(0, keep - 1)).map((b) => b.name), halted: false, good: true, reason: null };
}
