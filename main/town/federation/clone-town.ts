// `gt clone URL`: a new town whose ledger is a Dolt clone of a remote (another town's pushed ledger,
// or a town served with --remotes). Runs `dolt clone` into the town's data folder before the town's
// dolt server ever starts; the clone keeps the remote as `origin`, so `gt sync` works at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TownError } from '../../../preload/errors.ts';
import { findDolt } from '../../ledger/dolt-locate.ts';
import { initTown, readConfig } from '../config.ts';
import { checkRemoteUrl, userArgs } from './dolt-sync.ts';
import { readFederationSecrets, readFederationSettings } from './federation-settings.ts';

export interface CloneResult { town: string; database: string; url: string }

export function cloneTown(townDir: string, url: string, user?: string): CloneResult {
  const u = checkRemoteUrl(url);
  const { paths } = initTown(townDir);
  const config = readConfig(paths);
  const target = join(paths.doltData, config.dolt.database);
  if (existsSync(join(target, '.dolt'))) throw new TownError('conflict', `the town at ${townDir} already has a ledger (${target}); clone into a new folder`);
  const dolt = findDolt();
  if (!dolt) throw new TownError('unavailable', 'no usable dolt found (GT_DOLT, PATH, the install cache)');
  // The same HOME-independent identity the town's dolt server uses (dolt-server.ts).
  const root = join(paths.doltData, '.gt', 'dolt-root');
  const globalConfig = join(root, '.dolt', 'config_global.json');
  if (!existsSync(globalConfig)) {
    mkdirSync(join(root, '.dolt'), { recursive: true });
    writeFileSync(globalConfig, JSON.stringify({ 'user.name': 'Gas Town', 'user.email': 'town@gastown.local', 'metrics.disabled': 'true' }));
  }
  const remoteUser = user ?? readFederationSettings(townDir).remoteUser;
  const password = process.env.GT_REMOTE_PASSWORD ?? readFederationSecrets(townDir).remotePassword;
  const env = { ...process.env, DOLT_ROOT_PATH: root, DOLT_DISABLE_EVENT_FLUSH: '1', ...(password ? { DOLT_REMOTE_PASSWORD: password } : {}) };
  const out = spawnSync(dolt.path, ['clone', ...userArgs(u, remoteUser), u, target], { cwd: paths.doltData, env, encoding: 'utf8', timeout: 30 * 60_000 });
  if (out.status !== 0) {
    throw new TownError('unavailable', `dolt clone ${u} failed: ${(out.stderr || out.stdout || String(out.error ?? '')).trim().slice(0, 500)}`);
  }
  return { town: townDir, database: config.dolt.database, url: u };
}
