// Which terminals the town accepts keys for, now that it answers from the PTY host client's own
// record of spawns and exits instead of asking the host on every key. Real town (`gt up`: Dolt, the
// PTY host, real shells) over the CLI's socket as the overseer: a live terminal gets its bytes; one
// that never existed or has exited is a not_found error for every terminal request; an agent's
// session (spawned by the town, not by terminalOpen) is accepted right after its spawn; after the
// PTY host is killed and restarted, the old terminals are not_found and new ones work.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TownClient } from '../../preload/contract.ts';
import { TownError } from '../../preload/contract.ts';
import type { SocketClient } from '../../main/cli/socket-client.ts';
import { alive } from '../helpers/gt.ts';
import { overseerConnection, startTestTown, waitFor, type TestTown } from './town-fixture.ts';

let t: TestTown;
let conn: SocketClient;
let api: TownClient;

before(async () => {
  t = await startTestTown({ tickMs: 500 });
  conn = await overseerConnection(t);
  api = conn.client;
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

function notFound(id: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof TownError, String(err));
    assert.equal(err.code, 'not_found', err.message);
    assert.ok(err.message.includes(id), `names the terminal: ${err.message}`);
    return true;
  };
}

/** Every request that names a terminal refuses `id` with not_found. */
async function refusedEverywhere(id: string): Promise<void> {
  await assert.rejects(api.terminalWrite({ id, data: 'echo lost\r' }), notFound(id), 'write');
  await assert.rejects(api.terminalResize({ id, cols: 90, rows: 30 }), notFound(id), 'resize');
  await assert.rejects(api.terminalAttach({ id }), notFound(id), 'attach');
  await assert.rejects(api.terminalClose({ id }), notFound(id), 'close');
  await assert.rejects(api.uiScreen({ terminal: id, lines: 8 }), notFound(id), 'screen');
  await assert.rejects(api.uiTerminalAttach({ id }), notFound(id), 'attach from an offset');
}

/** Types a command that prints `marker` (computed by the shell, so the echo of the keys cannot match) and waits for it on the screen. */
async function echoes(id: string, marker: string): Promise<void> {
  const [head, tail] = [marker.slice(0, -2), marker.slice(-2)];
  await api.terminalWrite({ id, data: `echo ${head}$((${Number(tail)}+0))\r` });
  await waitFor(`${marker} on ${id}'s screen`, async () => (await api.uiScreen({ terminal: id, lines: 40 })).lines.some((l) => l.trim() === marker), 20_000);
}

async function openShell(): Promise<string> {
  return (await api.terminalOpen({ cols: 80, rows: 24 })).id;
}

test('a live terminal gets its keys; one that never existed or has exited is not_found everywhere', async () => {
  const live = await openShell();
  await echoes(live, 'live-42');
  await api.terminalResize({ id: live, cols: 100, rows: 30 });
  assert.deepEqual((await api.terminalList({})).filter((x) => x.id === live).map((x) => [x.cols, x.rows]), [[100, 30]]);

  await refusedEverywhere('t-neverexisted');

  const leaving = await openShell();
  await echoes(leaving, 'before-exit-17');
  await api.terminalWrite({ id: leaving, data: 'exit\r' });
  // Once the host has dropped it from its list, its exit message came before that reply.
  await waitFor('the shell to exit', async () => !(await api.terminalList({})).some((x) => x.id === leaving), 20_000);
  await refusedEverywhere(leaving);

  // The live one is untouched by all that.
  await echoes(live, 'still-live-63');
  await api.terminalClose({ id: live });
  await waitFor('the closed shell to go', async () => !(await api.terminalList({})).some((x) => x.id === live), 20_000);
  await refusedEverywhere(live);
});

test('an agent session spawned by the town is accepted right after its spawn', async () => {
  const started = await t.gt(['mayor', '--runtime', 'shell', '--no-attach']);
  assert.equal(started.code, 0, started.stderr);
  const mayor = /the Mayor in terminal (\S+)/.exec(started.stdout)?.[1] ?? '';
  assert.ok(mayor, `gt mayor --no-attach prints the terminal: ${started.stdout}`);
  // No list, no wait: the first thing after the spawn returned.
  await api.terminalWrite({ id: mayor, data: 'echo mayor-$((40+2))\r' });
  await waitFor('the Mayor\'s shell to run the first keys', async () => (await api.uiScreen({ terminal: mayor, lines: 40 })).lines.some((l) => l.trim() === 'mayor-42'), 20_000);
});

test('after a PTY host restart the old terminals are not_found and new ones work', async () => {
  const before = await openShell();
  await echoes(before, 'pre-restart-11');
  const status = await api.townStatus({});
  const firstHost = status.ptyHost.pid!;
  process.kill(firstHost, 'SIGKILL');
  await waitFor('the PTY host to be restarted', async () => {
    const s = await api.townStatus({});
    return s.ptyHost.state === 'ready' && s.ptyHost.pid !== firstHost;
  }, 30_000);
  assert.ok(!alive(firstHost));
  await refusedEverywhere(before);

  const after = await openShell();
  assert.notEqual(after, before);
  await echoes(after, 'post-restart-22');
});
