// The work loop's settings: <town>/settings/work.json (all optional). Role prompt templates live
// beside it in <town>/settings/roles/<role>.md; built-in templates apply where none is written.
import { join } from 'node:path';
import { z } from 'zod';
import { readSettingsFile } from '../settings-file.ts';
import { parseRuntimeConfig, RuntimeConfigSchema, type RuntimeConfig } from '../../agents/runtimes/runtime-registry.ts';

export const WorkSettingsSchema = z.object({
  /** Most polecats working at once in the whole town. */
  maxPolecats: z.number().int().min(1).max(1000).default(12),
  /** GUPP restarts of one hooked bead inside respawnWindowMs before the polecat is stuck and escalated (Gas Town: 3). */
  respawnCap: z.number().int().min(0).max(100).default(3),
  /** Restarts older than this no longer count towards the cap. */
  respawnWindowMs: z.number().int().min(1000).max(7 * 24 * 3_600_000).default(3_600_000),
  /** A session that ran this long was healthy: its hook's restart count starts over. */
  respawnStableMs: z.number().int().min(0).max(24 * 3_600_000).default(300_000),
  /** First restart delay; doubles per restart of the same hook, up to respawnMaxMs. */
  respawnBaseMs: z.number().int().min(0).max(600_000).default(500),
  respawnMaxMs: z.number().int().min(0).max(3_600_000).default(30_000),
  /** Consecutive failures to start a polecat on a rig that open its circuit breaker. */
  spawnFailureLimit: z.number().int().min(1).max(100).default(3),
  /** How often the supervisor looks at the town when no event woke it. */
  tickMs: z.number().int().min(100).max(600_000).default(2_000),
  runtimes: RuntimeConfigSchema.default({ roles: {}, rigs: {}, custom: [] }),
}).strict();
export type WorkSettings = z.output<typeof WorkSettingsSchema> & { runtimes: RuntimeConfig };

export const settingsDir = (townRoot: string): string => join(townRoot, 'settings');
export const workSettingsFile = (townRoot: string): string => join(settingsDir(townRoot), 'work.json');

export function readWorkSettings(townRoot: string): WorkSettings {
  const settings = readSettingsFile(workSettingsFile(townRoot), WorkSettingsSchema);
  return { ...settings, runtimes: parseRuntimeConfig(settings.runtimes) };
}
