// PTY host memory per idle session (the host process's RSS; the children are not counted).
// Baseline: the same host with no session, measured in the same run.
//   npx tsx bench/pty-idle-memory.ts [sessions]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../main/agents/pty-host-client.ts';

const N = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-bench-mem-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', PS1: '$ ', HOME: dir };
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const settle = () => new Promise((r) => setTimeout(r, 1500));

const client = new PtyHostClient({ transcriptDir: path.join(dir, 't') });
await client.start();
try {
  // Warm the host's code paths with one session, so the baseline includes loaded modules.
  await client.spawn({ id: 'warm', command: 'bash', args: ['--norc', '--noprofile', '-i'], cwd: dir, env, cols: 120, rows: 40 });
  await client.attach('ui', 'warm');
  await client.snapshot('warm');
  await client.kill('warm', 'SIGKILL');
  await settle();
  const base = rssKb(client.pid!);
  for (let i = 0; i < N; i++) {
    await client.spawn({ id: `idle${i}`, command: 'bash', args: ['--norc', '--noprofile', '-i'], cwd: dir, env, cols: 120, rows: 40 });
    await client.attach('ui', `idle${i}`);
  }
  client.on('data', (c: string, id: string, d: Uint8Array) => client.ack(c, id, d.length));
  await settle();
  const withSessions = rssKb(client.pid!);
  for (let i = 0; i < N; i++) await client.snapshot(`idle${i}`);
  await settle();
  const withScreens = rssKb(client.pid!);
  console.log(`PTY host RSS: no sessions ${base} kB; ${N} idle bash sessions ${withSessions} kB; + screen models ${withScreens} kB`);
  console.log(`  per idle session: ${((withSessions - base) / N).toFixed(0)} kB (target ≤ 1024 kB)`);
  console.log(`  per idle session with its headless xterm (status detection on): ${((withScreens - base) / N).toFixed(0)} kB`);
} finally {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
}
