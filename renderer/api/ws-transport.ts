// The TownApi over WebSocket, for the renderer running in a browser against `gt serve`.
import type { TownClient } from '../../preload/contract.ts';
import { TownError } from '../../preload/contract.ts';
import { makeStreamClient } from '../../preload/client.ts';
import { decodeTerminalFrame, type ClientMessage, type ServerMessage } from '../../preload/wire.ts';

export function connectWebSocket(url: string): Promise<TownClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const send = (msg: ClientMessage): void => ws.send(JSON.stringify(msg));
    const plumbing = makeStreamClient(send, () => ws.readyState === WebSocket.OPEN);
    ws.onopen = () => resolve(plumbing.client);
    ws.onerror = () => reject(new TownError('unavailable', 'could not connect to the town'));
    ws.onclose = () => plumbing.failAll(new TownError('unavailable', 'connection to the town closed'));
    ws.onmessage = (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) {
        const { id, data } = decodeTerminalFrame(new Uint8Array(ev.data));
        plumbing.emitTerminalData(id, data);
        return;
      }
      plumbing.receive(JSON.parse(ev.data as string) as ServerMessage);
    };
  });
}
