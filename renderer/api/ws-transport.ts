// The TownApi over a WebSocket that comes back by itself: for the renderer in a browser against
// `gt serve`. On a drop it reconnects with backoff, re-sends its subscriptions, and tells its
// listeners ('connected' again), so the store reloads what it may have missed.
// Invariants: one socket at a time; requests made while disconnected fail at once with
// `unavailable` (never hang); subscriptions survive reconnects; terminal bytes go straight to the
// client's terminal-data listeners, never through JSON.
import type { EventName, TownClient } from '../../preload/contract.ts';
import { TownError } from '../../preload/contract.ts';
import { makeStreamClient } from '../../preload/client.ts';
import { decodeTerminalFrame, type ClientMessage, type ServerMessage } from '../../preload/wire.ts';
import { backoffDelay } from './backoff.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'unavailable';

export interface ConnectionInfo {
  state: ConnectionState;
  /** Failed attempts since the last good connection. */
  attempts: number;
  /** Increments with every (re)connection that opened. */
  generation: number;
  error: string | null;
}

export interface TownConnection {
  client: TownClient;
  info(): ConnectionInfo;
  onChange(listener: (info: ConnectionInfo) => void): () => void;
}

/** After this many failed attempts in a row the UI says "unavailable" (it keeps trying). */
const UNAVAILABLE_AFTER = 4;

export function connectWebSocket(url: string): TownConnection {
  let ws: WebSocket | null = null;
  const subscribed = new Set<EventName>();
  const listeners = new Set<(info: ConnectionInfo) => void>();
  let info: ConnectionInfo = { state: 'connecting', attempts: 0, generation: 0, error: null };
  const set = (patch: Partial<ConnectionInfo>): void => {
    info = { ...info, ...patch };
    for (const l of listeners) l(info);
  };
  const isOpen = (): boolean => ws?.readyState === WebSocket.OPEN;
  const send = (msg: ClientMessage): void => {
    if (msg.t === 'sub') for (const e of msg.events) subscribed.add(e);
    if (isOpen()) ws!.send(JSON.stringify(msg));
  };
  const plumbing = makeStreamClient(send, isOpen);

  const open = (): void => {
    const socket = new WebSocket(url);
    ws = socket;
    socket.binaryType = 'arraybuffer';
    let opened = false;
    socket.onopen = () => {
      opened = true;
      if (subscribed.size) socket.send(JSON.stringify({ t: 'sub', events: [...subscribed] } satisfies ClientMessage));
      set({ state: 'connected', attempts: 0, generation: info.generation + 1, error: null });
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      plumbing.failAll(new TownError('unavailable', 'connection to the town closed'));
      const attempts = opened ? 1 : info.attempts + 1;
      set({ state: attempts >= UNAVAILABLE_AFTER ? 'unavailable' : 'reconnecting', attempts, error: opened ? 'connection closed' : 'cannot reach the town' });
      setTimeout(open, backoffDelay(attempts));
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) {
        const { id, data } = decodeTerminalFrame(new Uint8Array(ev.data));
        plumbing.emitTerminalData(id, data);
        return;
      }
      plumbing.receive(JSON.parse(ev.data as string) as ServerMessage);
    };
  };
  open();

  return {
    client: plumbing.client,
    info: () => info,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
