// Flood: 200 MB through a real PTY and the PTY host to a consumer that stalls, then resumes.
// Shows: flow control pauses the PTY (the writer blocks, host memory stays bounded), every byte
// arrives exactly (sha256) including non-UTF-8 bytes and multibyte characters split across
// chunks, and a second session keeps answering while the first floods (its echo ratio is printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import { HIGH_WATERMARK_BYTES, BATCH_MAX_BYTES } from '../../main/pty-host/protocol.ts';
import type { TerminalExit } from '../../preload/types.ts';
import { waitFor } from '../helpers/wait.ts';

const TOTAL = 200 * 1024 * 1024;
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LANG: 'C.UTF-8' };

// The generator is deterministic so the test can compute the expected hash itself. Each 1 MiB
// block is pseudo-random bytes (every byte value, so plenty of invalid UTF-8) with UTF-8 text laid
// over it at odd offsets, so 2-, 3- and 4-byte characters straddle every kind of chunk boundary.
const GENERATOR = `
const total = Number(process.argv[2]);
function block(n) {
  const b = Buffer.alloc(1 << 20);
  let x = (n * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < b.length; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 0xff; }
  const text = Buffer.from('héllo € 𝄞 日本語 ');
  for (let off = 4093 + (n % 7); off + text.length < b.length; off += 8191) text.copy(b, off);
  return b;
}
module.exports = { block };
if (require.main === module) {
  let n = 0, sent = 0;
  const next = () => {
    while (sent < total) {
      const b = block(n++).subarray(0, Math.min(1 << 20, total - sent));
      sent += b.length;
      if (!process.stdout.write(b)) return process.stdout.once('drain', next);
    }
  };
  next();
}
`;


function hostRssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

test('200 MB flood with a stalled consumer: paused, bounded, exact; a second session still answers', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-pty-flood-'));
  const gen = path.join(dir, 'gen.cjs');
  writeFileSync(gen, GENERATOR);
  const client = new PtyHostClient({ transcriptDir: path.join(dir, 'transcripts') });
  t.after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await client.start();
  const hostPid = client.pid!;
  const ended: TerminalExit[] = [];
  client.on('exit', (e: TerminalExit) => ended.push(e));

  // Second session: `cat` with tty echo off, so every echo is a real process round trip.
  await client.spawn({ id: 'echo', command: 'sh', args: ['-c', 'stty -echo; echo READY; exec cat'], cwd: dir, env: ENV, cols: 80, rows: 24 });
  let echoText = '';
  let echoWaiter: { token: string; resolve(): void } | null = null;
  client.on('data', (c: string, id: string, d: Uint8Array) => {
    if (c === 'ui' && id === 'echo') {
      echoText += Buffer.from(d).toString('latin1');
      client.ack('ui', 'echo', d.length);
      if (echoWaiter && echoText.includes(echoWaiter.token)) echoWaiter.resolve();
    }
  });
  await client.attach('ui', 'echo');
  await waitFor('echo ready', () => echoText.includes('READY'));
  let seq = 0;
  const echoOnce = async (): Promise<number> => {
    // Keystrokes come tens of ms apart; back-to-back probes would just measure the batch timer.
    await new Promise((r) => setTimeout(r, 20));
    const token = `p${seq++}q`;
    const t0 = performance.now();
    const seen = new Promise<void>((resolve) => (echoWaiter = { token, resolve }));
    client.write('echo', `${token}\r`);
    await seen;
    echoWaiter = null;
    return performance.now() - t0;
  };
  const baseline: number[] = [];
  for (let i = 0; i < 30; i++) baseline.push(await echoOnce());

  // The flood. -opost: the tty passes bytes through untouched (no \n → \r\n), so we can hash them.
  const rssBefore = hostRssKb(hostPid);
  const hash = createHash('sha256');
  let received = 0;
  let stalled = true;
  let unackedWhileStalled = 0;
  const pausedEvents: boolean[] = [];
  client.on('flow', (id: string, paused: boolean) => id === 'flood' && pausedEvents.push(paused));
  client.on('data', (c: string, id: string, d: Uint8Array) => {
    if (c !== 'ui' || id !== 'flood') return;
    hash.update(d);
    received += d.length;
    if (stalled) unackedWhileStalled += d.length;
    else client.ack('ui', 'flood', d.length);
  });
  // The shell stays the session leader and lingers: Linux discards unread PTY output when the
  // leader exits (hang-up), which would be the kernel losing bytes, not us.
  const cmd = `stty raw -echo -opost; "${process.execPath}" "${gen}" ${TOTAL}; rc=$?; sleep 0.3; exit $rc`;
  await client.spawn({ id: 'flood', command: 'sh', args: ['-c', cmd], cwd: dir, env: ENV, cols: 80, rows: 24, consumer: 'ui' });

  // Stalled: the PTY pauses, the writer blocks, nothing more arrives, host memory stays flat.
  await waitFor('flood paused', () => pausedEvents.at(-1) === true);
  await new Promise((r) => setTimeout(r, 300));
  const [before] = (await client.list()).filter((s) => s.id === 'flood');
  await new Promise((r) => setTimeout(r, 500));
  const [after] = (await client.list()).filter((s) => s.id === 'flood');
  const rssStalled = hostRssKb(hostPid);
  console.log(`stalled: consumer holds ${unackedWhileStalled} unacked bytes; PTY offset ${before.offset} → ${after.offset}; host RSS ${rssBefore} → ${rssStalled} kB`);
  assert.equal(after.paused, true, 'PTY paused');
  assert.equal(after.offset, before.offset, 'no output read while paused');
  // Bound: the high watermark plus what was already in flight (one batch and one read).
  assert.ok(unackedWhileStalled <= HIGH_WATERMARK_BYTES + 2 * BATCH_MAX_BYTES + 64 * 1024, `in flight ${unackedWhileStalled}`);
  assert.ok(received < TOTAL);

  // Resume: ack what we hold, then keep acking; measure the other session's echo meanwhile.
  stalled = false;
  client.ack('ui', 'flood', unackedWhileStalled);
  let peakRss = rssStalled;
  const during: number[] = [];
  while (received < TOTAL * 0.8 && during.length < 30) {
    during.push(await echoOnce());
    peakRss = Math.max(peakRss, hostRssKb(hostPid));
  }
  const exit = await waitFor('flood exit', () => ended.find((e) => e.id === 'flood'), 150_000);
  assert.equal(exit.exitCode, 0);
  assert.equal(received, TOTAL, 'every byte arrived');

  const expected = createHash('sha256');
  const { block } = (await import(gen)).default as { block(n: number): Buffer };
  for (let n = 0, left = TOTAL; left > 0; n++, left -= 1 << 20) expected.update(block(n).subarray(0, Math.min(1 << 20, left)));
  assert.equal(hash.digest('hex'), expected.digest('hex'), 'bytes identical (sha256)');

  const ratio = during.length ? median(during) / median(baseline) : NaN;
  console.log(
    `echo round trip: idle p50 ${median(baseline).toFixed(2)} ms, during flood p50 ${during.length ? median(during).toFixed(2) : 'n/a'} ms ` +
      `(${during.length} samples) → ratio ${ratio.toFixed(2)} (issue target ≤ 2; not asserted: 2 shared cores)`,
  );
  console.log(`host RSS: before ${rssBefore} kB, stalled ${rssStalled} kB, peak while flooding ${peakRss} kB`);
  // The flood finished and the echo session kept answering throughout: no starvation.
  assert.ok(during.length > 0, 'echo answered during the flood');
  assert.ok(peakRss - rssBefore < 96 * 1024, `host RSS grew ${peakRss - rssBefore} kB`);
});
