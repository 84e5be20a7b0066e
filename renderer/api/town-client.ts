// The renderer's one way to the town: the preload's window.gastown inside Electron, a WebSocket to
// `gt serve` in a browser. Views only ever see the TownClient interface.
import type { TownClient } from '../../preload/contract.ts';
import { connectWebSocket } from './ws-transport.ts';

declare global {
  interface Window {
    gastown?: TownClient;
  }
}

export async function connectToTown(): Promise<TownClient> {
  if (window.gastown) return window.gastown;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) throw new Error('no token: open the URL that `gt serve` printed');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return connectWebSocket(`${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`);
}
