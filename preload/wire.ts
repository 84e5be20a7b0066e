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

// ── Raw attach (`gt attach`, `gt mayor`) on the CLI's local socket ───────────────────────────────
//
// After the welcome, a client may send ONE `AttachRequest` line instead of requests. The server
// answers with one `AttachReply` line; after an `attached` reply the connection stops speaking
// JSON: server → client carries the terminal's output as raw bytes (exactly what the PTY wrote:
// no JSON, no base64, no decoding), and client → server carries `AttachFrame`s. The server
// acknowledges output to the PTY host as the socket drains, so a client that reads slowly pauses
// that terminal for itself (the kernel buffers fill, writes stay pending, the unacked count grows).

/** Which terminal to attach: an agent address (`mayor`, `rig/crew/name`) or a terminal id. */
export interface AttachRequest {
  t: 'attach';
  target: string;
  /** The client's terminal size, applied on attach (the previous size is restored on detach). */
  cols?: number;
  rows?: number;
}

export type AttachReply =
  | { t: 'attached'; terminal: string; agent: string | null; replayed: number }
  | { t: 'error'; code: ErrorCode; message: string };

/** Ctrl-] (as in telnet): the key `gt attach` detaches on. */
export const DETACH_KEY = 0x1d;

/** Client → server after `attached`: [1 byte type][4 bytes payload length, big endian][payload]. */
export type AttachFrame =
  | { type: 'data'; data: Uint8Array }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'detach' };

export const ATTACH_FRAME_TYPE = { data: 1, resize: 2, detach: 3 } as const;
const ATTACH_HEADER = 5;
/** The largest data payload of one frame; bigger input is split by the sender. */
export const MAX_ATTACH_PAYLOAD = 64 * 1024;
/** Terminal sizes the PTY host accepts (the same bounds as terminalResize). */
export const ATTACH_SIZE = { minCols: 2, maxCols: 1000, minRows: 2, maxRows: 500 } as const;

function validSize(cols: number, rows: number): boolean {
  return Number.isInteger(cols) && Number.isInteger(rows) && cols >= ATTACH_SIZE.minCols && cols <= ATTACH_SIZE.maxCols && rows >= ATTACH_SIZE.minRows && rows <= ATTACH_SIZE.maxRows;
}

export function encodeAttachFrame(frame: AttachFrame): Uint8Array {
  let payload: Uint8Array;
  if (frame.type === 'data') {
    if (frame.data.length > MAX_ATTACH_PAYLOAD) throw new Error(`attach data frame over ${MAX_ATTACH_PAYLOAD} bytes: split it`);
    payload = frame.data;
  } else if (frame.type === 'resize') {
    if (!validSize(frame.cols, frame.rows)) throw new Error(`bad terminal size ${frame.cols}x${frame.rows}`);
    payload = new Uint8Array([frame.cols >> 8, frame.cols & 0xff, frame.rows >> 8, frame.rows & 0xff]);
  } else {
    payload = new Uint8Array(0);
  }
  const out = new Uint8Array(ATTACH_HEADER + payload.length);
  out[0] = ATTACH_FRAME_TYPE[frame.type];
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, ATTACH_HEADER);
  return out;
}

/** Data as as many frames as it takes (input pasted in one go can exceed one frame). */
export function encodeAttachData(data: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += MAX_ATTACH_PAYLOAD) frames.push(encodeAttachFrame({ type: 'data', data: data.subarray(at, at + MAX_ATTACH_PAYLOAD) }));
  return frames;
}

/** Reassembles frames from a byte stream cut anywhere; throws on anything malformed (the server
 *  then closes the connection: a peer that breaks the framing cannot be resynchronised). */
export class AttachFrameDecoder {
  private pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): AttachFrame[] {
    let buf = this.pending.length ? concat(this.pending, chunk) : chunk;
    const frames: AttachFrame[] = [];
    while (buf.length >= ATTACH_HEADER) {
      const type = buf[0];
      const length = new DataView(buf.buffer, buf.byteOffset, buf.length).getUint32(1);
      if (type === ATTACH_FRAME_TYPE.data) {
        if (length > MAX_ATTACH_PAYLOAD) throw new Error(`attach data frame of ${length} bytes is over the ${MAX_ATTACH_PAYLOAD} limit`);
      } else if (type === ATTACH_FRAME_TYPE.resize) {
        if (length !== 4) throw new Error('attach resize frame must carry 4 bytes');
      } else if (type === ATTACH_FRAME_TYPE.detach) {
        if (length !== 0) throw new Error('attach detach frame must be empty');
      } else {
        throw new Error(`unknown attach frame type ${type}`);
      }
      if (buf.length < ATTACH_HEADER + length) break;
      const payload = buf.subarray(ATTACH_HEADER, ATTACH_HEADER + length);
      if (type === ATTACH_FRAME_TYPE.data) {
        // A copy: the caller may keep it while the stream's buffers are reused.
        frames.push({ type: 'data', data: payload.slice() });
      } else if (type === ATTACH_FRAME_TYPE.resize) {
        const cols = (payload[0] << 8) | payload[1];
        const rows = (payload[2] << 8) | payload[3];
        if (!validSize(cols, rows)) throw new Error(`bad terminal size ${cols}x${rows}`);
        frames.push({ type: 'resize', cols, rows });
      } else {
        frames.push({ type: 'detach' });
      }
      buf = buf.subarray(ATTACH_HEADER + length);
    }
    this.pending = buf.slice();
    return frames;
  }

  /** Bytes of an incomplete frame waiting for the rest. */
  get buffered(): number {
    return this.pending.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
