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
  /** Witness (one per rig): how often it looks at its polecats. */
  witnessPatrolMs: ms(30_000),
  /** stalled: hooked, alive, no output this long → nudge; as long again → restart (Gas Town: 30 min). */
  stalledMs: ms(30 * 60_000),
  /** GUPP violation: hooked, alive, no ledger change to the bead this long → nudge; as long again → escalate (Gas Town: 30 min). */
  guppMs: ms(30 * 60_000),
  /** idle with work hooked: at its prompt this long → nudge it to run its hook. */
  idleMs: ms(2 * 60_000),
  /** Deacon: the town's patrol loop (heartbeat, keep-alive, orphans, re-raise, dogs). */
  deaconPatrolMs: ms(60_000),
  /** Boot: how often it checks the Deacon's heartbeat (Gas Town: 5 min) … */
  bootIntervalMs: ms(5 * 60_000),
  /** … and how old a heartbeat may be before the Deacon counts as hung (default: 3 patrols). */
  deaconStaleMs: ms(3 * 60_000),
  /** Announce new mail in a running agent's terminal (through its nudge queue, when it is idle). */
  announceMail: z.boolean().default(true),
  /** Keep the Mayor's session up (restart it when it ends). */
  keepMayor: z.boolean().default(false),
  /** Re-dispatch the work of a stuck polecat after this cooldown … */
  redispatchCooldownMs: ms(10 * 60_000),
  /** … at most this many times per bead, then mail the Mayor. */
  redispatchCap: z.number().int().min(0).max(20).default(2),
  /** Dogs: how often each runs (0: only by hand, `gt dog run NAME`). */
  dogs: z.object({
    backup: ms(15 * 60_000),
    compactor: ms(6 * 3_600_000),
    reaper: ms(3_600_000),
    doctor: ms(0),
    /** Push the ledger to its Dolt remotes (gt remote add); nothing to do without remotes. */
    remotes: ms(15 * 60_000),
  }).strict().default({ backup: 15 * 60_000, compactor: 6 * 3_600_000, reaper: 3_600_000, doctor: 0, remotes: 15 * 60_000 }),
  /** Backups kept in <town>/backups (oldest rotated away first). */
  backupKeep: z.number().int().min(1).max(1000).default(8),
  /** The compactor runs `dolt gc` once the database folder is larger than this (bytes). */
  compactThresholdBytes: z.number().int().min(0).default(512 * 1024 * 1024),
  /** The reaper keeps at most this many bytes of transcripts (oldest removed first). */
  transcriptBudgetBytes: z.number().int().min(0).default(1024 * 1024 * 1024),
}).strict();
export type SupervisionSettings = z.output<typeof SupervisionSettingsSchema>;

export const supervisionSettingsFile = (townRoot: string): string => join(townRoot, 'settings', 'supervision.json');

export function readSupervisionSettings(townRoot: string): SupervisionSettings {
  return readSettingsFile(supervisionSettingsFile(townRoot), SupervisionSettingsSchema);
}
