// `gt attach` at the keyboard: the local tty in raw mode, every key forwarded to the agent's
// terminal, its output written straight to stdout, window size changes forwarded, Ctrl-] detaches,
// and the tty restored however the attach ends. Output is read from the socket only as fast as
// stdout takes it, so a slow terminal slows the agent's stream for this viewer alone.
import { ATTACH_SIZE, DETACH_KEY, encodeAttachData, encodeAttachFrame } from '../../preload/wire.ts';
import { attachToTerminal } from './attach-client.ts';
import { actorFromEnv, tokenFromEnv, type CliContext } from './command.ts';

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.floor(v)));

function localSize(): { cols: number; rows: number } | null {
  const out = process.stdout;
  if (!out.isTTY || !out.columns || !out.rows) return null;
  return { cols: clamp(out.columns, ATTACH_SIZE.minCols, ATTACH_SIZE.maxCols), rows: clamp(out.rows, ATTACH_SIZE.minRows, ATTACH_SIZE.maxRows) };
}

/** Attaches until detached (0) or until the terminal ends (0, with a note on stderr). */
export async function runAttach(ctx: CliContext, target: string): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const a = await attachToTerminal(ctx.paths.socket, await tokenFromEnv(ctx), actorFromEnv(), ctx.townDir, { target, ...localSize() });
  const name = a.agent ?? a.terminal;
  const raw = stdin.isTTY === true;
  if (raw) process.stderr.write(`[gt: attached to ${name}; detach with Ctrl-]]\r\n`);
  const socket = a.socket;
  let detached = false;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    if (raw) stdin.setRawMode(false);
    stdin.pause();
    stdout.off('resize', onResize);
    process.off('exit', restore);
    for (const s of ['SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
  };
  const detach = (): void => {
    if (detached) return;
    detached = true;
    socket.end(encodeAttachFrame({ type: 'detach' }));
  };
  const onResize = (): void => {
    const size = localSize();
    if (size && !socket.destroyed) socket.write(encodeAttachFrame({ type: 'resize', ...size }));
  };
  // Killed from outside: detach cleanly (the agent keeps running) and give the tty back.
  const onSignal = (): void => detach();

  const writeOut = (data: Uint8Array): void => {
    if (!stdout.write(data)) {
      socket.pause();
      stdout.once('drain', () => socket.resume());
    }
  };
  if (a.first.length) writeOut(a.first);
  socket.on('data', writeOut);

  if (raw) stdin.setRawMode(true);
  process.on('exit', restore);
  for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  stdout.on('resize', onResize);
  stdin.on('data', (chunk: Buffer) => {
    if (detached || socket.destroyed) return;
    const key = chunk.indexOf(DETACH_KEY);
    const input = key >= 0 ? chunk.subarray(0, key) : chunk;
    for (const frame of encodeAttachData(input)) socket.write(frame);
    if (key >= 0) detach();
  });
  // Piped input that ends does not end the attach: output keeps streaming until the terminal
  // ends or the process is told to stop (a script reading an agent's output needs exactly that).
  stdin.resume();

  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => {
      restore();
      process.stderr.write(detached ? `\r\n[gt: detached from ${name}; it keeps running]\r\n` : `\r\n[gt: the session of ${name} ended]\r\n`);
      resolve(0);
    });
  });
}
