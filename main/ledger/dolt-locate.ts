// Where the town's Dolt binary comes from. Shared by the install step (scripts/install-dolt.ts,
// main/ledger/dolt-install.ts) and the town at run time (DoltServer), so both look in the same
// places: GT_DOLT, then a dolt on PATH, then the install cache.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * The Dolt this project pins, in one place: the release, its commit in dolthub/dolt, and the Go
 * pseudo-version of the `go/` module at that commit (what a build from the Go module proxy asks for).
 * 1.88.1 is the Dolt that beads v1.0.5 embeds.
 */
export const DOLT_PIN = {
  version: '1.88.1',
  commit: '14b38e279fc6',
  goModule: 'github.com/dolthub/dolt/go',
  goPseudoVersion: 'v0.40.5-0.20260507221239-14b38e279fc6',
  /**
   * sha256 of archives the project knows, by where they come from and `<os>-<arch>`. `mirror`: the
   * archive our release mirror publishes (built from the Go module proxy at the pinned commit, see
   * docs/dolt.md); `release`: the official release archives (none pinned yet; HTTPS is relied on).
   */
  archiveSha256: {
    mirror: { 'linux-amd64': '7671fee27ff294cdd280a7b78497f8fb8399fa43a2e116f15d36d146a81723be' },
    release: {},
  } as Record<'mirror' | 'release', Partial<Record<string, string>>>,
} as const;

export const DOLT_VERSION = DOLT_PIN.version;
/** Oldest dolt the ledger is tested with (1.86.4 before, 1.88.1 now); older ones are skipped. */
export const MIN_DOLT_VERSION = '1.86.4';

const exe = process.platform === 'win32' ? 'dolt.exe' : 'dolt';

/** Root of the install cache: GT_DOLT_CACHE, else <XDG_CACHE_HOME or ~/.cache>/gastown-desktop/dolt. */
export function doltCacheRoot(): string {
  if (process.env.GT_DOLT_CACHE) return process.env.GT_DOLT_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'gastown-desktop', 'dolt');
}

/** The cache folder of the pinned version (one folder per version, outside the clone). */
export function doltCacheDir(): string {
  return join(doltCacheRoot(), DOLT_VERSION);
}

export function cachedDoltPath(): string {
  return join(doltCacheDir(), exe);
}

/** `<os>-<arch>` as Dolt names its release archives, or null where Dolt ships none. */
export function doltPlatform(): string | null {
  const os = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[process.platform];
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  return os && arch ? `${os}-${arch}` : null;
}

/** The version a dolt binary reports, or null when it does not run. */
export function doltVersion(path: string): string | null {
  const out = spawnSync(path, ['version'], { encoding: 'utf8', timeout: 20000, env: { ...process.env, DOLT_DISABLE_EVENT_FLUSH: '1' } });
  if (out.status !== 0) return null;
  const m = /dolt version (\d+\.\d+\.\d+)/.exec(out.stdout);
  return m ? m[1] : null;
}

export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

function onPath(): string | null {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (dir && existsSync(join(dir, exe))) return join(dir, exe);
  }
  return null;
}

export type DoltSource = 'GT_DOLT' | 'PATH' | 'cache';

export interface FoundDolt {
  path: string;
  version: string;
  source: DoltSource;
}

/** What one place holds: a usable dolt, or why not (absent, does not run, too old). */
export type DoltLookup = { found: FoundDolt } | { found: null; why: string };

/** Looks in one of the three places. */
export function lookDolt(source: DoltSource): DoltLookup {
  const path = source === 'GT_DOLT' ? process.env.GT_DOLT || null : source === 'PATH' ? onPath() : existsSync(cachedDoltPath()) ? cachedDoltPath() : null;
  if (!path) return { found: null, why: source === 'GT_DOLT' ? 'not set' : source === 'PATH' ? 'no dolt on PATH' : `nothing in ${doltCacheDir()}` };
  const version = doltVersion(path);
  if (!version) return { found: null, why: `${path} does not run as dolt` };
  if (!versionAtLeast(version, MIN_DOLT_VERSION)) return { found: null, why: `${path} is dolt ${version}, older than ${MIN_DOLT_VERSION}` };
  return { found: { path, version, source } };
}

/** The first usable dolt: GT_DOLT, then PATH, then the cache; a binary too old is skipped. */
export function findDolt(): FoundDolt | null {
  for (const source of ['GT_DOLT', 'PATH', 'cache'] as const) {
    const look = lookDolt(source);
    if (look.found) return look.found;
  }
  return null;
}
