// A refinery killed mid-gate leaves its gate running (the gate has its own process group so that
// it can be killed as a whole, which also means it survives its parent). The group id is written
// to a file in the worktree's private git dir; the next refinery kills that group before using
// the worktree. On Linux the group leader's environment must carry our marker, so a recycled pid
// belonging to someone else is never killed.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GATE_MARKER_ENV = 'GT_REFINERY_GATE';
const FILE = 'gt-refinery-gate.pid';

export async function recordGate(gitDir: string, pgid: number): Promise<void> {
  await writeFile(join(gitDir, FILE), `${pgid}\n`);
}

export async function clearGate(gitDir: string): Promise<void> {
  await rm(join(gitDir, FILE), { force: true });
}

function carriesMarker(pid: number, marker: string): boolean {
  if (process.platform !== 'linux') return true; // no /proc: trust the file (pids recycle slowly)
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${GATE_MARKER_ENV}=${marker}`);
  } catch {
    return false; // gone, or not ours to read
  }
}

/** Kills a gate left behind by a previous refinery on this worktree. Returns the killed group. */
export async function killOrphanGate(gitDir: string, marker: string): Promise<number | null> {
  let pgid: number;
  try {
    pgid = Number((await readFile(join(gitDir, FILE), 'utf8')).trim());
  } catch {
    return null;
  }
  let killed: number | null = null;
  if (Number.isInteger(pgid) && pgid > 1 && carriesMarker(pgid, marker)) {
    try {
      process.kill(-pgid, 'SIGKILL');
      killed = pgid;
    } catch {
      // already gone
    }
  }
  await clearGate(gitDir);
  return killed;
}
