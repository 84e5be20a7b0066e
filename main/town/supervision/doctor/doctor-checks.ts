// `gt doctor`: what a town needs from its machine, each check with what is wrong and how to fix it.
// Runs in the CLI (no town needed) and as the doctor dog inside the town (no fixes there).
//
// Invariants:
//   - A check never changes anything; only a problem's `fix.apply()` does, and only with --fix.
//   - 'fail' means the town cannot work properly (exit 1); 'warn' means something optional is
//     missing (a runtime's CLI, a browser, a rig's git setting); a healthy town exits 0.
//   - Fixes are offered only where they are safe: permissions tightened, stale worktree records
//     pruned, an orphaned worktree moved (never deleted) into <town>/backups/orphans/, a rig's
//     missing git settings set. --fix applies them to failures and warnings alike.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { doltVersion, findDolt, lookDolt, MIN_DOLT_VERSION, versionAtLeast } from '../../../ledger/dolt-locate.ts';
import { isInstalled, listRuntimes } from '../../../agents/runtimes/runtime-registry.ts';
import type { TownPaths } from '../../paths.ts';
import { RIG_GIT_SETTINGS } from '../../rigs/rig-git.ts';
import { rigPaths } from '../../rigs/rig-paths.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  /** How to fix it, in words; `apply` when the doctor can do it itself (--fix). */
  fix?: { describe: string; apply?: () => void };
}

export interface DoctorInput {
  paths: TownPaths;
  /** Polecat addresses the town knows (open agent beads), or null when the town is not up. */
  knownPolecats: Set<string> | null;
  env?: NodeJS.ProcessEnv;
}

const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000, env });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : null;
}

export function checkDolt(env: NodeJS.ProcessEnv = process.env): CheckResult {
  if (env.GT_DOLT) {
    const v = doltVersion(env.GT_DOLT);
    if (!v) return { name: 'dolt', status: 'fail', detail: `GT_DOLT=${env.GT_DOLT} is not a dolt that runs`, fix: { describe: 'point GT_DOLT at a dolt binary, or unset it to use PATH and the install cache' } };
    if (!versionAtLeast(v, MIN_DOLT_VERSION)) return { name: 'dolt', status: 'fail', detail: `GT_DOLT dolt ${v} is older than ${MIN_DOLT_VERSION}`, fix: { describe: 'install a newer dolt (npm run postinstall)' } };
    return ok('dolt', `dolt ${v} (GT_DOLT)`);
  }
  const found = findDolt();
  if (!found) {
    const why = (['PATH', 'cache'] as const).map((s) => { const l = lookDolt(s); return l.found ? '' : `${s}: ${l.why}`; }).filter(Boolean).join('; ');
    return { name: 'dolt', status: 'fail', detail: `no usable dolt (${why})`, fix: { describe: 'npm run postinstall (installs the pinned dolt into the cache), or put dolt >= ' + MIN_DOLT_VERSION + ' on PATH' } };
  }
  return ok('dolt', `dolt ${found.version} (${found.source}: ${found.path})`);
}

export function checkGit(): CheckResult {
  const out = run('git', ['--version']);
  if (!out) return { name: 'git', status: 'fail', detail: 'git is not on PATH', fix: { describe: 'install git >= 2.38' } };
  const v = /(\d+)\.(\d+)/.exec(out);
  if (v && (Number(v[1]) < 2 || (Number(v[1]) === 2 && Number(v[2]) < 38))) {
    return { name: 'git', status: 'fail', detail: `${out}: the Refinery needs git >= 2.38 (merge-tree --write-tree)`, fix: { describe: 'install git >= 2.38' } };
  }
  return ok('git', out);
}

export function checkNodePty(): CheckResult {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('node-pty');
    const root = join(dirname(main), '..');
    // Prebuilt spawn-helpers lose their execute bit in some installs: then every spawn fails.
    const prebuilds = join(root, 'prebuilds');
    const bad: string[] = [];
    if (existsSync(prebuilds)) {
      for (const platform of readdirSync(prebuilds).filter((p) => p === `${process.platform}-${process.arch}`)) {
        const helper = join(prebuilds, platform, 'spawn-helper');
        if (existsSync(helper) && (statSync(helper).mode & 0o111) === 0) bad.push(helper);
      }
    }
    if (bad.length) return { name: 'node-pty', status: 'fail', detail: `spawn-helper not executable: ${bad.join(', ')}`, fix: { describe: 'chmod +x spawn-helper', apply: () => bad.forEach((f) => chmodSync(f, 0o755)) } };
    require('node-pty');
    return ok('node-pty', `loads (${root})`);
  } catch (e) {
    return { name: 'node-pty', status: 'fail', detail: `does not load: ${(e as Error).message.split('\n')[0]}`, fix: { describe: 'npm rebuild node-pty' } };
  }
}

export function checkBrowser(env: NodeJS.ProcessEnv = process.env): CheckResult {
  const candidates = [env.CHROME_PATH, 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'firefox'].filter(Boolean) as string[];
  for (const c of candidates) {
    const where = c.includes('/') ? (existsSync(c) ? c : null) : run('sh', ['-c', `command -v ${c}`]);
    if (where) return ok('browser', `${where.split('\n')[0]} (for gt serve's web UI)`);
  }
  return { name: 'browser', status: 'warn', detail: 'no browser found for the web UI (gt serve)', fix: { describe: 'install Chromium or Firefox, or open the printed URL elsewhere; the desktop app needs none' } };
}

export function checkRuntimes(): CheckResult[] {
  return listRuntimes().filter((rt) => rt.def.kind !== 'script' && rt.def.kind !== 'shell').map((rt) => {
    if (!isInstalled(rt)) return { name: `runtime ${rt.def.name}`, status: 'warn' as const, detail: `${rt.def.command} is not installed`, fix: { describe: rt.def.npmPackage ? `npm install -g ${rt.def.npmPackage}` : `install ${rt.def.command}` } };
    const v = run(rt.def.command, ['--version']);
    return ok(`runtime ${rt.def.name}`, `${rt.def.command} ${v ? v.split('\n')[0] : '(version unknown)'}`);
  });
}

function checkMode(name: string, file: string, required: number, optional: boolean): CheckResult {
  if (!existsSync(file)) return optional ? ok(name, `${file} absent (town not up)`) : { name, status: 'fail', detail: `${file} is missing`, fix: { describe: 'gt init' } };
  const mode = statSync(file).mode & 0o777;
  if ((mode & ~required) !== 0) {
    return { name, status: 'fail', detail: `${file} is mode ${mode.toString(8).padStart(4, '0')}: others can read or use it`, fix: { describe: `chmod ${required.toString(8)} ${file}`, apply: () => chmodSync(file, required) } };
  }
  return ok(name, `${file} mode ${mode.toString(8).padStart(4, '0')}`);
}

export function checkPermissions(paths: TownPaths): CheckResult[] {
  return [checkMode('socket', paths.socket, 0o600, true), checkMode('secrets', paths.secrets, 0o600, false)];
}

/** Worktrees under rigs/<rig>/polecats/ whose polecat the town does not know, or that git forgot. */
export function checkOrphans(paths: TownPaths, known: Set<string> | null): CheckResult[] {
  const rigsDir = join(paths.root, 'rigs');
  if (!existsSync(rigsDir)) return [ok('orphans', 'no rigs')];
  const out: CheckResult[] = [];
  for (const rig of readdirSync(rigsDir)) {
    const rp = rigPaths(paths.root, rig);
    if (!existsSync(rp.bare) || !existsSync(rp.polecats)) continue;
    const list = run('git', ['-C', rp.bare, 'worktree', 'list', '--porcelain']) ?? '';
    const registered = new Set(list.split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9)));
    const prunable = /\nprunable/.test(list);
    if (prunable) out.push({ name: `orphans ${rig}`, status: 'fail', detail: 'git records worktrees whose folders are gone', fix: { describe: `git -C ${rp.bare} worktree prune`, apply: () => void run('git', ['-C', rp.bare, 'worktree', 'prune']) } });
    for (const name of readdirSync(rp.polecats)) {
      const dir = join(rp.polecats, name);
      const address = `${rig}/polecats/${name}`;
      const unknown = known !== null && !known.has(address);
      if (!unknown && registered.has(dir)) continue;
      const to = join(paths.root, 'backups', 'orphans', `${rig}-${name}-${Date.now()}`);
      out.push({
        name: `orphans ${rig}`, status: 'fail',
        detail: `${dir}: ${unknown ? `no polecat ${address} in the town` : 'not a worktree git knows'}`,
        fix: !unknown && known !== null ? { describe: `the town's polecat ${address} has a folder git does not know: gt polecat remove ${address}, then sling again` } : {
          describe: `move it to ${to} (nothing is deleted) and prune git's record`,
          apply: () => {
            mkdirSync(dirname(to), { recursive: true });
            renameSync(dir, to);
            run('git', ['-C', rp.bare, 'worktree', 'prune']);
          },
        },
      });
    }
  }
  return out.length ? out : [ok('orphans', known ? 'no orphaned worktrees' : 'no stray worktrees (town not up: agents not compared)')];
}

/** Each rig's bare repository carries the settings a rig is made with (rig-git.ts RIG_GIT_SETTINGS);
 *  one made by an older town lacks those added since. A warning: the rig works, only slower. */
export function checkRigSettings(paths: TownPaths): CheckResult[] {
  const rigsDir = join(paths.root, 'rigs');
  if (!existsSync(rigsDir)) return [];
  const out: CheckResult[] = [];
  for (const rig of readdirSync(rigsDir)) {
    const { bare } = rigPaths(paths.root, rig);
    if (!existsSync(bare)) continue;
    // `git config --get` exits 1 for an unset key: run answers null.
    const missing = Object.entries(RIG_GIT_SETTINGS).filter(([key, value]) => run('git', ['-C', bare, 'config', '--get', key]) !== value);
    if (!missing.length) continue;
    out.push({
      name: `rig settings ${rig}`, status: 'warn',
      detail: `${bare} lacks ${missing.map(([key, value]) => `${key}=${value}`).join(', ')} (a rig made by an older town: git in its worktrees does more work)`,
      fix: {
        describe: missing.map(([key, value]) => `git -C ${bare} config ${key} ${value}`).join('; '),
        apply: () => {
          for (const [key, value] of missing) if (run('git', ['-C', bare, 'config', key, value]) === null) throw new Error(`git config ${key} ${value} failed in ${bare}`);
        },
      },
    });
  }
  return out.length ? out : [ok('rig settings', `every rig has ${Object.keys(RIG_GIT_SETTINGS).join(', ')}`)];
}

export function checkDisk(paths: TownPaths): CheckResult {
  try {
    const s = statfsSync(existsSync(paths.root) ? paths.root : dirname(paths.root));
    const free = s.bavail * s.bsize;
    const gib = (free / 2 ** 30).toFixed(1);
    if (free < 200 * 2 ** 20) return { name: 'disk', status: 'fail', detail: `${gib} GiB free under ${paths.root}`, fix: { describe: 'free space (gt dog run reaper removes old transcripts; gt dog run compactor shrinks the ledger)' } };
    if (free < 2 ** 30) return { name: 'disk', status: 'warn', detail: `${gib} GiB free under ${paths.root}`, fix: { describe: 'free some space soon' } };
    return ok('disk', `${gib} GiB free`);
  } catch (e) {
    return { name: 'disk', status: 'warn', detail: `cannot read free space: ${(e as Error).message}` };
  }
}

export function runDoctor(input: DoctorInput): CheckResult[] {
  return [
    checkDolt(input.env), checkGit(), checkNodePty(), checkBrowser(input.env), ...checkRuntimes(),
    ...checkPermissions(input.paths), ...checkOrphans(input.paths, input.knownPolecats), ...checkRigSettings(input.paths), checkDisk(input.paths),
  ];
}
