// The TownApi on a local socket for the `gt` CLI: newline-delimited JSON, mode 0600, and a token
// check on the first message, so only the town's owner (and the agents it started) can call it.
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import type { ServerMessage } from '../../preload/wire.ts';
import type { Town } from '../town/town.ts';
import { StreamSession } from './stream-session.ts';
import { agentToken } from '../town/sessions/agent-token.ts';

const Hello = z.object({ t: z.literal('hello'), token: z.string().max(200), actor: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.@/-]+$/) });
/** Before the hello only a short line is accepted; after it, a whole import file (the contract caps it at 200 MB). */
const MAX_HELLO = 64 * 1024;
const MAX_LINE = 256 * 1024 * 1024;

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function listenOnSocket(town: Town, socketPath: string, token: string): Promise<Server> {
  if (process.platform !== 'win32') rmSync(socketPath, { force: true });
  let connections = 0;
  const server = createServer((socket) => serve(socket, town, token, `socket:${++connections}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The umask makes the socket private from its first moment; chmod below makes it explicit.
    const oldMask = process.umask(0o177);
    server.listen(socketPath, () => {
      process.umask(oldMask);
      resolve();
    });
  });
  if (process.platform !== 'win32') chmodSync(socketPath, 0o600);
  return server;
}

function serve(socket: Socket, town: Town, token: string, consumer: string): void {
  let buffer = '';
  let session: StreamSession | null = null;
  const send = (msg: ServerMessage | { t: 'error'; message: string }): void => {
    if (!socket.destroyed) socket.write(JSON.stringify(msg) + '\n');
  };
  const fail = (message: string): void => {
    send({ t: 'error', message });
    socket.end();
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > (session ? MAX_LINE : MAX_HELLO)) return fail('request too large');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.trim()) continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        return fail('not JSON');
      }
      if (!session) {
        const hello = Hello.safeParse(msg);
        if (!hello.success) return fail('expected hello with a valid actor');
        // The owner's token speaks for anyone; an agent's own token only for that agent.
        if (!tokensEqual(hello.data.token, token) && !tokensEqual(hello.data.token, agentToken(token, hello.data.actor))) return fail('unauthorized: wrong token');
        session = new StreamSession({ town, ctx: { actor: hello.data.actor, transport: 'socket', consumer }, send, onProtocolError: fail });
        send({ t: 'welcome' });
        continue;
      }
      session.receive(msg);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => session?.close());
}
