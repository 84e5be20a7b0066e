// The message protocol between the Town (PtyHostClient) and the PTY host process.
// Every message is a plain object that survives structured clone (Electron utilityProcess,
// MessagePort) and Node's 'advanced' IPC serialization alike: no classes, no functions, and
// terminal bytes as Uint8Array (never base64, never a per-chunk string).

export const PROTOCOL_VERSION = 1;

/** Flow-control defaults (characters ≈ bytes here), after VS Code's FlowControlConstants. */
export const HIGH_WATERMARK_BYTES = 100_000;
export const LOW_WATERMARK_BYTES = 5_000;
/** Output is coalesced for this long, or until BATCH_MAX_BYTES, before it is posted. */
export const BATCH_INTERVAL_MS = 5;
export const BATCH_MAX_BYTES = 64 * 1024;
/** Recent output kept per session for attach/replay. */
export const RING_BYTES = 256 * 1024;

export interface SpawnRequest {
  id: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  title: string;
  /** Attach this consumer before the first byte, so it misses nothing however fast the output. */
  consumer?: string;
}

export interface SessionSummary {
  id: string;
  pid: number;
  cols: number;
  rows: number;
  title: string;
  /** Total bytes the session has produced so far (the offset a consumer can attach from). */
  offset: number;
  /** True while the PTY is paused by flow control (a consumer or the transcript is behind). */
  paused: boolean;
  /** Epoch ms of the last output (or of the spawn, before any output). */
  lastOutputAt: number;
}

export interface ScreenSnapshot {
  /** The visible screen as plain text, one line per row, right-trimmed. */
  text: string;
  /** A replayable serialization (escape sequences) that restores the screen in a fresh xterm. */
  serialized: string;
  /** The line the cursor is on, right-trimmed: what status detection reads first. */
  cursorLine: string;
}

/** Town → host. Requests carrying `req` get exactly one `reply`. */
export type HostRequest =
  | { t: 'spawn'; req: number; spawn: SpawnRequest }
  | { t: 'kill'; req: number; id: string; signal: string }
  | { t: 'list'; req: number }
  | { t: 'snapshot'; req: number; id: string }
  | { t: 'attach'; req: number; consumer: string; id: string; fromOffset: number | null }
  | { t: 'ping'; req: number }
  | { t: 'shutdown'; req: number };

/** Town → host, fire-and-forget (hot paths). */
export type HostCommand =
  /** First message after launch: the host answers with 'ready'. (Config travels here rather than
   *  in argv/env so any launcher — fork, Electron utilityProcess — can start the host unchanged.) */
  | { t: 'init'; transcriptDir: string }
  | { t: 'write'; id: string; data: string | Uint8Array }
  | { t: 'resize'; id: string; cols: number; rows: number }
  | { t: 'ack'; consumer: string; id: string; bytes: number }
  | { t: 'detach'; consumer: string; id: string | null };

export type ToHost = HostRequest | HostCommand;

export type ReplyResult =
  | SessionSummary
  | SessionSummary[]
  | ScreenSnapshot
  | { replayed: number; offset: number }
  | { pong: number }
  | null;

/** Host → Town. */
export type FromHost =
  | { t: 'ready'; version: number; pid: number }
  | { t: 'reply'; req: number; ok: true; result: ReplyResult }
  | { t: 'reply'; req: number; ok: false; error: { code: string; message: string } }
  /** One batch of output for every consumer named in `to` (sent once, fanned out by the client). */
  | { t: 'data'; id: string; to: string[]; data: Uint8Array }
  /** `screen`: the last screen as text, so a CLI that printed its error and quit can be told
   *  apart from a crash ("exit 1: Unable to connect to …") after the session is gone. */
  | { t: 'exit'; id: string; exitCode: number | null; signal: number | null; reason: string; screen?: string }
  /** Output activity, throttled: lets the Town's status machine see "working" without the bytes. */
  | { t: 'activity'; id: string; lastOutputAt: number; offset: number }
  | { t: 'flow'; id: string; paused: boolean }
  | { t: 'log'; level: 'warn' | 'error'; message: string };

export function isFromHost(msg: unknown): msg is FromHost {
  return typeof msg === 'object' && msg !== null && typeof (msg as { t?: unknown }).t === 'string';
}
