// Runs the real `gt` CLI (bin/gt.mjs) against towns in temporary folders.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export { waitFor } from './wait.ts';

export const GT_BIN = resolve('bin/gt.mjs');

export interface GtResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs one gt command to completion. */
export function gt(args: string[], opts: { town?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<GtResult> {
  const full = opts.town ? ['--town', opts.town, ...args] : args;
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [GT_BIN, ...full], { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

export function tempTownDir(): { dir: string; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), 'gt-test-'));
  const dir = join(base, 'town');
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

export interface RunningTown {
  proc: ChildProcess;
  /** The lines gt printed on stdout until it was ready. */
  ready: string;
  webUrl?: string;
  output(): string;
  /** SIGTERM, then wait for the process to exit; returns its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `gt up` (or `gt serve`) and resolves once it printed that the town is up. */
export function startTown(town: string, mode: 'up' | 'serve' = 'up', timeoutMs = 120_000): Promise<RunningTown> {
  const proc = spawn(process.execPath, [GT_BIN, '--town', town, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`gt ${mode} did not become ready in ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gt ${mode} exited with ${code} before it was ready\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
    proc.stdout!.on('data', (d) => {
      stdout += d;
      const wantWeb = mode === 'serve';
      const up = /town up at/.test(stdout);
      const web = /web UI at (\S+)/.exec(stdout);
      if (up && (!wantWeb || web)) {
        clearTimeout(timer);
        resolveStart({
          proc,
          ready: stdout,
          webUrl: web?.[1],
          output: () => `stdout:\n${stdout}\nstderr:\n${stderr}`,
          stop: async () => {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
  });
}

/** Whether a process with this pid still exists (zombies of our own children count as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}


/** The command name of a process (Linux), or null when it is gone. */
export function commandName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Every live descendant of a process, read from /proc (Linux). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
