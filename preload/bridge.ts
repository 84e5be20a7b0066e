// The preload: exposes the TownApi to the sandboxed renderer as `window.gastown`, and nothing else.
// One function per contract request (the list comes from the contract through makeClient), plus
// `on(event, cb)` and `onTerminalData(cb)`. No generic invoke(channel), no ipcRenderer: a
// compromised page can call the TownApi with arguments the Town validates, and that is all.
// Sandboxed preloads may only require('electron'): scripts/build.ts bundles this into one file.
import { contextBridge, ipcRenderer } from 'electron';
import { makeClient } from './client.ts';
import { isEventName, REQUEST_NAMES, type ErrorCode } from './contract.ts';
import { IPC_EVENT_CHANNEL, IPC_TERMINAL_DATA_CHANNEL, ipcRequestChannel, type IpcReply } from './wire.ts';

/**
 * A failed call rejects with a plain `{ name, code, message }` object rather than an Error:
 * contextBridge copies Errors with their message only, and the renderer needs the code.
 * `TownError.from(err)` turns it back into a TownError; `err.message` reads as usual.
 */
export type BridgeRejection = { name: 'TownError'; code: ErrorCode; message: string };

const { client, emit, emitTerminalData } = makeClient({
  async call(name, args) {
    let reply: IpcReply;
    try {
      reply = (await ipcRenderer.invoke(ipcRequestChannel(name), args)) as IpcReply;
    } catch (err) {
      throw rejection('unavailable', err instanceof Error ? err.message : String(err));
    }
    if (reply && reply.ok === true) return reply.result;
    if (reply && reply.ok === false) throw rejection(reply.error.code, reply.error.message);
    throw rejection('internal', `${name}: malformed reply from the main process`);
  },
}, REQUEST_NAMES);

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (isEventName(name)) emit(name, payload as never);
});

ipcRenderer.on(IPC_TERMINAL_DATA_CHANNEL, (_event, id: unknown, data: unknown) => {
  if (typeof id !== 'string' || !ArrayBuffer.isView(data)) return;
  emitTerminalData(id, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
});

contextBridge.exposeInMainWorld('gastown', client);

function rejection(code: ErrorCode, message: string): BridgeRejection {
  return { name: 'TownError', code, message };
}
