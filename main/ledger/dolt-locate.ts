// Where the town's Dolt binary comes from. Shared by the install step (scripts/install-dolt.ts)
// and the town at run time (DoltServer), so both look in the same places.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const DOLT_VERSION = '1.88.1';
/** The commit of the v2.3.1 release in dolthub/dolt (the go/ module's tags do not match its releases). */
export const DOLT_COMMIT = 'b15770fe588268027d799c11356af0ce24ba882a';
/** Oldest dolt the ledger is tested with: DOLT_COMMIT procedures, dolt_ignore, dolt_diff(). */
export const MIN_DOLT_VERSION = '1.80.0';

const exe = process.platform === 'win32' ? 'dolt.exe' : 'dolt';

export function doltCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'gastown-desktop', 'dolt', DOLT_VERSION);
}

export function cachedDoltPath(): string {
  return join(doltCacheDir(), exe);
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

export interface FoundDolt {
  path: string;
  version: string;
  source: 'GT_DOLT' | 'PATH' | 'cache';
}

/** The first usable dolt: GT_DOLT, then PATH, then the cache; a binary too old is skipped. */
export function findDolt(): FoundDolt | null {
  const candidates: Array<[string | null | undefined, FoundDolt['source']]> = [
    [process.env.GT_DOLT, 'GT_DOLT'],
    [onPath(), 'PATH'],
    [existsSync(cachedDoltPath()) ? cachedDoltPath() : null, 'cache'],
  ];
  for (const [path, source] of candidates) {
    if (!path) continue;
    const version = doltVersion(path);
    if (version && versionAtLeast(version, MIN_DOLT_VERSION)) return { path, version, source };
  }
  return null;
}
