// The PTY host end to end with real PTYs: a forked host process, a real bash, real process trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import { isAlive } from '../../main/pty-host/process-tree.ts';
import type { TerminalExit } from '../../preload/types.ts';
import { waitFor } from '../helpers/wait.ts';
import { startedPtyHost } from '../helpers/pty-host.ts';

const BASH_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), PS1: '$ ', TERM: 'xterm-256color', LANG: 'C.UTF-8' };


/** Collects what one consumer receives from one session, acknowledging as it goes. */
function collect(client: PtyHostClient, consumer: string, id: string) {
  const chunks: Buffer[] = [];
  client.on('data', (c: string, sid: string, data: Uint8Array) => {
    if (c !== consumer || sid !== id) return;
    chunks.push(Buffer.from(data));
    client.ack(consumer, id, data.length);
  });
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

function exits(client: PtyHostClient): TerminalExit[] {
  const seen: TerminalExit[] = [];
  client.on('exit', (e: TerminalExit) => seen.push(e));
  return seen;
}

test('bash through the PTY host: echo, kill tree, transcript, stop leaves nothing', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-pty-'));
  const client = new PtyHostClient({ transcriptDir: path.join(dir, 'transcripts') });
  t.after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const states: string[] = [];
  client.on('state', (s: string) => states.push(s));
  await client.start();
  assert.equal(client.state, 'ready');
  const hostPid = client.pid;
  assert.ok(hostPid && isAlive(hostPid), 'host process is running');

  const ended = exits(client);
  const info = await client.spawn({ id: 'bash-1', command: 'bash', args: ['--noprofile', '--norc', '-i'], cwd: dir, env: BASH_ENV, cols: 80, rows: 24 });
  assert.equal(info.id, 'bash-1');
  assert.ok(info.pid > 0);
  assert.deepEqual((await client.list()).map((s) => s.id), ['bash-1']);

  const out = collect(client, 'ui', 'bash-1');
  await client.attach('ui', 'bash-1');
  // $((40+2)) makes the answer differ from the typed command, so we read output, not the echo.
  client.write('bash-1', 'echo hi-$((40+2))\r');
  await waitFor('echo output', () => out.text().includes('hi-42'));

  const snap = await client.snapshot('bash-1');
  assert.match(snap.text, /hi-42/);
  assert.match(snap.cursorLine, /^\$ ?$/);
  assert.ok(snap.serialized.includes('hi-42'));

  // A background grandchild (its own process group under job control) must die with the session.
  client.write('bash-1', 'sleep 1000 & echo BG=$!\r');
  const bgPid = Number((await waitFor('bg pid', () => /BG=(\d+)/.exec(out.text())))[1]);
  assert.ok(isAlive(bgPid), 'grandchild started');
  await client.kill('bash-1');
  const exit = await waitFor('exit event', () => ended.find((e) => e.id === 'bash-1'));
  assert.equal(exit.reason, 'killed');
  await waitFor('grandchild gone', () => !isAlive(bgPid), 3000);
  assert.ok(!isAlive(info.pid), 'shell gone');
  assert.deepEqual(await client.list(), []);

  // The transcript holds the session's output after it ended.
  const transcript = path.join(dir, 'transcripts', 'bash-1.log');
  await waitFor('transcript', () => existsSync(transcript) && readFileSync(transcript, 'utf8').includes('hi-42'));

  // Bad input: clear errors, nothing spawned.
  await assert.rejects(client.spawn({ command: 'no-such-cmd-xyz', args: [], cwd: dir, env: BASH_ENV, cols: 80, rows: 24 }), { code: 'invalid' });
  await assert.rejects(client.spawn({ command: 'bash', args: [], cwd: path.join(dir, 'nope'), env: BASH_ENV, cols: 80, rows: 24 }), { code: 'invalid' });
  await assert.rejects(client.snapshot('nope'), { code: 'not_found' });

  // stop(): every session's tree and the host itself are gone.
  const second = await client.spawn({ id: 'bash-2', command: 'bash', args: ['--noprofile', '--norc', '-i'], cwd: dir, env: BASH_ENV, cols: 80, rows: 24 });
  const out2 = collect(client, 'ui', 'bash-2');
  await client.attach('ui', 'bash-2');
  client.write('bash-2', '(trap "" HUP TERM; exec sleep 1001) & echo BG=$!\r');
  const bg2 = Number((await waitFor('bg2 pid', () => /BG=(\d+)/.exec(out2.text())))[1]);
  assert.ok(isAlive(bg2));
  await client.stop();
  assert.equal(client.state, 'stopped');
  assert.equal(client.pid, null);
  await waitFor('host gone', () => !isAlive(hostPid), 3000);
  await waitFor('session tree gone', () => !isAlive(second.pid) && !isAlive(bg2), 3000);
  assert.deepEqual(states.slice(0, 2), ['starting', 'ready']);
  assert.equal(states.at(-1), 'stopped');
});

test("a consumer that never attached is not detached through the host (every gt call's connection); one that did stops receiving", async (t) => {
  const { dir, client } = await startedPtyHost(t, 'gt-pty-detach');
  await client.spawn({ id: 'cat-1', command: 'cat', args: [], cwd: dir, env: BASH_ENV, cols: 80, rows: 24 });
  const kept = collect(client, 'kept', 'cat-1');
  const gone = collect(client, 'gone', 'cat-1');
  await client.attach('kept', 'cat-1');
  await client.attach('gone', 'cat-1');
  client.write('cat-1', 'first\r');
  await waitFor('both see the first line', () => kept.text().includes('first') && gone.text().includes('first'));

  // What goes to the host, by message type.
  const sent: string[] = [];
  const internals = client as unknown as { send: (m: { t: string }) => void };
  const send = internals.send.bind(client);
  internals.send = (m) => { sent.push(m.t); send(m); };
  client.detach('never-attached');
  assert.deepEqual(sent, [], 'nothing sent for a consumer with no attachment');
  client.detach('gone');
  assert.deepEqual(sent, ['detach']);
  client.detach('gone');
  assert.deepEqual(sent, ['detach'], 'detached from all already: not again');

  client.write('cat-1', 'second\r');
  await waitFor('the attached consumer sees the second line', () => kept.text().includes('second'));
  // The pty answered both lines to "kept"; give "gone" the same time (a round trip) to prove it got nothing more.
  await client.list();
  assert.ok(!gone.text().includes('second'), `the detached consumer got nothing more: ${JSON.stringify(gone.text())}`);
});
