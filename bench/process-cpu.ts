// CPU time of this bench's own process tree, by role, from /proc (Linux): what the town, the PTY
// host, the agents' processes and Chromium's processes spent between two readings. Only
// descendants of this process are counted, so other work on a shared machine is left out.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface Proc {
  pid: number;
  ppid: number;
  /** Its own user+system ticks. */
  ticks: number;
  /** Ticks of its children that have exited and been waited for (cutime+cstime). */
  waitedTicks: number;
  role: string;
  /** Its command line, arguments joined by spaces. */
  args: string;
}

/** The role of a process, by its command line. */
function roleOf(args: string): string {
  if (/chrom/i.test(args)) {
    const type = /--type=([\w-]+)/.exec(args)?.[1];
    return type ? `chromium ${type}` : 'chromium browser';
  }
  if (/host-main\.(cjs|ts)/.test(args)) return 'pty host';
  if (/\bserve\b/.test(args) && /gt/.test(args)) return 'town + web host';
  if (/dolt/.test(args)) return 'dolt';
  if (/-e .*setInterval|let n=0/.test(args)) return 'agent writers';
  return 'other';
}

function readProcs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(rest[1]);
      const ticks = Number(rest[11]) + Number(rest[12]);
      const waitedTicks = Number(rest[13]) + Number(rest[14]);
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), ppid, ticks, waitedTicks, role: roleOf(args), args });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The live descendants of `root`, by pid. */
function descendants(root: number): Map<number, Proc> {
  const all = readProcs();
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const mine = new Map<number, Proc>();
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      mine.set(c.pid, c);
      stack.push(c.pid);
    }
  }
  return mine;
}

/** The live child of `pid` whose command line matches `pattern` (e.g. a town's git runner), or null. */
export function childMatching(pid: number, pattern: RegExp): number | null {
  return readProcs().find((p) => p.ppid === pid && pattern.test(p.args))?.pid ?? null;
}

/** Ticks by pid for the descendants of this process. */
function snapshot(): Map<number, Proc> {
  return descendants(process.pid);
}

/**
 * CPU seconds of a process's live descendants (each one's own plus the children it has waited for).
 * With the root's own cutime+cstime it counts every descendant once, exited or still running.
 */
export function liveDescendantsCpuSeconds(root: number | null): number {
  if (!root) return 0;
  let ticks = 0;
  for (const p of descendants(root).values()) ticks += p.ticks + p.waitedTicks;
  return ticks / TICKS_PER_SECOND;
}

/** Starts a reading; the returned function gives CPU seconds by role since then. */
export function cpuByRole(): () => Map<string, number> {
  const before = snapshot();
  return () => {
    const byRole = new Map<string, number>();
    for (const [pid, p] of snapshot()) {
      const spent = (p.ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
      byRole.set(p.role, (byRole.get(p.role) ?? 0) + spent);
    }
    return byRole;
  };
}

/** Prints CPU by role as seconds and as a share of one core over `seconds` of wall time. */
export function printCpu(byRole: Map<string, number>, seconds: number): void {
  let total = 0;
  console.log(`cpu by process (${seconds.toFixed(0)} s wall; 100% = one core):`);
  for (const [role, s] of [...byRole].sort((a, b) => b[1] - a[1])) {
    total += s;
    if (s > 0) console.log(`  ${role.padEnd(26)} ${s.toFixed(1).padStart(6)} s  ${((100 * s) / seconds).toFixed(0).padStart(4)}%`);
  }
  console.log(`  ${'all'.padEnd(26)} ${total.toFixed(1).padStart(6)} s  ${((100 * total) / seconds).toFixed(0).padStart(4)}%`);
}
