// Echo round trip through the PTY host (write → `cat` in the PTY → data event), p50/p95, with no
// other session and with 29 other sessions each streaming ~50 KB/s to an acknowledging consumer.
// The idle run is the baseline; the ratio is printed.
//   npx tsx bench/pty-echo-latency.ts [samples]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../main/agents/pty-host-client.ts';

const SAMPLES = Number(process.argv[2] ?? 100);
const OTHERS = 29;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-bench-echo-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' };
const client = new PtyHostClient({ transcriptDir: path.join(dir, 't') });
await client.start();

let echoText = '';
let waiter: { token: string; resolve(): void } | null = null;
let streamed = 0;
client.on('data', (c: string, id: string, d: Uint8Array) => {
  client.ack(c, id, d.length);
  if (id !== 'echo') {
    streamed += d.length;
    return;
  }
  echoText = (echoText + Buffer.from(d).toString('latin1')).slice(-4096);
  if (waiter && echoText.includes(waiter.token)) waiter.resolve();
});

async function measure(label: string): Promise<number[]> {
  const xs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await new Promise((r) => setTimeout(r, 20)); // keystroke spacing
    const token = `${label}${i}z`;
    const seen = new Promise<void>((resolve) => (waiter = { token, resolve }));
    const t0 = performance.now();
    client.write('echo', `${token}\r`);
    await seen;
    xs.push(performance.now() - t0);
  }
  return xs.sort((a, b) => a - b);
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];

try {
  await client.spawn({ id: 'echo', command: 'sh', args: ['-c', 'stty -echo; exec cat'], cwd: dir, env, cols: 80, rows: 24, consumer: 'ui' });
  await new Promise((r) => setTimeout(r, 300));
  const idle = await measure('i');
  // 29 streamers: perl prints a 5 KB line every 100 ms (≈ 50 KB/s), light on CPU.
  const streamer = `$|=1; my $s = ("x" x 5119) . "\\n"; while (1) { print $s; select(undef, undef, undef, 0.1) }`;
  for (let i = 0; i < OTHERS; i++) await client.spawn({ id: `s${i}`, command: 'perl', args: ['-e', streamer], cwd: dir, env, cols: 120, rows: 40, consumer: 'ui' });
  await new Promise((r) => setTimeout(r, 1000));
  const s0 = streamed;
  const t0 = performance.now();
  const busy = await measure('b');
  const rate = (streamed - s0) / ((performance.now() - t0) / 1000) / 1024;
  console.log(`Echo round trip via PTY host (${SAMPLES} samples, 20 ms apart):`);
  console.log(`  0 other sessions (baseline): p50 ${pct(idle, 0.5).toFixed(2)} ms  p95 ${pct(idle, 0.95).toFixed(2)} ms`);
  console.log(`  ${OTHERS} sessions streaming (${(rate / OTHERS).toFixed(0)} KB/s each, ${(rate / 1024).toFixed(2)} MB/s total): p50 ${pct(busy, 0.5).toFixed(2)} ms  p95 ${pct(busy, 0.95).toFixed(2)} ms`);
  console.log(`  ratio busy/idle: p50 ${(pct(busy, 0.5) / pct(idle, 0.5)).toFixed(2)}  p95 ${(pct(busy, 0.95) / pct(idle, 0.95)).toFixed(2)}`);
} finally {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
}
