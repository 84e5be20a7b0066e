// The supervisors' settings: <town>/settings/supervision.json (all optional, in milliseconds).
// Restart caps of agent sessions stay in settings/work.json (respawnCap, respawnBaseMs, …).
import { join } from 'node:path';
import { z } from 'zod';
import { readSettingsFile } from '../settings-file.ts';

const ms = (def: number) => z.number().int().min(0).max(7 * 24 * 3_600_000).default(def);

export const SupervisionSettingsSchema = z.object({
  /** Master switch: off leaves only the work loop's own zombie restarts (used by the idle bench). */
  enabled: z.boolean().default(true),
  /** Re-raise an unacknowledged escalation after this long … */
  escalationReraiseMs: ms(30 * 60_000),
  /** … at most this many times. */
  escalationMaxReraises: z.number().int().min(0).max(10).default(2),
  /** How often the escalation patrol looks for ones to raise again. */
  escalationPatrolMs: ms(60_000),
}).strict();
export type SupervisionSettings = z.output<typeof SupervisionSettingsSchema>;

export const supervisionSettingsFile = (townRoot: string): string => join(townRoot, 'settings', 'supervision.json');

export function readSupervisionSettings(townRoot: string): SupervisionSettings {
  return readSettingsFile(supervisionSettingsFile(townRoot), SupervisionSettingsSchema);
}
