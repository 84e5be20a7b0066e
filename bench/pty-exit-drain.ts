// Cost of the draining leader's exit-marker scan on the output hot path (main/pty-host/exit-
// drain.ts): scanning 64 KiB chunks of random bytes (every byte value, ESC included) vs the one
// copy per batch the session already makes, same data, same run. (End to end, see
// bench/pty-throughput.ts: host path vs node-pty direct.)
//   npx tsx bench/pty-exit-drain.ts [MB]
import { randomBytes } from 'node:crypto';
import { ExitMarkerScanner } from '../main/pty-host/exit-drain.ts';

const MB = Number(process.argv[2] ?? 256);
const CHUNK = 64 * 1024;
const pool = randomBytes(16 << 20);
const chunks: Buffer[] = [];
for (let off = 0; off + CHUNK <= pool.length; off += CHUNK) chunks.push(pool.subarray(off, off + CHUNK));
const rounds = Math.max(1, Math.round((MB << 20) / pool.length));

function time(fn: (c: Buffer) => number): number {
  let sink = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const c of chunks) sink += fn(c);
  const s = (performance.now() - t0) / 1000;
  if (sink < 0) console.log(sink);
  return (rounds * pool.length) / 1048576 / s;
}

const copy = (c: Buffer) => Buffer.from(c).length;
const scanner = new ExitMarkerScanner('0123456789abcdef');
const scan = (c: Buffer) => {
  let n = 0;
  for (const p of scanner.scan(c)) n += p.length;
  return n;
};
time(copy);
time(scan); // warm-up
const copies: number[] = [];
const scans: number[] = [];
for (let i = 0; i < 5; i++) {
  copies.push(time(copy));
  scans.push(time(scan));
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`exit-marker scan, ${rounds * 16} MB per run in ${CHUNK / 1024} KiB chunks, 5 runs (median):`);
console.log(`  copy per batch (existing cost): ${med(copies).toFixed(0)} MB/s`);
console.log(`  marker scan:                    ${med(scans).toFixed(0)} MB/s`);
console.log(`  scan time / copy time: ${(med(copies) / med(scans)).toFixed(2)}  (the PTY itself moves < 200 MB/s here)`);
