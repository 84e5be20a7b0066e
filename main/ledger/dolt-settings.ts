// The runtime settings the town's `dolt sql-server` is started with: a small server's memory budget.
// Pure: builds the child's environment from the parent's; no I/O.
//
// Invariants:
// - Precedence, per setting: an explicit option (tests, benches) > the town's environment (a user's
//   GOMEMLIMIT, GOGC, DOLT_COMMIT_CACHE_SIZE) > the defaults here. Nothing else in the parent's
//   environment is dropped.
// - The default memory limit grows with the machine (1/32 of its memory, 256–384 MiB): under a tight
//   limit Go's collector takes a growing share of Dolt's CPU as the ledger grows, and at 30 agents
//   that was the town's ceiling (docs/performance.md, "Thirteenth pass"); with the town's statements
//   a bead cut since, 384 costs no more of Dolt's CPU than 768 and keeps ~330 MB less ("Eighteenth
//   pass"). A small machine keeps 256.
// - The memory limit is a soft limit (Go's GOMEMLIMIT): Dolt 1.88 sizes its caches from it (half of
//   it, split between the prolly node cache, the write buffer and the decoded-chunk cache), and Go's
//   collector runs harder near it; it never makes the server fail an allocation.
// - DOLT_ROOT_PATH and DOLT_DISABLE_EVENT_FLUSH are always set by the town (not overridable): the
//   server's global config lives inside the town, and it never phones home.
// - Dolt's background index statistics are off unless asked for (GT_DOLT_STATS=on, or the option).
//   Without them Dolt's planner costs each candidate index from the table's row count (18% of the
//   server's CPU in a profile at 30 agents; 5% with them), yet keeping them did not change the
//   town's Dolt CPU per bead or its throughput beyond the noise (docs/performance.md, "Eleventh
//   pass"). When on, the worker runs one job every DOLT_STATS_JOB_INTERVAL_MS instead of Dolt's
//   default 30 ms, at which it cost more than the town's own statements ("Fourth pass"). Both are
//   persisted system variables in the town's own global config.

/** Defaults for the town's Dolt server (docs/performance.md, "Third pass: memory", "Thirteenth pass"). */
export const DOLT_MEMORY_DEFAULTS = {
  /** Go's soft memory limit for the dolt process, in MiB, on a machine whose memory is unknown or
   *  small (≤ 8 GiB); a bigger machine gets more (defaultMemoryLimitMiB). Dolt caps its caches at half of it. */
  memoryLimitMiB: 256,
  /** Go's GC target (percent heap growth over the live set between collections). Go's default: with
   *  the limit bounding the heap, a lower target only adds collections (bench/dolt-memory.ts). */
  gogc: 100,
  /** Commits Dolt keeps decoded in its LRU (Dolt's default is 1,048,576: it grows with the history). */
  commitCacheSize: 4096,
} as const;

/** The most the default gives Dolt, in MiB: at 30 agents over 5 minutes, 384 ran at the same pace
 *  and Dolt CPU as 768 (93% of ideal, Dolt 33–34% of a core) with Dolt's peak at ~420 MB instead of
 *  ~760; 256 cost Dolt ~6–9 points of a core more in 2-minute runs (docs/performance.md,
 *  "Eighteenth pass"; 768 was chosen in the thirteenth, when a bead cost twice the statements). */
export const MAX_DEFAULT_MEMORY_LIMIT_MIB = 384;

/** The default memory limit for a machine with this much memory: 1/32 of it, between 256 and 384 MiB
 *  (8 GiB → 256, 12 GiB and more → 384). Pure. */
export function defaultMemoryLimitMiB(machineMemoryBytes: number | undefined): number {
  if (!machineMemoryBytes || !Number.isFinite(machineMemoryBytes)) return DOLT_MEMORY_DEFAULTS.memoryLimitMiB;
  const share = Math.floor(machineMemoryBytes / 32 / 1048576);
  return Math.min(MAX_DEFAULT_MEMORY_LIMIT_MIB, Math.max(DOLT_MEMORY_DEFAULTS.memoryLimitMiB, share));
}

export interface DoltMemorySettings {
  memoryLimitMiB: number;
  gogc: number;
  commitCacheSize: number;
}

export interface DoltEnvOptions {
  /** Where dolt keeps its global config (inside the town). */
  rootPath: string;
  /** DOLT_REMOTE_PASSWORD for remotesapi `--user` calls, when the town serves as a remote. */
  remotePassword?: string;
  /** Overrides of the defaults (tests, benches, the town's config). */
  memory?: Partial<DoltMemorySettings>;
  /** The machine's memory in bytes (os.totalmem()): sizes the default memory limit. Absent: the small default. */
  machineMemoryBytes?: number;
}

function positiveInteger(name: string, n: number): string {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`dolt setting ${name} must be a positive integer (got ${n})`);
  return String(n);
}

/** The environment for `dolt sql-server` (and the `dolt sql` that prepares the data folder). */
export function doltServerEnv(parent: NodeJS.ProcessEnv, opts: DoltEnvOptions): NodeJS.ProcessEnv {
  const given = opts.memory ?? {};
  const defaults: DoltMemorySettings = { ...DOLT_MEMORY_DEFAULTS, memoryLimitMiB: defaultMemoryLimitMiB(opts.machineMemoryBytes) };
  const pick = (key: keyof DoltMemorySettings, name: string, format: (v: string) => string): Record<string, string> => {
    const explicit = given[key];
    if (explicit !== undefined) return { [name]: format(positiveInteger(key, explicit)) };
    if (parent[name]) return {};
    return { [name]: format(positiveInteger(key, defaults[key])) };
  };
  const remote = opts.remotePassword ? { DOLT_REMOTE_PASSWORD: opts.remotePassword } : {};
  return {
    ...parent,
    ...pick('memoryLimitMiB', 'GOMEMLIMIT', (v) => `${v}MiB`),
    ...pick('gogc', 'GOGC', (v) => v),
    ...pick('commitCacheSize', 'DOLT_COMMIT_CACHE_SIZE', (v) => v),
    DOLT_ROOT_PATH: opts.rootPath,
    DOLT_DISABLE_EVENT_FLUSH: '1',
    ...remote,
  };
}

/** The server's persisted system variable that turns Dolt's statistics worker on or off. */
export const DOLT_STATS_KEY = 'sqlserver.global.dolt_stats_enabled';
/** The persisted system variable for the pause between the statistics worker's jobs, in ms. */
export const DOLT_STATS_INTERVAL_KEY = 'sqlserver.global.dolt_stats_job_interval';
/** The town's pause between statistics jobs (Dolt's default is 30 ms). */
export const DOLT_STATS_JOB_INTERVAL_MS = 5000;

/** An on/off switch from the environment: an explicit option > the variable > `fallback`. */
function envSwitch(parent: NodeJS.ProcessEnv, name: string, fallback: boolean, explicit?: boolean): boolean {
  if (explicit !== undefined) return explicit;
  const v = (parent[name] ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (['on', '1', 'true', 'yes'].includes(v)) return true;
  if (['off', '0', 'false', 'no'].includes(v)) return false;
  throw new Error(`${name} must be on or off (got ${JSON.stringify(parent[name])})`);
}

/** Whether Dolt keeps index statistics: an explicit option > GT_DOLT_STATS (on/off) > off. */
export function doltStatsEnabled(parent: NodeJS.ProcessEnv, explicit?: boolean): boolean {
  return envSwitch(parent, 'GT_DOLT_STATS', false, explicit);
}

/** Whether the town's server also listens on a Unix socket for the town's own connections
 *  (dolt-config.ts): an explicit option > GT_DOLT_UNIX_SOCKET (on/off) > on. */
export function doltUnixSocketEnabled(parent: NodeJS.ProcessEnv, explicit?: boolean): boolean {
  return envSwitch(parent, 'GT_DOLT_UNIX_SOCKET', true, explicit);
}

/**
 * The town's dolt global config (config_global.json inside the town) from what is there: the
 * identity that signs dolt's own commits and the opt-outs are added when absent; the statistics
 * settings are always the town's. Other keys (a user's own) are kept.
 */
export function doltGlobalConfig(existing: Record<string, string> | null, statsEnabled: boolean): Record<string, string> {
  return {
    'user.name': 'Gas Town',
    'user.email': 'town@gastown.local',
    'metrics.disabled': 'true',
    ...(existing ?? {}),
    [DOLT_STATS_KEY]: statsEnabled ? '1' : '0',
    [DOLT_STATS_INTERVAL_KEY]: String(DOLT_STATS_JOB_INTERVAL_MS),
  };
}
