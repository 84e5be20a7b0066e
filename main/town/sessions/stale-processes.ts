// After a crash of the whole town (SIGKILL of `gt up`), its children may live on: the dolt
// sql-server holding the data folder's lock, agent processes still typing into worktrees. The next
// start finds them from what the dead town left behind and ends them before anything starts, so a
// bead is never worked by a ghost of the previous run. Only processes proven to be ours are touched:
// a dolt sql-server whose working folder is our data folder, processes whose environment names our town.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isAlive, killTreeSync } from '../../pty-host/process-tree.ts';
import type { TownPaths } from '../paths.ts';
import { sessionsStateFile } from './agent-sessions.ts';

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function cwdOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

function environHas(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/** Ends what a dead previous run of this town left running. Returns what it ended, for the log. */
export async function cleanupStaleTown(paths: TownPaths): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  const ended: string[] = [];
  const state = readJson<{ pid?: number; ptyHostPid?: number }>(paths.state);
  // A previous town that is still alive is not stale: the caller refuses to start twice.
  if (state?.pid && state.pid !== process.pid && isAlive(state.pid)) return ended;

  const dataDir = resolve(paths.doltData);
  const infoFiles = [join(dataDir, '.dolt', 'sql-server.info')];
  try {
    for (const name of readdirSync(dataDir)) infoFiles.push(join(dataDir, name, '.dolt', 'sql-server.info'));
  } catch {
    // no data folder yet
  }
  for (const info of infoFiles) {
    if (!existsSync(info)) continue;
    const pid = Number(readFileSync(info, 'utf8').split(':')[0]);
    if (!pid || pid === process.pid || !isAlive(pid)) continue;
    const argv = cmdline(pid);
    const isDolt = argv.some((a) => /(^|\/)dolt$/.test(a)) && argv.includes('sql-server');
    if (!isDolt || cwdOf(pid) !== dataDir) continue;
    process.kill(pid, 'SIGTERM');
    if (!(await waitGone(pid, 10_000))) process.kill(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
    ended.push(`stale dolt sql-server pid ${pid}`);
  }

  if (state?.ptyHostPid && isAlive(state.ptyHostPid) && cmdline(state.ptyHostPid).some((a) => a.endsWith('host-main.ts'))) {
    killTreeSync(state.ptyHostPid);
    ended.push(`orphaned pty host pid ${state.ptyHostPid}`);
  }

  const sessions = readJson<Array<{ agent: string; pid: number }>>(sessionsStateFile(paths.runtime)) ?? [];
  for (const s of sessions) {
    if (!s.pid || !isAlive(s.pid) || !environHas(s.pid, `GT_TOWN=${paths.root}`)) continue;
    killTreeSync(s.pid);
    ended.push(`orphaned agent ${s.agent} pid ${s.pid}`);
  }
  return ended;
}
