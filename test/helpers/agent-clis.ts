// The real agent CLIs for tests, installed once from npm into a cache OUTSIDE the repo (pinned
// versions): ${XDG_CACHE_HOME:-~/.cache}/gastown-desktop/agent-clis/<pkg>@<version>.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLI_CACHE_ROOT = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'gastown-desktop', 'agent-clis');

/** Installs pkg@version into its cache folder (once); returns the bin folder or npm's error. */
export function ensureCliInstalled(pkg: string, version: string): Promise<{ bin: string } | { error: string }> {
  const dir = path.join(CLI_CACHE_ROOT, `${pkg.replace('/', '+')}@${version}`);
  const bin = path.join(dir, 'node_modules', '.bin');
  const done = path.join(dir, '.gt-installed');
  if (existsSync(done)) return Promise.resolve({ bin });
  mkdirSync(dir, { recursive: true });
  const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', `${pkg}@${version}`];
  return new Promise((resolve) => {
    execFile('npm', args, { cwd: dir, timeout: 300_000, maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (err) return resolve({ error: `npm ${args.join(' ')} failed: ${(stderr || err.message).trim().split('\n').slice(-5).join(' | ')}` });
      writeFileSync(done, `${new Date().toISOString()}\n`);
      resolve({ bin });
    });
  });
}
