// The CLI's side of a raw attach (preload/wire.ts): hello, one attach request, one reply line;
// after that the socket is handed over as it is, carrying raw terminal bytes.
import { connect, type Socket } from 'node:net';
import { TownError, type ErrorCode } from '../../preload/errors.ts';
import type { AttachRequest, ClientMessage } from '../../preload/wire.ts';

export interface Attached {
  socket: Socket;
  terminal: string;
  agent: string | null;
  replayed: number;
  /** Output that arrived in the same read as the reply line: write it before anything else. */
  first: Uint8Array;
}

export function attachToTerminal(socketPath: string, token: string, actor: string, townDir: string, request: Omit<AttachRequest, 't'>): Promise<Attached> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let pending = Buffer.alloc(0);
    let phase: 'hello' | 'attach' | 'done' = 'hello';
    const line = (msg: ClientMessage | AttachRequest): void => {
      socket.write(JSON.stringify(msg) + '\n');
    };
    const fail = (err: TownError): void => {
      if (phase === 'done') return;
      phase = 'done';
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      pending = Buffer.concat([pending, chunk]);
      let nl: number;
      while (phase !== 'done' && (nl = pending.indexOf(0x0a)) >= 0) {
        let msg: { t: string; message?: string; code?: ErrorCode; terminal?: string; agent?: string | null; replayed?: number };
        try {
          msg = JSON.parse(pending.subarray(0, nl).toString('utf8'));
        } catch {
          return fail(new TownError('internal', 'the town answered the attach with something that is not JSON'));
        }
        pending = pending.subarray(nl + 1);
        if (msg.t === 'error') {
          const code = msg.code ?? (msg.message?.startsWith('unauthorized') ? 'unauthorized' : 'invalid');
          return fail(new TownError(code, msg.message ?? 'attach refused'));
        }
        if (phase === 'hello' && msg.t === 'welcome') {
          phase = 'attach';
          line({ t: 'attach', ...request });
        } else if (phase === 'attach' && msg.t === 'attached') {
          phase = 'done';
          socket.setTimeout(0);
          socket.off('data', onData);
          socket.off('error', onError);
          resolve({ socket, terminal: msg.terminal!, agent: msg.agent ?? null, replayed: msg.replayed ?? 0, first: pending });
          return;
        }
      }
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      const down = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
      fail(down ? new TownError('unavailable', `the town at ${townDir} is not up: run \`gt up\` first`) : TownError.from(err));
    };
    socket.setTimeout(5000, () => fail(new TownError('unavailable', `the town at ${townDir} did not answer: is \`gt up\` running?`)));
    socket.on('connect', () => line({ t: 'hello', token, actor }));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', () => fail(new TownError('unavailable', 'the town closed the connection')));
  });
}
