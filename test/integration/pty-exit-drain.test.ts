// A command's last output survives its exit. Without the draining leader (main/pty-host/
// exit-drain.ts) Linux discards the unread tail when the terminal's session leader exits: a fast
// writer that exits at once loses its last ~10 KB every time. Here the writer exits immediately
// after its last write, and the consumer must receive every byte (sha256). Also: exit codes and
// signals are the command's own, ^C reaches the command and not the leader, resize still works,
// and the leader's marker never shows in the output or the transcript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../main/pty-host/process-tree.ts';
import type { TerminalExit } from '../../preload/types.ts';
import { waitFor } from '../helpers/wait.ts';
import { startedPtyHost } from '../helpers/pty-host.ts';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LANG: 'C.UTF-8' };
const MB = 16;


async function setup(t: { after(fn: () => Promise<void>): void }) {
  const { dir, client } = await startedPtyHost(t, 'gt-pty-drain');
  const exits = new Map<string, TerminalExit>();
  client.on('exit', (e: TerminalExit) => exits.set(e.id, e));
  /** Everything one session sent to consumer 'ui'; acked at once unless `stalled()` says not. */
  const receive = (id: string, stalled = () => false) => {
    const chunks: Buffer[] = [];
    client.on('data', (c: string, sid: string, d: Uint8Array) => {
      if (c !== 'ui' || sid !== id) return;
      chunks.push(Buffer.from(d));
      if (!stalled()) client.ack('ui', id, d.length);
    });
    return () => Buffer.concat(chunks);
  };
  const spawn = (id: string, script: string, cols = 80, rows = 24) =>
    client.spawn({ id, command: 'sh', args: ['-c', script], cwd: dir, env: ENV, cols, rows, consumer: 'ui' });
  return { dir, client, exits, receive, spawn };
}

test(`a writer that exits right after writing ${MB} MB as the session's command: every byte arrives`, { timeout: 120_000 }, async (t) => {
  const { dir, exits, receive, spawn } = await setup(t);
  const file = path.join(dir, 'data.bin');
  const data = randomBytes(MB << 20);
  writeFileSync(file, data);
  const want = createHash('sha256').update(data).digest('hex');
  // raw -opost: the tty passes bytes untouched; `exec` makes cat itself the command, so it exits
  // the instant its last write() returns, with its tail still in the kernel's buffers.
  for (let round = 0; round < 3; round++) {
    const id = `fast${round}`;
    const got = receive(id);
    await spawn(id, `stty raw -echo -opost; exec cat "${file}"`);
    const exit = await waitFor('exit', () => exits.get(id));
    const out = got();
    console.log(`round ${round}: received ${out.length} of ${data.length} bytes (missing ${data.length - out.length}), exit ${JSON.stringify(exit)}`);
    assert.equal(out.length, data.length, 'byte count');
    assert.equal(createHash('sha256').update(out).digest('hex'), want, 'sha256');
    assert.deepEqual({ exitCode: exit.exitCode, signal: exit.signal, reason: exit.reason }, { exitCode: 0, signal: null, reason: 'exited' });
  }
});

test('a command that exits while its consumer has stopped reading: the tail still arrives and the exit is reported', { timeout: 60_000 }, async (t) => {
  const { dir, client, exits, receive, spawn } = await setup(t);
  // part1 is just more than the high watermark (100,000), so the never-acking consumer gets the
  // PTY paused once the host has read more than 100,000 of it, whatever its read sizes: at most
  // 4,000 bytes of part1 are left in the kernel's buffer. part2 is then written into that buffer
  // while paused and the command exits. Both fit (8 KB; a paused pty holds only ~12-16 KB before
  // write() blocks): with 120,000 bytes of part1, up to 20 KB could be left when the host's reads
  // were small (a loaded machine), `cat` blocked on the paused PTY and never exited.
  const part1 = randomBytes(104_000);
  const part2 = randomBytes(4_000);
  writeFileSync(path.join(dir, 'p1'), part1);
  writeFileSync(path.join(dir, 'p2'), part2);
  const flow: boolean[] = [];
  client.on('flow', (id: string, paused: boolean) => id === 'stall' && flow.push(paused));
  const got = receive('stall', () => true); // never acknowledges
  await spawn('stall', 'stty raw -echo -opost; cat p1; sleep 0.5; exec cat p2');
  await waitFor('paused', () => flow.includes(true));
  // The host notices the command is gone, reads what is left regardless of the consumer (bounded
  // by the kernel's buffer) and reports the exit.
  const exit = await waitFor('exit', () => exits.get('stall'));
  assert.equal(exit.exitCode, 0);
  const out = got();
  console.log(`stalled consumer: paused; ${out.length} of ${part1.length + part2.length} bytes delivered by exit`);
  assert.ok(out.equals(Buffer.concat([part1, part2])), 'every byte, in order');
});

test("exit codes and signals are the command's; ^C reaches the command, not the leader; resize works; no marker shows", { timeout: 60_000 }, async (t) => {
  const { dir, client, exits, receive, spawn } = await setup(t);
  const outputs = new Map<string, () => Buffer>();
  const run = async (id: string, script: string) => {
    outputs.set(id, receive(id));
    return spawn(id, script);
  };
  await run('code7', 'printf "bye, tail without newline"; exit 7');
  await run('term', 'echo going; kill -TERM $$');
  await run('sigint', 'trap "echo caught INT; exit 5" INT; echo ready; while :; do sleep 0.05; done');
  await run('ctrlc', 'echo ready; exec sleep 100');
  await run('killed', 'echo ready; exec sleep 100');
  await run('size', 'read x; stty size; echo "tail after size"');

  const text = (id: string) => outputs.get(id)!().toString('latin1');
  assert.deepEqual(await waitFor('code7 exit', () => exits.get('code7')), { id: 'code7', exitCode: 7, signal: null, reason: 'exited' });
  assert.ok(text('code7').endsWith('bye, tail without newline'), JSON.stringify(text('code7')));
  assert.deepEqual(await waitFor('term exit', () => exits.get('term')), { id: 'term', exitCode: null, signal: 15, reason: 'signal 15' });

  // ^C typed into the terminal: the command's trap runs and its own exit code is reported.
  await waitFor('sigint ready', () => text('sigint').includes('ready'));
  client.write('sigint', '\x03');
  assert.deepEqual(await waitFor('sigint exit', () => exits.get('sigint')), { id: 'sigint', exitCode: 5, signal: null, reason: 'exited' });
  assert.match(text('sigint'), /caught INT/);
  // ^C to a command with default handling: it dies of SIGINT.
  await waitFor('ctrlc ready', () => text('ctrlc').includes('ready'));
  client.write('ctrlc', '\x03');
  assert.deepEqual(await waitFor('ctrlc exit', () => exits.get('ctrlc')), { id: 'ctrlc', exitCode: null, signal: 2, reason: 'signal 2' });

  // Killed from outside with SIGTERM: reported as killed, and the leader's shell does not add a
  // "Terminated" line of its own to the screen.
  await waitFor('killed ready', () => text('killed').includes('ready'));
  await client.kill('killed');
  assert.deepEqual(await waitFor('killed exit', () => exits.get('killed')), { id: 'killed', exitCode: null, signal: 15, reason: 'killed' });
  assert.equal(text('killed').replace(/\s+$/, ''), 'ready', 'nothing but the command\'s output');

  client.resize('size', 123, 41);
  await new Promise((r) => setTimeout(r, 100));
  client.write('size', 'go\r');
  assert.equal((await waitFor('size exit', () => exits.get('size'))).exitCode, 0);
  assert.match(text('size'), /41 123\r?\n/);
  assert.match(text('size'), /tail after size/);

  for (const id of outputs.keys()) {
    assert.doesNotMatch(text(id), /6973;gt-exit/, `${id}: marker visible`);
    assert.doesNotMatch(readFileSync(path.join(dir, 'transcripts', `${id}.log`), 'latin1'), /6973;gt-exit/, `${id}: marker in transcript`);
  }
  assert.deepEqual(await client.list(), []);
});

test('kill while the consumer is stalled: the whole session goes, leader included', { timeout: 30_000 }, async (t) => {
  const { client, exits, receive, spawn } = await setup(t);
  receive('k', () => true);
  const flow: boolean[] = [];
  client.on('flow', (id: string, paused: boolean) => id === 'k' && flow.push(paused));
  const info = await spawn('k', 'stty raw -echo -opost; while :; do head -c 1000000 /dev/zero; done');
  await waitFor('paused', () => flow.includes(true));
  await client.kill('k');
  const exit = await waitFor('exit', () => exits.get('k'));
  assert.equal(exit.reason, 'killed');
  await waitFor('leader gone', () => !isAlive(info.pid), 3000);
});
