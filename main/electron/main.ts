// The Electron entry: a thin composition root. The Town (main/town) runs in-process and is the
// product; this file only wires it to a window, a tray, notifications and IPC, and makes sure that
// quitting stops the town (Dolt, PTY host, shells) before the process exits.
import { app, BrowserWindow, dialog, Menu } from 'electron';
import { appMenuTemplate } from './app-menu.ts';
import { join } from 'node:path';
import { initTown, Town } from '../town/town.ts';
import { resolveTownDir } from '../town/paths.ts';
import { appPaths, townFlag } from './app-paths.ts';
import { wireIpc } from './ipc.ts';
import { makeLog } from './log.ts';
import { notify } from './notify.ts';
import { escalationAlert } from './escalation-alert.ts';
import type { EscalationEvent } from '../../preload/requests/work-types.ts';
import { utilityProcessLauncher } from './pty-launcher.ts';
import { registerRendererScheme, serveRenderer } from './renderer-protocol.ts';
import { createTray } from './tray.ts';
import { TrustedWindows } from './trusted-windows.ts';
import { createMainWindow, lockDownSession } from './window.ts';

/** How long quitting waits for the town to stop before giving up on a clean shutdown. */
const STOP_TIMEOUT_MS = 20_000;

const townDir = resolveTownDir(townFlag(process.argv));
const paths = appPaths(app.getAppPath());
const log = makeLog(join(townDir, 'logs', 'desktop.log'));

registerRendererScheme();

// One app per machine user: two would fight over the same town's Dolt server and socket.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run();
}

function run(): void {
  const windows = new TrustedWindows();
  let mainWindow: BrowserWindow | null = null;
  let town: Promise<Town> | null = null;
  // What the shell wired up, undone once the town has stopped (timers, listeners, the tray icon).
  const teardown: Array<() => void> = [];
  let stopped = false;
  let stopping = false;

  const showWindow = (): void => {
    if (!mainWindow || mainWindow.isDestroyed()) {
      mainWindow = createMainWindow(paths, windows, log, join(app.getPath('userData'), 'window-state.json'));
      mainWindow.on('closed', () => (mainWindow = null));
    } else {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.show();
      mainWindow.focus();
    }
  };

  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    // macOS keeps apps (and this town) running with no window; elsewhere closing the window quits.
    if (process.platform !== 'darwin') app.quit();
  });

  // Quitting stops the town first. preventDefault is essential: an async before-quit handler that
  // does not hold the quit back lets Electron exit with Dolt and the shells still running.
  app.on('before-quit', (event) => {
    if (stopped || !town) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    log('quitting: stopping the town');
    const giveUp = setTimeout(() => {
      log(`quitting: the town did not stop within ${STOP_TIMEOUT_MS / 1000}s; exiting anyway`);
      stopped = true;
      app.exit(1);
    }, STOP_TIMEOUT_MS);
    void town
      .then((t) => t.stop())
      .catch((err: Error) => log(`quitting: ${err.message}`))
      .finally(() => {
        clearTimeout(giveUp);
        for (const undo of teardown.splice(0).reverse()) undo();
        stopped = true;
        log('quitting: town stopped');
        app.quit();
      });
  });
  // Ctrl-C under `npm start`, or a service manager's SIGTERM: the same clean path as Quit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

  void app.whenReady().then(() => {
    lockDownSession();
    // The app menu lists the shortcuts; picking an item sends its key to the page, which runs it.
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform, (key) => {
      const wc = mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
      if (!wc) return;
      wc.sendInputEvent({ type: 'keyDown', keyCode: key.keyCode, modifiers: key.modifiers });
      wc.sendInputEvent({ type: 'keyUp', keyCode: key.keyCode, modifiers: key.modifiers });
    })));
    serveRenderer(paths.rendererDir);
    log(`starting the town in ${townDir}`);
    town = (async () => {
      await initTown(townDir);
      return Town.start({ dir: townDir, ptyLauncher: utilityProcessLauncher(paths.ptyHost, log), log });
    })();
    town.then(
      () => log('town ready'),
      (err: Error) => {
        log(`the town could not start: ${err.message}`);
        dialog.showErrorBox('Gas Town could not start', `${err.message}\n\nTown folder: ${townDir}\nLog: ${join(townDir, 'logs')}`);
      },
    );
    teardown.push(wireIpc(town, windows, log));
    showWindow();
    // High and critical escalations reach the user even with the window hidden.
    void town.then((t) => t.onEvent((name, payload) => {
      const alert = name === 'escalation' ? escalationAlert(payload as EscalationEvent) : null;
      if (alert) notify(alert, showWindow);
    })).catch(() => undefined);
    const tray = createTray({ iconPath: paths.trayIcon, town, showWindow, quit: () => app.quit(), alert: (a) => notify(a, showWindow) });
    teardown.push(() => tray.dispose());
  });
}
