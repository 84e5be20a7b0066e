// Entry point of the PTY host process. Runs under child_process.fork (headless, `--import tsx`)
// or as an Electron utilityProcess; the same PtyHost serves both, only the pipe differs.
// Configuration arrives in the first message ('init'), so every launcher starts it the same way.

import { PtyHost } from './pty-host.ts';
import type { FromHost, ToHost } from './protocol.ts';

interface ParentPort {
  on(ev: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
let post: (msg: FromHost) => void;
if (parentPort) {
  post = (msg) => parentPort.postMessage(msg);
} else if (process.send) {
  const send = process.send.bind(process);
  post = (msg) => {
    if (process.connected) send(msg);
  };
} else {
  console.error('pty host: no parent channel (start it with child_process.fork or utilityProcess.fork)');
  process.exit(2);
}

let host: PtyHost | null = null;

function onMessage(msg: ToHost): void {
  if (host) return host.handle(msg);
  if (msg && msg.t === 'init' && typeof msg.transcriptDir === 'string' && msg.transcriptDir) {
    host = new PtyHost(post, msg.transcriptDir);
    host.ready();
  } else {
    post({ t: 'log', level: 'error', message: 'pty host: expected init as the first message' });
  }
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data as ToHost));
else process.on('message', (m) => onMessage(m as ToHost));

// The Town went away without a shutdown: take every session with us, leave no orphans.
function shutdownAndExit(): void {
  void (host?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0));
}
process.on('disconnect', shutdownAndExit);
process.on('exit', () => host?.killAllSync());
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, shutdownAndExit);
// A bug in one session must not take down the others: report it and carry on.
process.on('uncaughtException', (err) => post({ t: 'log', level: 'error', message: `pty host: ${err.stack ?? err.message}` }));

