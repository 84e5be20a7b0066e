// `gt attach` / `gt mayor`: the caller's terminal joined to an agent's session over the CLI's local
// socket. Real town (Dolt, PTY host), a real Mayor running a shell, and the real `gt attach` inside
// a real PTY spawned here with node-pty: type a command and see its output, resize, detach with
// Ctrl-], and the Mayor lives on. Also: streaming without a tty, a reader that stops reading
// pauses the terminal for itself, and bad input (unknown agent, an agent's token, a bad target).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import type { TownClient } from '../../preload/contract.ts';
import type { AgentInfo } from '../../preload/requests/work-types.ts';
import { encodeAttachFrame } from '../../preload/wire.ts';
import { connectToTown, type SocketClient } from '../../main/cli/socket-client.ts';
import { agentToken } from '../../main/town/sessions/agent-token.ts';
import { alive, GT_BIN } from '../helpers/gt.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';

let t: TestTown;
let conn: SocketClient;
let api: TownClient;
let token: string;
let mayorTerminal: string;

/** The environment of a human at their own terminal: no agent identity inherited from anywhere. */
function humanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('GT_')) env[k] = v;
  env.TERM = 'xterm-256color';
  return env;
}

const sizeOf = async (id: string) => (await api.terminalList({})).find((x) => x.id === id) as { cols: number; rows: number; paused?: boolean } | undefined;

before(async () => {
  t = await startTestTown({ tickMs: 500 });
  token = (JSON.parse(readFileSync(join(t.dir, 'secrets.json'), 'utf8')) as { apiToken: string }).apiToken;
  conn = await connectToTown(join(t.dir, '.runtime', 'gt.sock'), token, 'overseer', t.dir);
  api = conn.client;
  const started = await t.gt(['mayor', '--runtime', 'shell', '--no-attach']);
  assert.equal(started.code, 0, started.stderr);
  mayorTerminal = /the Mayor in terminal (\S+)/.exec(started.stdout)?.[1] ?? '';
  assert.ok(mayorTerminal, `gt mayor --no-attach prints the terminal: ${started.stdout}`);
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

test('gt attach in a real tty: replay, typing, resize, Ctrl-] detaches and the Mayor lives on', async () => {
  // Something the Mayor printed before anyone attached: the attach replays it first.
  await api.terminalWrite({ id: mayorTerminal, data: 'echo before-$((40+1))-attach\r' });
  await new Promise((r) => setTimeout(r, 1000)); // the shell prints its prompt and runs it
  const mayorBefore = await t.json<AgentInfo>(['agent', 'show', 'mayor']);
  assert.ok(mayorBefore.session);
  const sizeBefore = await sizeOf(mayorTerminal);

  const term = pty.spawn(process.execPath, [GT_BIN, '--town', t.dir, 'attach', 'mayor'], { name: 'xterm-256color', cols: 100, rows: 30, cwd: t.base, env: humanEnv() });
  let screen = '';
  term.onData((d) => (screen += d));
  const exited = new Promise<number>((r) => term.onExit((e) => r(e.exitCode)));
  try {
    await waitFor('the attach banner', () => screen.includes('[gt: attached to mayor; detach with Ctrl-]]'), 30_000);
    await waitFor('the replay of earlier output', () => screen.includes('before-41-attach'), 10_000);
    assert.deepEqual({ cols: (await sizeOf(mayorTerminal))?.cols, rows: (await sizeOf(mayorTerminal))?.rows }, { cols: 100, rows: 30 }, 'the Mayor takes the size of the attached terminal');

    // Keys typed in the local terminal reach the Mayor's shell; its output comes back.
    term.write('echo typed-$((6*7))-through\r');
    await waitFor('the command\'s output through the attach', () => screen.includes('typed-42-through'), 15_000);

    // SIGWINCH in the local terminal becomes a resize of the Mayor's.
    term.resize(132, 43);
    await waitFor('the Mayor\'s terminal to take the new size', async () => {
      const s = await sizeOf(mayorTerminal);
      return s?.cols === 132 && s.rows === 43;
    }, 10_000);
    term.write('stty size\r');
    await waitFor('the shell to see the new size', () => screen.includes('43 132'), 10_000);

    // Ctrl-] detaches: gt exits 0, says so, the local tty is given back.
    term.write('\x1d');
    assert.equal(await exited, 0);
    assert.match(screen, /\[gt: detached from mayor; it keeps running\]/);
  } finally {
    try {
      term.kill();
    } catch {
      // already gone
    }
  }

  const mayorAfter = await t.json<AgentInfo>(['agent', 'show', 'mayor']);
  assert.equal(mayorAfter.session?.terminal, mayorBefore.session!.terminal, 'the same session after the detach');
  assert.ok(alive(mayorAfter.session!.pid), 'its process is alive');
  assert.deepEqual(await sizeOf(mayorTerminal).then((s) => s && { cols: s.cols, rows: s.rows }), sizeBefore && { cols: sizeBefore.cols, rows: sizeBefore.rows }, 'its size is given back on detach');
  // The detach key never reached the shell, and the shell still answers.
  const again = await t.json<{ started: boolean; terminal: string }>(['mayor']);
  assert.deepEqual([again.started, again.terminal], [false, mayorTerminal]);
});

test('without a tty the attach still streams; SIGTERM detaches cleanly', async () => {
  const child = spawn(process.execPath, [GT_BIN, '--town', t.dir, 'attach', mayorTerminal], { env: humanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  try {
    // Piped input is forwarded too (framed as data), and output streams back as it comes.
    await waitFor('the replay to arrive on the pipe', () => out.length > 0, 20_000);
    child.stdin.write('echo piped-$((2*21))-input\n');
    await waitFor('piped input to run in the Mayor\'s shell', () => out.includes('piped-42-input'), 15_000);
    child.kill('SIGTERM');
    assert.equal(await code, 0, err);
    assert.match(err, /detached from mayor/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  assert.ok((await t.json<AgentInfo>(['agent', 'show', 'mayor'])).session, 'the Mayor lives on');
});

test('a reader that stops reading holds the terminal only briefly, then is skipped ahead and redrawn', async () => {
  // A raw attach by hand: hello, attach, then stop reading. The shell floods: the host pauses it
  // for this reader, then the reader is cut loose and the flood runs to its end without it.
  const sock = connect(join(t.dir, '.runtime', 'gt.sock'));
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write(JSON.stringify({ t: 'hello', token, actor: 'overseer' }) + '\n');
  sock.write(JSON.stringify({ t: 'attach', target: 'mayor' }) + '\n');
  let got = '';
  const onData = (d: Buffer): void => {
    got += d.toString('latin1');
  };
  sock.on('data', onData);
  await waitFor('the attached reply', () => got.includes('"t":"attached"'), 10_000);
  sock.pause();
  try {
    sock.write(encodeAttachFrame({ type: 'data', data: new TextEncoder().encode('yes flood-line-of-a-fast-writer | head -c 20000000; echo flood-$((1+1))-over\r') }));
    await waitFor('the terminal to be paused by the reader that does not read', async () => (await sizeOf(mayorTerminal))?.paused === true, 30_000, 100);
    // Still not reading: after a short grace the terminal goes on without this reader.
    await waitFor('the terminal to resume without the stuck reader', async () => (await sizeOf(mayorTerminal))?.paused === false, 30_000, 200);
    // Reading again: what was in the pipes, then a redraw of the current screen, then live.
    got = '';
    sock.resume();
    await waitFor('the end of the flood to reach the reader', () => got.includes('flood-2-over'), 60_000, 200);
    assert.ok(got.includes('\x1b[H\x1b[2J'), 'the reader was resynchronised with a redraw');
  } finally {
    sock.destroy();
  }
  assert.ok((await t.json<AgentInfo>(['agent', 'show', 'mayor'])).session, 'the Mayor lives on');
});

test('bad input: an unknown agent, an agent\'s own token, a malformed target, a missing argument', async () => {
  const unknown = await t.gt(['attach', 'nowhere/crew/nobody'], humanEnv());
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no agent or terminal named nowhere\/crew\/nobody/);

  // An agent (its own per-agent token) may not attach, not even to itself.
  const asAgent = await t.gt(['attach', 'mayor'], { GT_AGENT: 'mayor', GT_SOCKET_TOKEN: agentToken(token, 'mayor') });
  assert.equal(asAgent.code, 1);
  assert.match(asAgent.stderr, /unauthorized: only the town's owner may attach/);

  const malformed = await t.gt(['attach', 'not a target!'], humanEnv());
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /malformed attach request: malformed agent address or terminal id/);

  const missing = await t.gt(['attach'], humanEnv());
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing agent address or terminal id/);
  assert.ok((await t.json<AgentInfo>(['agent', 'show', 'mayor'])).session, 'nothing of this touched the Mayor');
});
