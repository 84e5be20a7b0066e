// The TownApi on a local socket for the `gt` CLI: newline-delimited JSON, mode 0600, and a token
// check on the first message, so only the town's owner (and the agents it started) can call it.
// After the hello the owner may turn the connection into a raw terminal attach (terminal-attach.ts).
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import { TownError } from '../../preload/contract.ts';
import type { AttachReply, ServerMessage } from '../../preload/wire.ts';
import type { Town } from '../town/town.ts';
import { StreamSession } from './stream-session.ts';
import { agentToken } from '../town/sessions/agent-token.ts';
import { TerminalAttachment } from './terminal-attach.ts';

const Hello = z.object({ t: z.literal('hello'), token: z.string().max(200), actor: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.@/-]+$/) });
/** Before the hello only a short line is accepted; after it, a whole import file (the contract caps it at 200 MB). */
const MAX_HELLO = 64 * 1024;
const MAX_LINE = 256 * 1024 * 1024;

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The socket server of a running town. */
export interface SocketServer {
  readonly server: Server;
  /**
   * Stops taking connections, gives the open ones up to `graceMs` to finish what they asked, then
   * drops the rest. Never waits on a client: an agent's `gt done` queued behind the rig lock, or a
   * `gt attach` left open in another terminal, would otherwise hold a stopping town for minutes
   * (net.Server.close waits for every connection to end). A dropped call may still complete in the
   * town (its writes are transactions); its client reports the lost connection.
   */
  close(graceMs?: number): Promise<void>;
}

/** How long a stopping town lets open connections finish before dropping them. */
export const CLOSE_GRACE_MS = 2000;

export async function listenOnSocket(town: Town, socketPath: string, token: string): Promise<SocketServer> {
  if (process.platform !== 'win32') rmSync(socketPath, { force: true });
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    serve(socket, town, token, `socket:${++connections}`);
  });
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
  let closing: Promise<void> | null = null;
  return {
    server,
    close(graceMs = CLOSE_GRACE_MS) {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        const drop = setTimeout(() => {
          for (const socket of open) socket.destroy();
        }, graceMs);
        drop.unref();
        if (!open.size) clearTimeout(drop);
      });
      return closing;
    },
  };
}

function serve(socket: Socket, town: Town, token: string, consumer: string): void {
  const lines = new LineSplitter();
  let session: StreamSession | null = null;
  /** Only the owner's token may attach a terminal: an agent must not type into another's session. */
  let owner = false;
  /** Set once an attach request arrived: from then on the bytes are frames, not JSON lines. */
  let attach: { attachment: TerminalAttachment | null; early: Uint8Array[] } | null = null;
  const send = (msg: ServerMessage | AttachReply | { t: 'error'; message: string }): void => {
    if (!socket.destroyed) socket.write(JSON.stringify(msg) + '\n');
  };
  const fail = (message: string): void => {
    send({ t: 'error', message });
    socket.end();
  };
  const startAttach = (msg: unknown, rest: Uint8Array): void => {
    session?.close();
    session = null;
    attach = { attachment: null, early: rest.length ? [rest] : [] };
    const state = attach;
    if (!owner) {
      send({ t: 'error', code: 'unauthorized', message: 'unauthorized: only the town\'s owner may attach to a terminal, not an agent' });
      socket.end();
      return;
    }
    TerminalAttachment.open(town, socket, `${consumer}:attach`, msg).then(
      (a) => {
        if (socket.destroyed) return a.close('client gone');
        state.attachment = a;
        for (const chunk of state.early.splice(0)) a.receive(chunk);
      },
      (err: unknown) => {
        const e = TownError.from(err);
        send({ t: 'error', code: e.code, message: e.message });
        socket.end();
      },
    );
  };
  socket.on('data', (chunk: Buffer) => {
    if (attach) {
      if (attach.attachment) attach.attachment.receive(chunk);
      else attach.early.push(chunk);
      return;
    }
    if (lines.buffered + chunk.length > (session ? MAX_LINE : MAX_HELLO)) return fail('request too large');
    lines.push(chunk);
    let line: string | null;
    while ((line = lines.next()) !== null) {
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
        owner = tokensEqual(hello.data.token, token);
        if (!owner && !tokensEqual(hello.data.token, agentToken(token, hello.data.actor))) return fail('unauthorized: wrong token');
        session = new StreamSession({ town, ctx: { actor: hello.data.actor, owner, transport: 'socket', consumer }, send, onProtocolError: fail });
        send({ t: 'welcome' });
        continue;
      }
      if ((msg as { t?: unknown } | null)?.t === 'attach') return startAttach(msg, lines.rest());
      session.receive(msg);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    session?.close();
    attach?.attachment?.close('client gone');
  });
}

/** Splits a byte stream into UTF-8 lines without decoding chunk by chunk (a character may be cut
 *  between chunks) and without re-copying a long line on every chunk. */
class LineSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Chunks known to hold no newline: not searched again (a 200 MB import line arrives in many). */
  private searched = 0;

  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next complete line (without its newline), or null until more bytes arrive. */
  next(): string | null {
    for (let i = this.searched; i < this.chunks.length; i++) {
      const nl = this.chunks[i].indexOf(0x0a);
      if (nl < 0) {
        this.searched = i + 1;
        continue;
      }
      this.searched = 0;
      const head = Buffer.concat([...this.chunks.slice(0, i), this.chunks[i].subarray(0, nl)]);
      const tail = this.chunks[i].subarray(nl + 1);
      this.chunks = tail.length ? [tail, ...this.chunks.slice(i + 1)] : this.chunks.slice(i + 1);
      this.size -= head.length + 1;
      return head.toString('utf8');
    }
    return null;
  }

  /** Whatever follows the last line taken: the first bytes of an attach's frames. */
  rest(): Uint8Array {
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    this.searched = 0;
    return all;
  }
}
