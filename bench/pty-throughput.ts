// Throughput of one session's output: node-pty read directly in this process (baseline) vs the
// same bytes through the PTY host to an acknowledging consumer. Same data, same run, alternated.
//   npx tsx bench/pty-throughput.ts [MB]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pty from 'node-pty';
import { PtyHostClient } from '../main/agents/pty-host-client.ts';
import type { TerminalExit } from '../preload/types.ts';

const MB = Number(process.argv[2] ?? 100);
const ROUNDS = 3;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-bench-tp-'));
const file = path.join(dir, 'data.bin');
writeFileSync(file, randomBytes(MB * 1024 * 1024));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
const TOTAL = MB * 1048576;
// raw -opost: bytes pass through untouched, so both paths move exactly the file's bytes. The shell
// lingers after cat: Linux discards unread PTY output when the session leader exits (hang-up), so
// the writer must not be the leader. Time is taken at the last byte, not at exit.
const args = ['-c', `stty raw -echo -opost; cat "${file}"; sleep 0.5`];

function direct(): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let n = 0;
    let t1 = 0;
    const p = pty.spawn('sh', args, { cols: 80, rows: 24, cwd: dir, env, encoding: null } as pty.IPtyForkOptions);
    p.onData((d) => {
      n += (d as unknown as Buffer).length;
      if (n >= TOTAL) t1 = performance.now();
    });
    p.onExit(() => {
      if (n !== TOTAL) throw new Error(`direct path read ${n} bytes, expected ${TOTAL}`);
      resolve((n / 1048576) / ((t1 - t0) / 1000));
    });
  });
}

async function viaHost(client: PtyHostClient, round: number): Promise<number> {
  const id = `tp${round}`;
  let n = 0;
  let t1 = 0;
  const onData = (c: string, sid: string, d: Uint8Array) => {
    if (sid !== id) return;
    n += d.length;
    if (n >= TOTAL) t1 = performance.now();
    client.ack(c, sid, d.length);
  };
  client.on('data', onData);
  const done = new Promise<void>((resolve) => {
    const onExit = (e: TerminalExit) => {
      if (e.id === id) {
        client.off('exit', onExit);
        resolve();
      }
    };
    client.on('exit', onExit);
  });
  const t0 = performance.now();
  await client.spawn({ id, command: 'sh', args, cwd: dir, env, cols: 80, rows: 24, consumer: 'bench' });
  await done;
  client.off('data', onData);
  if (n !== TOTAL) throw new Error(`host path delivered ${n} bytes, expected ${TOTAL}`);
  return (n / 1048576) / ((t1 - t0) / 1000);
}

const client = new PtyHostClient({ transcriptDir: path.join(dir, 'transcripts') });
await client.start();
const d: number[] = [];
const h: number[] = [];
try {
  await direct(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    d.push(await direct());
    h.push(await viaHost(client, r));
  }
} finally {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`PTY throughput, ${MB} MB per run, ${ROUNDS} rounds (median):`);
console.log(`  node-pty direct (baseline): ${med(d).toFixed(1)} MB/s   runs: ${d.map((x) => x.toFixed(0)).join(', ')}`);
console.log(`  via PTY host + acks:        ${med(h).toFixed(1)} MB/s   runs: ${h.map((x) => x.toFixed(0)).join(', ')}  (incl. transcript to disk)`);
console.log(`  ratio host/direct: ${(med(h) / med(d)).toFixed(2)} (target ≥ 0.8)`);
