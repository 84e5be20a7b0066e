// The Refineries' settings: <town>/settings/refinery.json (all optional), read when the Town starts.
import { join } from 'node:path';
import { z } from 'zod';
import { readSettingsFile } from '../settings-file.ts';

export const RefinerySettingsSchema = z.object({
  /** A gate running longer than this is killed (its whole process group) and counts as a failure. */
  gateTimeoutMs: z.number().int().min(1000).max(24 * 3_600_000).default(600_000),
  /** Requests merged and gated together (a red batch is bisected). */
  batchSize: z.number().int().min(1).max(64).default(4),
  /** With more requests ready than batchSize, a batch takes them all, up to this many (a long queue
   *  is drained in fewer batches: one gate run and one ledger write per phase each). */
  maxBatchSize: z.number().int().min(1).max(64).default(16),
  /** A gate still running after this long has its requests written `testing` in the ledger (one
   *  commit per batch); a quicker one writes nothing between a request's queued and merged records. */
  recordTestingAfterMs: z.number().int().min(0).max(3_600_000).default(2_000),
  /** With fewer requests queued than batchSize, how long the Refinery waits after the oldest of them
   *  arrived for more to join its batch (one gate run, merge build and ledger write for all of them;
   *  docs/refinery.md). 0: each pass takes what is queued at once. */
  gatherMs: z.number().int().min(0).max(600_000).default(1_000),
  /** How often an idle Refinery looks at its queue when nothing poked it (new requests poke it). */
  pollMs: z.number().int().min(100).max(3_600_000).default(10_000),
  /** A bead the merge queue sent back this many times is held for a human (status blocked, a high
   *  escalation) instead of going back to its polecat once more; slinging it again starts a new count. */
  reworkCap: z.number().int().min(1).max(100).default(3),
}).strict();
export type RefinerySettings = z.output<typeof RefinerySettingsSchema>;

export const refinerySettingsFile = (townRoot: string): string => join(townRoot, 'settings', 'refinery.json');

export function readRefinerySettings(townRoot: string): RefinerySettings {
  return readSettingsFile(refinerySettingsFile(townRoot), RefinerySettingsSchema);
}
