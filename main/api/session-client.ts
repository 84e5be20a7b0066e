// A TownClient that reaches the Town through a StreamSession in memory: the same path as a socket
// client (the same messages, each through JSON and back, the same checks by Town.call), minus the
// socket. The town uses it to run a `gt` command for a caller (main/cli/cli-runner.ts).
//
// Invariants:
// - Every call is made with the context given (the caller's actor and credential), so the caller's
//   rules apply to each request exactly as over the socket; the session gets a consumer of its own.
// - Arguments and results cross as JSON text, so a command sees exactly what it sees over the socket
//   (undefined fields dropped, dates as strings, errors as TownError code + message).
import type { CallContext } from '../../preload/contract.ts';
import { makeStreamClient } from '../../preload/client.ts';
import type { ServerMessage } from '../../preload/wire.ts';
import { TownError } from '../../preload/errors.ts';
import type { TownConnection } from '../cli/command.ts';
import type { Town } from '../town/town.ts';
import { StreamSession } from './stream-session.ts';

let sessions = 0;

export function sessionClient(town: Town, ctx: CallContext): TownConnection {
  let open = true;
  // Settled on a later turn of the event loop, as a socket's reply would be.
  const plumbing = makeStreamClient((msg) => {
    const text = JSON.stringify(msg);
    queueMicrotask(() => session.receive(JSON.parse(text)));
  }, () => open);
  const session = new StreamSession({
    town,
    ctx: { ...ctx, consumer: `${ctx.consumer}:cli-${++sessions}` },
    send: (msg) => {
      const text = JSON.stringify(msg);
      queueMicrotask(() => plumbing.receive(JSON.parse(text) as ServerMessage));
    },
    onProtocolError: (why) => plumbing.failAll(new TownError('invalid', why)),
  });
  return {
    client: plumbing.client,
    close() {
      if (!open) return;
      open = false;
      session.close();
    },
  };
}
