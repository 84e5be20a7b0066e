// `gt serve`: the renderer and the TownApi over HTTP and WebSocket on 127.0.0.1, for a browser.
// The API needs the town's token; the page gets it from the URL fragment, which never reaches logs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeTerminalFrame, type ServerMessage } from '../../preload/wire.ts';
import { tokensEqual } from '../api/socket-server.ts';
import { StreamSession } from '../api/stream-session.ts';
import type { Town } from '../town/town.ts';
import { buildRenderer } from './build-renderer.ts';
import { RENDERER_CSP } from './renderer-csp.ts';
import { TerminalFrames } from './terminal-frames.ts';

export interface WebHost {
  origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};


/**
 * `port` 0 picks a free port; with `preferPort` (the port an earlier run of this town used) that one
 * is tried first, so a page left open reconnects to a restarted town; taken → any free port.
 */
export async function startWebHost(town: Town, opts: { port: number; token: string; preferPort?: number }): Promise<WebHost> {
  const staticDir = mkdtempSync(join(tmpdir(), 'gt-renderer-'));
  await buildRenderer(staticDir);

  const server = createServer((req, res) => serveStatic(staticDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  let origin = '';
  let connections = 0;

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const token = url.searchParams.get('token') ?? '';
    // Another site open in the same browser must not drive the town: check the Origin, then the token.
    if (url.pathname !== '/api' || req.headers.origin !== origin || !tokensEqual(token, opts.token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, town, `ws:${++connections}`));
  });

  const listen = (port: number): Promise<void> => new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => reject(err);
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
  if (opts.port === 0 && opts.preferPort) {
    await listen(opts.preferPort).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
      return listen(0);
    });
  } else {
    await listen(opts.port);
  }
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('web host has no TCP address');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    origin,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(staticDir, { recursive: true, force: true });
    },
  };
}

function serveStatic(dir: string, req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const file = normalize(join(dir, path === '/' ? 'index.html' : path));
  if (!file.startsWith(dir) || req.method !== 'GET') {
    res.writeHead(404).end();
    return;
  }
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': RENDERER_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function serveSocket(ws: WebSocket, town: Town, consumer: string): void {
  // Terminal output is paced per connection: the terminal being typed into first (terminal-frames.ts).
  const frames = new TerminalFrames({
    send: (id, data) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeTerminalFrame(id, data), { binary: true });
    },
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  });
  const send = (msg: ServerMessage): void => {
    if (msg.t === 'res') frames.replying(msg.id);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const session = new StreamSession({
    town,
    ctx: { actor: 'overseer', transport: 'websocket', consumer },
    send,
    sendTerminalData: (id, data) => frames.output(id, data),
    onProtocolError: () => ws.close(1008, 'protocol error'),
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(1003, 'binary frames are server-to-client only');
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return ws.close(1007, 'not JSON');
    }
    frames.request(msg);
    session.receive(msg);
  });
  ws.on('close', () => {
    frames.close();
    session.close();
  });
  ws.on('error', () => {});
}
