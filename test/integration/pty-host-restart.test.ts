// The PTY host killed with kill -9: the client notices, reports every session as exited with the
// reason, reaps what the sessions left behind, and restarts the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import { isAlive } from '../../main/pty-host/process-tree.ts';
import type { TerminalExit } from '../../preload/types.ts';
import { waitFor } from '../helpers/wait.ts';

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), PS1: '$ ', LANG: 'C.UTF-8' };


test('kill -9 of the PTY host: sessions reported exited, orphans reaped, host restarted', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-pty-restart-'));
  const client = new PtyHostClient({ transcriptDir: dir });
  t.after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await client.start();
  const firstPid = client.pid!;
  const ended: TerminalExit[] = [];
  client.on('exit', (e: TerminalExit) => ended.push(e));
  const states: string[] = [];
  client.on('state', (s: string) => states.push(s));

  const shells = [];
  const grandchildren: number[] = [];
  for (const id of ['a', 'b']) {
    const info = await client.spawn({ id, command: 'bash', args: ['--noprofile', '--norc', '-i'], cwd: dir, env: ENV, cols: 80, rows: 24 });
    shells.push(info.pid);
    let text = '';
    client.on('data', (_c: string, sid: string, d: Uint8Array) => {
      if (sid === id) text += Buffer.from(d).toString('latin1');
    });
    await client.attach('t', id);
    // A job that survives the SIGHUP the kernel sends when the PTY master closes with the host.
    client.write(id, '(trap "" HUP TERM; exec sleep 1002) & echo BG=$!\r');
    grandchildren.push(Number((await waitFor('bg pid', () => /BG=(\d+)/.exec(text)))[1]));
  }

  const killedAt = Date.now();
  process.kill(firstPid, 'SIGKILL');
  await waitFor('both exits', () => ended.length >= 2);
  const noticedMs = Date.now() - killedAt;
  console.log(`host death noticed and sessions reported after ${noticedMs} ms`);
  assert.deepEqual(ended.map((e) => e.id).sort(), ['a', 'b']);
  for (const e of ended) {
    assert.equal(e.reason, 'pty host died');
    assert.equal(e.exitCode, null);
  }
  assert.ok(states.includes('restarting'));

  await waitFor('host restarted', () => client.state === 'ready', 15_000);
  assert.notEqual(client.pid, firstPid);
  assert.ok(isAlive(client.pid!));
  for (const pid of [...shells, ...grandchildren]) await waitFor(`pid ${pid} gone`, () => !isAlive(pid), 3000);

  // The new host works.
  const again = await client.spawn({ id: 'a', command: 'bash', args: ['--noprofile', '--norc', '-c', 'echo back'], cwd: dir, env: ENV, cols: 80, rows: 24 });
  assert.ok(again.pid > 0);
  await waitFor('new session exits', () => ended.find((e) => e.id === 'a' && e.reason === 'exited'));
});
