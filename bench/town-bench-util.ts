// A real town in this process for the work-loop benchmarks: Town.start (real Dolt, real PTY host),
// the CLI socket so agents' `gt` reaches it, and a rig made from a fixture repository. The PTY host
// runs its bundle, as in the app.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallContext } from '../preload/contract.ts';
import type { RigInfo } from '../preload/requests/work-types.ts';
import { initTown, Town } from '../main/town/town.ts';
import { readSecrets } from '../main/town/config.ts';
import { listenOnSocket } from '../main/api/socket-server.ts';
import { buildPtyHost } from '../scripts/build-pty-host.ts';

export const OVERSEER: CallContext = { actor: 'overseer', transport: 'in-process', consumer: 'bench' };

export interface BenchTown {
  town: Town;
  rig: RigInfo;
  call<T>(name: string, args: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface BenchTownFolders {
  /** The temp folder holding both (remove it when done). */
  base: string;
  /** The town (initialized, with its settings). */
  dir: string;
  /** The rig's source repository: one commit with a README. */
  repo: string;
}

/** A new town folder and a rig's source repository in a temp folder (nothing started).
 *  `settings`: settings/work.json additions; `supervision`: settings/supervision.json, when given. */
export function benchTownFolders(opts: { settings?: Record<string, unknown>; supervision?: Record<string, unknown> }): BenchTownFolders {
  const base = mkdtempSync(join(tmpdir(), 'gt-bench-'));
  const dir = join(base, 'town');
  initTown(dir);
  mkdirSync(join(dir, 'settings'), { recursive: true });
  writeFileSync(join(dir, 'settings', 'work.json'), JSON.stringify({ maxPolecats: 1000, tickMs: 1000, ...opts.settings }));
  if (opts.supervision) writeFileSync(join(dir, 'settings', 'supervision.json'), JSON.stringify(opts.supervision));
  const repo = join(base, 'src');
  mkdirSync(repo);
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main'], { env });
  writeFileSync(join(repo, 'README.md'), '# bench\n');
  execFileSync('git', ['-C', repo, 'add', '-A'], { env });
  execFileSync('git', ['-C', repo, 'commit', '-q', '-m', 'init'], { env });
  return { base, dir, repo };
}

/** The bench rig's request: a rig of `script` agents made from the folders' repository. */
export const benchRigArgs = (repo: string, maxPolecats: number) => ({ name: 'bench', source: repo, prefix: 'bn', runtime: 'script', maxPolecats });

/** `settings`: settings/work.json additions; `supervision`: settings/supervision.json, when given. */
export async function benchTown(opts: { maxPolecats: number; settings?: Record<string, unknown>; supervision?: Record<string, unknown> }): Promise<BenchTown> {
  // The PTY host the app ships (its bundle, ~35 MB smaller than the sources through tsx), built from
  // this tree's sources so an edit to main/pty-host/ is measured too.
  await buildPtyHost();
  const { base, dir, repo } = benchTownFolders(opts);
  // BENCH_LOG=file: the town's log lines (dispatch failures, the circuit breaker, escalations) go there.
  const logFile = process.env.BENCH_LOG;
  const town = await Town.start({ dir, ...(logFile ? { log: (line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`) } : {}) });
  // BENCH_DOLT_SQL="SET GLOBAL …; …": server settings to try, run once the town's Dolt is up.
  for (const sql of (process.env.BENCH_DOLT_SQL ?? '').split(';').map((x) => x.trim()).filter(Boolean)) await town.ledger.pool.query(sql);
  const server = await listenOnSocket(town, town.paths.socket, readSecrets(town.paths).apiToken);
  const call = <T>(name: string, args: unknown) => town.call(name, args, OVERSEER) as Promise<T>;
  const rig = await call<RigInfo>('rigAdd', benchRigArgs(repo, opts.maxPolecats));
  return {
    town, rig, call,
    async close() {
      const t0 = Date.now();
      await server.close();
      const t1 = Date.now();
      await town.stop();
      console.log(`teardown: socket server closed in ${((t1 - t0) / 1000).toFixed(1)} s, town stopped in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export const scriptDescription = (file: string, text: string, sleepSeconds: number): string =>
  ['```gt-script', `write ${file} ${text}\\n`, `sleep ${sleepSeconds}`, '```'].join('\n');

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** CPU seconds (user+system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number | null): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds (user+system) of a process's children that have exited and been waited for (cutime+cstime). */
export function childCpuSeconds(pid: number | null): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMb(pid: number | null): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** A process's resident memory in MB from /proc (Linux): all of it, anonymous pages, file-backed pages. */
export function memoryMb(pid: number | null): { rss: number; anon: number; file: number } {
  if (!pid) return { rss: 0, anon: 0, file: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
  } catch {
    return { rss: 0, anon: 0, file: 0 };
  }
}

/** The whole machine's busy CPU seconds so far (every process, ours or not), from /proc/stat. */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}
