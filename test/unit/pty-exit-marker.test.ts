// The exit marker the draining leader writes (main/pty-host/exit-drain.ts): found and stripped
// however the output is chunked, every other byte passed through in order, the status decoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitMarkerScanner, wrapInLeader } from '../../main/pty-host/exit-drain.ts';

const NONCE = '0123456789abcdef';
const marker = (rc: number) => Buffer.from(`\x1b]6973;gt-exit;${NONCE};${String(rc).padStart(3, '0')}\x07`, 'latin1');

/** Feeds `stream` to a fresh scanner in chunks cut at `cuts`; returns what came out. */
function feed(stream: Buffer, cuts: number[]) {
  const s = new ExitMarkerScanner(NONCE);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, stream.length]) {
    out.push(...s.scan(stream.subarray(from, c)));
    from = c;
  }
  const held = s.drain();
  if (held) out.push(held);
  return { out: Buffer.concat(out), exit: s.exit };
}

test('the marker is stripped and its status read at every possible chunk boundary', () => {
  // Text with escape sequences (including an OSC that starts like ours) around the marker, and
  // output after it (a background job still writing).
  const before = Buffer.from('last words\r\n\x1b[1mbold\x1b[0m \x1b]0;title\x07 \x1b]6973;other\x07 é€', 'utf8');
  const after = Buffer.from('late\x1b', 'latin1');
  const stream = Buffer.concat([before, marker(3), after]);
  const expected = Buffer.concat([before, after]);
  for (let a = 0; a <= stream.length; a++) {
    for (const b of [a, Math.min(stream.length, a + 1), Math.min(stream.length, a + 17)]) {
      const { out, exit } = feed(stream, a === b ? [a] : [a, b]);
      assert.deepEqual(exit, { exitCode: 3, signal: null }, `cut at ${a},${b}`);
      assert.ok(out.equals(expected), `cut at ${a},${b}: bytes differ`);
    }
  }
});

test('one byte at a time, binary noise with many ESC bytes', () => {
  const noise = Buffer.alloc(4000);
  for (let i = 0; i < noise.length; i++) noise[i] = i % 5 === 0 ? 0x1b : (i * 131) & 0xff;
  const stream = Buffer.concat([noise, marker(0)]);
  const { out, exit } = feed(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1));
  assert.deepEqual(exit, { exitCode: 0, signal: null });
  assert.ok(out.equals(noise));
});

test('statuses: 128+N is death by signal N; malformed or foreign markers are ordinary output', () => {
  assert.deepEqual(feed(marker(143), []).exit, { exitCode: null, signal: 15 });
  assert.deepEqual(feed(marker(137), []).exit, { exitCode: null, signal: 9 });
  assert.deepEqual(feed(marker(127), []).exit, { exitCode: 127, signal: null });
  assert.deepEqual(feed(marker(255), []).exit, { exitCode: 255, signal: null });

  const foreign = Buffer.from('\x1b]6973;gt-exit;ffffffffffffffff;000\x07', 'latin1');
  const bad = Buffer.from(`\x1b]6973;gt-exit;${NONCE};0x0\x07`, 'latin1');
  for (const b of [foreign, bad]) {
    const r = feed(b, [5]);
    assert.equal(r.exit, null);
    assert.ok(r.out.equals(b), 'passed through untouched');
  }
  // A malformed one followed by the real one: the real one still counts.
  const r = feed(Buffer.concat([bad, marker(2)]), [bad.length + 3]);
  assert.deepEqual(r.exit, { exitCode: 2, signal: null });
  assert.ok(r.out.equals(bad));
});

test('a half marker is held back, then released when the leader dies without finishing it', () => {
  const s = new ExitMarkerScanner(NONCE);
  const half = marker(0).subarray(0, 20);
  assert.deepEqual(s.scan(Buffer.concat([Buffer.from('x'), half])).map((b) => b.toString('latin1')), ['x']);
  assert.ok(s.drain()?.equals(half));
  assert.equal(s.exit, null);
});

test('the leader runs the command line as given, with a fresh nonce per session', () => {
  const a = wrapInLeader('my cmd', ['--flag', 'two words', '$HOME']);
  const b = wrapInLeader('x', []);
  if (process.platform === 'win32') return assert.equal(a, null);
  assert.ok(a && b);
  assert.equal(a.file, '/bin/sh');
  assert.deepEqual(a.args.slice(-4), ['my cmd', '--flag', 'two words', '$HOME'], 'arguments passed as arguments, never re-parsed');
  assert.notEqual(a.args[3], b.args[3], 'nonces differ');
});
