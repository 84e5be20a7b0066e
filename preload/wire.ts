// The message shapes shared by the stream transports (WebSocket, the CLI's local socket) and the
// binary frame that carries terminal bytes. Electron IPC uses the same names with ipcMain/ipcRenderer.
import type { ErrorCode, EventName, RequestName, TownEvents } from './contract.ts';

export type ClientMessage =
  /** The CLI's socket opens with its token and the agent it speaks for (from GT_AGENT). */
  | { t: 'hello'; token: string; actor: string }
  | { t: 'req'; id: number; name: RequestName; args: unknown }
  | { t: 'sub'; events: EventName[] };

export type ServerMessage =
  | { t: 'welcome' }
  | { t: 'res'; id: number; ok: true; result: unknown }
  | { t: 'res'; id: number; ok: false; error: { code: string; message: string } }
  | { [E in EventName]: { t: 'evt'; name: E; payload: TownEvents[E] } }[EventName];

/** What an IPC request handler returns: errors travel as data, because Electron keeps only an Error's message. */
export type IpcReply = { ok: true; result: unknown } | { ok: false; error: { code: ErrorCode; message: string } };

/** Electron IPC channel names, derived from the contract's names so no string is written twice. */
export const ipcRequestChannel = (name: RequestName): string => `gastown:req:${name}`;
export const IPC_EVENT_CHANNEL = 'gastown:evt';
export const IPC_TERMINAL_DATA_CHANNEL = 'gastown:term';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A terminal data frame: [1 byte id length][id in UTF-8][raw terminal bytes]. */
export function encodeTerminalFrame(id: string, data: Uint8Array): Uint8Array {
  const idBytes = encoder.encode(id);
  if (idBytes.length > 255) throw new Error('terminal id too long');
  const frame = new Uint8Array(1 + idBytes.length + data.length);
  frame[0] = idBytes.length;
  frame.set(idBytes, 1);
  frame.set(data, 1 + idBytes.length);
  return frame;
}

export function decodeTerminalFrame(frame: Uint8Array): { id: string; data: Uint8Array } {
  const idLength = frame[0];
  if (frame.length < 1 + idLength) throw new Error('truncated terminal frame');
  return {
    id: decoder.decode(frame.subarray(1, 1 + idLength)),
    data: frame.subarray(1 + idLength),
  };
}
