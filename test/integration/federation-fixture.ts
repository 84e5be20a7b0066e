// Towns for the federation tests: `gt init`, then settings/federation*.json written before the town
// starts (the password for remotes is fixed for the life of its dolt server), then `gt up` as a real
// process. Supervision is off (the tests drive sync by hand) unless asked for.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gt, startTown, type GtResult, type RunningTown } from '../helpers/gt.ts';

export interface FedTown {
  base: string;
  dir: string;
  town: RunningTown | null;
  gt(args: string[], env?: Record<string, string>): Promise<GtResult>;
  json<T>(args: string[], env?: Record<string, string>): Promise<T>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The dolt server's pid from the running town's state.json. */
  doltPid(): number;
  cleanup(): Promise<void>;
}

export interface FedTownOptions {
  federation?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  supervision?: Record<string, unknown>;
  /** Create the folder but do not run `gt init` (e.g. for `gt clone`). */
  noInit?: boolean;
  start?: boolean;
}

export async function fedTown(opts: FedTownOptions = {}): Promise<FedTown> {
  const base = mkdtempSync(join(tmpdir(), 'gt-fed-'));
  const dir = join(base, 'town');
  if (!opts.noInit) {
    const init = await gt(['init'], { town: dir });
    if (init.code !== 0) throw new Error(`gt init failed: ${init.stderr}`);
  }
  configure(dir, opts);
  const t: FedTown = {
    base, dir, town: null,
    gt: (args, env) => gt(args, { town: dir, env }),
    async json<T>(args: string[], env?: Record<string, string>): Promise<T> {
      const r = await gt([...args, '--json'], { town: dir, env });
      if (r.code !== 0) throw new Error(`gt ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return JSON.parse(r.stdout) as T;
    },
    async start() {
      configure(dir, opts);
      t.town = await startTown(dir);
    },
    async stop() {
      await t.town?.stop();
      t.town = null;
    },
    doltPid() {
      return (JSON.parse(readFileSync(join(dir, '.runtime', 'state.json'), 'utf8')) as { doltPid: number }).doltPid;
    },
    async cleanup() {
      await t.town?.stop().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
  if (opts.start !== false && !opts.noInit) await t.start();
  return t;
}

function configure(dir: string, opts: FedTownOptions): void {
  mkdirSync(join(dir, 'settings'), { recursive: true });
  writeFileSync(join(dir, 'settings', 'supervision.json'), JSON.stringify(opts.supervision ?? { enabled: false }));
  if (opts.federation) writeFileSync(join(dir, 'settings', 'federation.json'), JSON.stringify(opts.federation));
  if (opts.secrets) writeFileSync(join(dir, 'settings', 'federation-secrets.json'), JSON.stringify(opts.secrets), { mode: 0o600 });
}
