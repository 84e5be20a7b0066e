// The preload as it ships: scripts/build.ts's own esbuild options bundle preload/bridge.ts, and the
// bundle is run against a stand-in for the `electron` module (the only module a sandboxed preload
// may require). Checks that window.gastown is exactly the contract (one function per request, on,
// onTerminalData) with no generic invoke, and that calls, errors, events and terminal bytes travel
// over the channels main's ipc.ts serves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';
import { REQUEST_NAMES, TownError } from '../../preload/contract.ts';
import { IPC_EVENT_CHANNEL, IPC_TERMINAL_DATA_CHANNEL, ipcRequestChannel } from '../../preload/wire.ts';
import { preloadBuildOptions } from '../../scripts/build.ts';

type Listener = (event: unknown, ...args: unknown[]) => void;

async function bundle(): Promise<string> {
  const result = await build(preloadBuildOptions(null));
  assert.equal(result.outputFiles?.length, 1);
  return result.outputFiles![0].text;
}

/** Runs the bundle with a fake `electron`; any other require() fails the way a sandbox would. */
function load(code: string, invoke: (channel: string, args: unknown) => Promise<unknown>) {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Listener[]>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke,
      on(channel: string, listener: Listener) {
        listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      },
    },
  };
  const fakeRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found in a sandboxed preload: ${name}`);
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', code)(fakeRequire, module, module.exports);
  const deliver = (channel: string, ...args: unknown[]): void => {
    for (const l of listeners.get(channel) ?? []) l({ sender: null }, ...args);
  };
  return { exposed, listeners, required, deliver };
}

test('the bundled preload requires nothing but electron', async () => {
  const code = await bundle();
  const requires = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(requires)], ['electron']);
  const { required } = load(code, async () => ({ ok: true, result: null }));
  assert.deepEqual(required, ['electron']);
});

test('window.gastown is exactly the typed API: one function per request, on, onTerminalData', async () => {
  const { exposed, listeners } = load(await bundle(), async () => ({ ok: true, result: null }));
  assert.deepEqual([...exposed.keys()], ['gastown'], 'one global, nothing else');
  const api = exposed.get('gastown') as Record<string, unknown>;
  assert.deepEqual(Object.keys(api).sort(), [...REQUEST_NAMES, 'on', 'onTerminalData'].sort());
  for (const [key, value] of Object.entries(api)) assert.equal(typeof value, 'function', key);
  for (const forbidden of ['invoke', 'send', 'ipcRenderer', 'sendSync', 'require']) assert.ok(!(forbidden in api), `${forbidden} is not exposed`);
  // The preload listens on exactly the two channels main sends on.
  assert.deepEqual([...listeners.keys()].sort(), [IPC_EVENT_CHANNEL, IPC_TERMINAL_DATA_CHANNEL].sort());
});

test('calls go to the request channel; failures reject with the code intact', async () => {
  const calls: Array<[string, unknown]> = [];
  const replies: unknown[] = [
    { ok: true, result: { id: 'hq-abc', title: 'hello' } },
    { ok: false, error: { code: 'not_found', message: 'no bead hq-zzz' } },
    undefined,
  ];
  const { exposed } = load(await bundle(), async (channel, args) => {
    calls.push([channel, args]);
    if (replies.length === 0) throw new Error("No handler registered for 'gastown:req:townStatus'");
    return replies.shift();
  });
  const api = exposed.get('gastown') as Record<string, (args?: unknown) => Promise<unknown>>;

  assert.deepEqual(await api.beadShow({ id: 'hq-abc' }), { id: 'hq-abc', title: 'hello' });
  assert.deepEqual(calls[0], [ipcRequestChannel('beadShow'), { id: 'hq-abc' }]);

  // contextBridge would strip a custom `code` from an Error, so the rejection is a plain object.
  const notFound = await api.beadShow({ id: 'hq-zzz' }).then(() => assert.fail('must reject'), (e: unknown) => e);
  assert.deepEqual(notFound, { name: 'TownError', code: 'not_found', message: 'no bead hq-zzz' });
  assert.equal(TownError.from(notFound).code, 'not_found');

  const malformed = await api.beadList({}).then(() => assert.fail('must reject'), (e: unknown) => e);
  assert.equal((malformed as { code: string }).code, 'internal');

  const noHandler = await api.townStatus({}).then(() => assert.fail('must reject'), (e: unknown) => e);
  assert.equal((noHandler as { code: string }).code, 'unavailable');
  assert.match((noHandler as { message: string }).message, /No handler registered/);

  // Arguments are passed through untouched: validation is the Town's job, not the preload's.
  assert.deepEqual(calls.map(([channel]) => channel), ['beadShow', 'beadShow', 'beadList', 'townStatus'].map((n) => ipcRequestChannel(n as 'beadShow')));
});

test('events and terminal bytes reach subscribers until they unsubscribe; junk is dropped', async () => {
  const { exposed, deliver } = load(await bundle(), async () => ({ ok: true, result: null }));
  const api = exposed.get('gastown') as {
    on(event: string, cb: (payload: unknown) => void): () => void;
    onTerminalData(cb: (id: string, data: Uint8Array) => void): () => void;
  };
  const seen: unknown[] = [];
  const off = api.on('terminalExit', (p) => seen.push(p));
  deliver(IPC_EVENT_CHANNEL, 'terminalExit', { id: 't1', exitCode: 0, signal: null, reason: 'exited' });
  deliver(IPC_EVENT_CHANNEL, 'notAnEvent', { id: 't2' });
  deliver(IPC_EVENT_CHANNEL, 'beadFeed', { kind: 'x' }); // no subscriber for it
  off();
  deliver(IPC_EVENT_CHANNEL, 'terminalExit', { id: 't3', exitCode: 1, signal: null, reason: 'exited' });
  assert.deepEqual(seen, [{ id: 't1', exitCode: 0, signal: null, reason: 'exited' }]);

  const bytes: Array<[string, number[]]> = [];
  const offData = api.onTerminalData((id, data) => bytes.push([id, [...data]]));
  const raw = new Uint8Array([0xff, 0x1b, 0x5b, 0x41, 0xe2, 0x82]); // invalid UTF-8 and half a character
  deliver(IPC_TERMINAL_DATA_CHANNEL, 't1', raw);
  deliver(IPC_TERMINAL_DATA_CHANNEL, 't1', 'not bytes');
  deliver(IPC_TERMINAL_DATA_CHANNEL, 42, raw);
  offData();
  deliver(IPC_TERMINAL_DATA_CHANNEL, 't1', raw);
  assert.deepEqual(bytes, [['t1', [...raw]]]);
});
