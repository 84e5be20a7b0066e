// A throwaway Dolt server in a fresh temp folder, for integration tests and benchmarks: real dolt,
// free port, generated password, and a dispose() that stops it and removes the folder.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DoltServer, type DoltServerOptions } from './dolt-server.ts';
import { findDolt } from './dolt-locate.ts';

export interface TempDolt {
  server: DoltServer;
  dir: string;
  dispose(): Promise<void>;
}

/** Null when no usable dolt is installed (tests then skip with that reason). */
export function doltAvailable(): string | null {
  return findDolt() ? null : 'no dolt binary found (GT_DOLT, PATH, cache)';
}

export async function startTempDolt(opts: Partial<DoltServerOptions> = {}): Promise<TempDolt> {
  const dir = mkdtempSync(join(tmpdir(), 'gt-ledger-'));
  const server = new DoltServer({
    dataDir: join(dir, 'dolt-data'),
    logFile: join(dir, 'dolt.log'),
    user: 'gastown',
    password: randomBytes(12).toString('hex'),
    database: 'town',
    stopGraceMs: 5000,
    ...opts,
  });
  try {
    await server.start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    server,
    dir,
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
