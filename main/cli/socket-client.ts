// The CLI's side of the TownApi socket: a TownClient over newline-delimited JSON.
import { connect, type Socket } from 'node:net';
import type { TownClient } from '../../preload/contract.ts';
import { TownError } from '../../preload/errors.ts';
import { makeStreamClient } from '../../preload/client.ts';
import type { ClientMessage, ServerMessage } from '../../preload/wire.ts';

export interface SocketClient {
  client: TownClient;
  close(): void;
}

/**
 * Connects and authenticates; a town that is not up is a clear `unavailable` error, fast.
 * Resolves as soon as the socket is connected and the hello is written: the first request follows
 * the hello without waiting for the welcome (the town reads them in order), which saves a round
 * trip through the town's event loop on every `gt` call. A refused hello rejects that request with
 * the town's `unauthorized` error.
 */
export function connectToTown(socketPath: string, token: string, actor: string, townDir: string): Promise<SocketClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(socketPath);
    let buffer = '';
    let welcomed = false;
    const send = (msg: ClientMessage): void => {
      socket.write(JSON.stringify(msg) + '\n');
    };
    // After the town refused the hello or closed, a request fails at once instead of waiting forever.
    const plumbing = makeStreamClient(send, () => socket.writable);

    socket.setEncoding('utf8');
    socket.setTimeout(1500, () => {
      if (!welcomed) socket.destroy(new TownError('unavailable', `the town at ${townDir} did not answer: is \`gt up\` running?`));
    });
    socket.on('connect', () => {
      send({ t: 'hello', token, actor });
      resolve({ client: plumbing.client, close: () => socket.end() });
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buffer.slice(0, newline)) as ServerMessage | { t: 'error'; message: string };
        buffer = buffer.slice(newline + 1);
        if (msg.t === 'welcome') {
          welcomed = true;
          socket.setTimeout(0);
        } else if (msg.t === 'error') {
          const err = new TownError(msg.message.startsWith('unauthorized') ? 'unauthorized' : 'invalid', msg.message);
          if (!welcomed) reject(err);
          plumbing.failAll(err);
        } else {
          plumbing.receive(msg);
        }
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const down = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      const townErr = down
        ? new TownError('unavailable', `the town at ${townDir} is not up: run \`gt up\` first`)
        : TownError.from(err);
      if (!welcomed) reject(townErr);
      plumbing.failAll(townErr);
    });
    socket.on('close', () => plumbing.failAll(new TownError('unavailable', 'the town closed the connection')));
  });
}
