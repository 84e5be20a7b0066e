// Finding and killing a session's whole process tree. A PTY's shell is a session leader (node-pty
// calls setsid), but an interactive shell puts background jobs in their own process groups and a
// double-forked daemon is re-parented to init, so neither "kill the group" nor "walk the children"
// is enough alone: on Linux we take the descendants of the root PLUS every process still in the
// root's terminal session; elsewhere the descendants and the root's group via `ps`.

import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
}

function readProcLinux(): ProcRow[] {
  const rows: ProcRow[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest[0]=state, [1]=ppid, [2]=pgrp, [3]=session
      rows.push({ pid: Number(name), ppid: Number(rest[1]), pgid: Number(rest[2]), sid: Number(rest[3]) });
    } catch {
      // The process exited while we looked: ignore it.
    }
  }
  return rows;
}

function readProcPs(): ProcRow[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length >= 3 && f.every(Number.isFinite))
    .map(([pid, ppid, pgid]) => ({ pid, ppid, pgid, sid: -1 }));
}

function readProcesses(): ProcRow[] {
  return process.platform === 'linux' ? readProcLinux() : readProcPs();
}

/** Every live pid belonging to the tree rooted at `root` (root included if alive). */
export function collectTree(root: number): number[] {
  const rows = readProcesses();
  const found = new Set<number>();
  const byParent = new Map<number, number[]>();
  for (const r of rows) {
    const kids = byParent.get(r.ppid) ?? [];
    kids.push(r.pid);
    byParent.set(r.ppid, kids);
    // Same terminal session (Linux) or same process group as the root: ours.
    if (r.pid === root || (r.sid > 0 && r.sid === root) || r.pgid === root) found.add(r.pid);
  }
  const stack = [...found];
  if (!found.has(root) && rows.some((r) => r.pid === root)) stack.push(root);
  while (stack.length) {
    const pid = stack.pop()!;
    found.add(pid);
    for (const kid of byParent.get(pid) ?? []) if (!found.has(kid)) stack.push(kid);
  }
  found.delete(process.pid);
  return [...found];
}

/** Alive and not a zombie (a zombie has exited; it only waits for its parent to reap it). */
export function isAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalAll(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Sends `signal` to the whole tree; whatever is still alive after `graceMs` (re-collected, since
 * children re-parent when their parent dies) gets SIGKILL. Resolves when nothing is left or after
 * a final SIGKILL sweep.
 */
export async function killTree(root: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 1500): Promise<void> {
  const known = new Set(collectTree(root));
  signalAll(known, signal);
  if (signal === 'SIGKILL') graceMs = 0;
  const deadline = Date.now() + graceMs;
  for (;;) {
    for (const pid of collectTree(root)) known.add(pid);
    const alive = [...known].filter(isAlive);
    if (alive.length === 0) return;
    if (Date.now() >= deadline) {
      signalAll(alive, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
      // One more sweep for anything forked between the scan and the kill.
      signalAll(collectTree(root), 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Synchronous last-resort sweep (process exit handlers cannot await). */
export function killTreeSync(root: number): void {
  signalAll(collectTree(root), 'SIGKILL');
}

/**
 * After a session's leader has exited: SIGKILL whatever is left in its terminal session (a
 * background job that ignored SIGHUP). Linux only (elsewhere `ps` gives no session id); the
 * leader's own pid is never touched, since it may already belong to someone else.
 */
export function sweepSession(sid: number): void {
  if (process.platform !== 'linux') return;
  signalAll(
    readProcLinux()
      .filter((r) => r.sid === sid && r.pid !== sid && r.pid !== process.pid)
      .map((r) => r.pid),
    'SIGKILL',
  );
}

/** Whether `pid` has a live child process (the draining leader: is its command still running?). */
export function hasChildren(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      // One small file instead of a /proc scan (needs CONFIG_PROC_CHILDREN, which distros enable).
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().length > 0;
    } catch {
      // Fall through to the scan.
    }
  }
  return readProcesses().some((r) => r.ppid === pid && isAlive(r.pid));
}
