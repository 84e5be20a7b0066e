// Screen reads in the PTY host with real PTYs (main/pty-host/screen-reads.ts): many busy sessions'
// screens asked for at once are each right and answered in the order asked, a request asked
// meanwhile is answered before the last read, and the final screen at an exit still arrives.
// (The request's place in the order did not fail with the code before the queue either, when this
// was written: the host's stalls are shown by the bench, docs/ui.md "Echo under load (session 14)".)
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import type { TerminalExit } from '../../preload/types.ts';
import { waitFor } from '../helpers/wait.ts';
import { startedPtyHost } from '../helpers/pty-host.ts';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), TERM: 'xterm-256color', LANG: 'C.UTF-8' };
const SESSIONS = 12;
const LINES = 2400;
/** 2,400 numbered lines of 100 bytes (~240 KB, just under the host's 256 KB ring), then quiet. */
const PRINT = `awk 'BEGIN { for (i = 0; i < ${LINES}; i++) printf "%05d %s\\n", i, substr("${'x'.repeat(94)}", 1, 93) }'; sleep 120`;

/** A started PTY host with a temp folder, both gone after the test. */
const startedHost = (t: TestContext) => startedPtyHost(t, 'gt-screen-reads');

test('a request asked while many screens are being read is answered before the last read ends', async (t) => {
  const { dir, client } = await startedHost(t);
  const ids = Array.from({ length: SESSIONS }, (_, i) => `busy-${i}`);
  for (const id of ids) await client.spawn({ id, command: 'sh', args: ['-c', PRINT], cwd: dir, env: ENV, cols: 120, rows: 30 });
  await waitFor('every session printed its lines', async () => (await client.list()).every((s) => (s.offset ?? 0) >= LINES * 100), 60_000, 100);

  // Every screen asked for at once (as the Town's status tick does); once the first is answered,
  // a list request: the host must answer it between two reads, not after all of them.
  const order: string[] = [];
  let listed: Promise<unknown> | null = null;
  const reads = ids.map((id) => client.snapshot(id).then((snap) => {
    order.push(id);
    listed ??= client.list().then(() => order.push('list'));
    return snap;
  }));
  const snaps = await Promise.all(reads);
  await listed;
  assert.equal(order.length, SESSIONS + 1);
  assert.notEqual(order.at(-1), 'list', `the list was answered between the reads, not after all ${SESSIONS}: ${order.join(' ')}`);
  assert.deepEqual(order.filter((x) => x !== 'list'), ids, 'reads are answered in the order asked');
  for (const [i, snap] of snaps.entries()) assert.match(snap.text, new RegExp(`^0${LINES - 1} x`, 'm'), `busy-${i}'s screen shows its last line`);
});

test('the final screen at an exit goes through the reads; a session that has ended is not read', async (t) => {
  const { dir, client } = await startedHost(t);
  const exits: Array<{ exit: TerminalExit; screen?: string }> = [];
  client.on('exit', (exit: TerminalExit, screen?: string) => exits.push({ exit, screen }));
  await client.spawn({ id: 'short', command: 'sh', args: ['-c', 'echo last-words-$((6*7)); sleep 0.5'], cwd: dir, env: ENV, cols: 80, rows: 24 });
  const reading = client.snapshot('short');
  await waitFor('the exit', () => exits.length === 1, 20_000, 50);
  assert.match(exits[0].screen ?? '', /last-words-42/, 'the exit carries the final screen');
  assert.match((await reading).text, /last-words-42|^$/, 'a read asked before the exit is answered');
  await assert.rejects(client.snapshot('short'), { code: 'not_found' });
});
