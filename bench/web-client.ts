// A plain WebSocket client of a `gt serve` town for the UI benchmarks: the feed's own delivery time
// (what the page is measured against) is taken from this client in the same process.
import WebSocket from 'ws';
import { makeStreamClient } from '../preload/client.ts';
import type { TownClient } from '../preload/contract.ts';
import type { ServerMessage } from '../preload/wire.ts';

/** Connects to the town's WebSocket API with the token of its UI URL (`…/#token=…`). */
export async function webSocketClient(uiUrl: string): Promise<{ client: TownClient; close(): void }> {
  const url = new URL(uiUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const ws = new WebSocket(`ws://${url.host}/api?token=${encodeURIComponent(token)}`, { origin: url.origin });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const plumbing = makeStreamClient((m) => ws.send(JSON.stringify(m)));
  ws.on('message', (data, binary) => { if (!binary) plumbing.receive(JSON.parse(String(data)) as ServerMessage); });
  return { client: plumbing.client, close: () => ws.close() };
}
