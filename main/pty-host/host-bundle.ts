// Which file the headless launcher forks for the PTY host: the prebuilt bundle
// (dist/pty-host/host-main.cjs, made by `npm run build`) when it is at least as new as every source
// file of the host, else the TypeScript sources through tsx. The bundle needs no loader: the host
// starts faster and stays ~35 MB smaller (docs/performance.md). GT_PTY_HOST=source forces the sources.
//
// Invariant: a host built from older sources than the ones on disk is never started (a developer
// who edited main/pty-host/ and did not rebuild gets the sources).

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Node flags for the PTY host, headless and in Electron alike. Its live heap is small (~15 MB with
 * 30 sessions) but it allocates a buffer per chunk of output and per message, and V8's young
 * generation grows to tens of MB under that churn; a 2 MB semi-space keeps it small at the price of
 * more (cheap: little survives) scavenges (docs/performance.md, twentieth pass).
 */
export const PTY_HOST_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

export interface HostEntry {
  file: string;
  /** Extra node flags (the tsx loader for the sources). */
  needsLoader: boolean;
}

/** True when `bundleMtimeMs` is at least every source's mtime (pure; the caller stats the files). */
export function bundleIsFresh(bundleMtimeMs: number | null, sourceMtimesMs: number[]): boolean {
  if (bundleMtimeMs === null || sourceMtimesMs.length === 0) return false;
  return sourceMtimesMs.every((m) => m <= bundleMtimeMs);
}

/** `sourceDir`: main/pty-host; `bundle`: dist/pty-host/host-main.cjs. */
export function hostEntry(sourceDir: string, bundle: string, env: NodeJS.ProcessEnv = process.env): HostEntry {
  const sources = { file: path.join(sourceDir, 'host-main.ts'), needsLoader: true };
  if (env.GT_PTY_HOST === 'source') return sources;
  let bundleMtime: number | null = null;
  let sourceMtimes: number[] = [];
  try {
    bundleMtime = statSync(bundle).mtimeMs;
    // Every file of the host (this launcher-side helper is not part of it).
    sourceMtimes = readdirSync(sourceDir).filter((f) => f.endsWith('.ts') && f !== 'host-bundle.ts').map((f) => statSync(path.join(sourceDir, f)).mtimeMs);
  } catch {
    return sources;
  }
  return bundleIsFresh(bundleMtime, sourceMtimes) ? { file: bundle, needsLoader: false } : sources;
}
