// The renderer's one way to the town: the preload's window.gastown inside Electron (always
// connected while the window lives), a reconnecting WebSocket to `gt serve` in a browser.
import type { TownClient } from '../../preload/contract.ts';
import { connectWebSocket, type ConnectionInfo, type TownConnection } from './ws-transport.ts';

declare global {
  interface Window {
    gastown?: TownClient;
  }
}

export function connectToTown(): TownConnection {
  if (window.gastown) {
    const info: ConnectionInfo = { state: 'connected', attempts: 0, generation: 1, error: null };
    return { client: window.gastown, info: () => info, onChange: () => () => {} };
  }
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) throw new Error('no token: open the URL that `gt serve` printed');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return connectWebSocket(`${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`);
}
