// The TownApi over WebSocket, for the renderer running in a browser against `gt serve`.
import type { TownClient } from '../../preload/contract.ts';
import { TownError } from '../../preload/contract.ts';
import { makeClient } from '../../preload/client.ts';
import { decodeTerminalFrame, type ClientMessage, type ServerMessage } from '../../preload/wire.ts';

export function connectWebSocket(url: string): Promise<TownClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
    let nextId = 1;
    const send = (msg: ClientMessage): void => ws.send(JSON.stringify(msg));
    const plumbing = makeClient({
      call(name, args) {
        if (ws.readyState !== WebSocket.OPEN) return Promise.reject(new TownError('unavailable', 'not connected to the town'));
        return new Promise((res, rej) => {
          const id = nextId++;
          pending.set(id, { resolve: res, reject: rej });
          send({ t: 'req', id, name, args });
        });
      },
      subscribe(event) {
        send({ t: 'sub', events: [event] });
      },
    });
    ws.onopen = () => resolve(plumbing.client);
    ws.onerror = () => reject(new TownError('unavailable', 'could not connect to the town'));
    ws.onclose = () => {
      for (const p of pending.values()) p.reject(new TownError('unavailable', 'connection to the town closed'));
      pending.clear();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) {
        const { id, data } = decodeTerminalFrame(new Uint8Array(ev.data));
        plumbing.emitTerminalData(id, data);
        return;
      }
      const msg = JSON.parse(ev.data as string) as ServerMessage;
      if (msg.t === 'res') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.result);
        else p?.reject(TownError.from(msg.error));
      } else if (msg.t === 'evt') {
        plumbing.emit(msg.name, msg.payload as never);
      }
    };
  });
}
