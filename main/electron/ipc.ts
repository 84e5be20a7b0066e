// Wires the TownApi to Electron IPC: one ipcMain.handle per contract request (names from the
// contract, so none is written twice), each checking its sender first; Town events and terminal
// bytes go out only to our live windows. The only module that touches ipcMain.
import { ipcMain, type WebContents } from 'electron';
import { REQUEST_NAMES, TownError, type CallContext } from '../../preload/contract.ts';
import { IPC_EVENT_CHANNEL, IPC_TERMINAL_DATA_CHANNEL, ipcRequestChannel } from '../../preload/wire.ts';
import type { IpcReply } from '../../preload/wire.ts';
import type { Town } from '../town/town.ts';
import type { TrustedWindows } from './trusted-windows.ts';

/** The person at the window; agents call with their own names over the CLI socket. */
const WINDOW_ACTOR = 'overseer';

/**
 * Registers the handlers at once, before the Town is up: the window can open immediately and its
 * first calls simply wait for `town` (or fail with `unavailable` if the Town could not start).
 * Returns a function that removes everything it registered.
 */
export function wireIpc(town: Promise<Town>, windows: TrustedWindows, log: (line: string) => void): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(ipcRequestChannel(name), async (event, args: unknown): Promise<IpcReply> => {
      const verdict = windows.judge(event);
      if (!verdict.ok) {
        log(`ipc: refused ${name}: ${verdict.reason}`);
        return { ok: false, error: { code: 'unauthorized', message: `refused: ${verdict.reason}` } };
      }
      const ctx: CallContext = { actor: WINDOW_ACTOR, transport: 'ipc', consumer: verdict.consumer };
      try {
        const t = await town.catch((err: unknown) => {
          throw new TownError('unavailable', `the town could not start: ${errorMessage(err)}`);
        });
        return { ok: true, result: await t.call(name, args, ctx) };
      } catch (err) {
        const error = TownError.from(err);
        if (error.code === 'internal') log(`ipc: ${name} failed: ${error.message}`);
        return { ok: false, error: error.toJSON() };
      }
    });
  }

  let disposed = false;
  const disposers: Array<() => void> = [];
  disposers.push(windows.onDetached((consumer) => void town.then((t) => t.disconnect(consumer), () => {})));
  void town.then(
    (t) => {
      if (disposed) return;
      disposers.push(
        t.onEvent((name, payload) => {
          for (const wc of windows.live()) send(wc, IPC_EVENT_CHANNEL, name, payload);
        }),
        t.onTerminalData((consumer, id, data) => {
          const wc = windows.forConsumer(consumer);
          if (wc) send(wc, IPC_TERMINAL_DATA_CHANNEL, id, data);
        }),
      );
    },
    () => {},
  );

  function send(wc: WebContents, channel: string, ...args: unknown[]): void {
    try {
      wc.send(channel, ...args);
    } catch (err) {
      // A window destroyed between the check and the send; nothing to deliver to.
      log(`ipc: send on ${channel} to window ${wc.id} failed: ${errorMessage(err)}`);
    }
  }

  return () => {
    disposed = true;
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(ipcRequestChannel(name));
    for (const dispose of disposers.splice(0)) dispose();
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
