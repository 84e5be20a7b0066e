// The main window: the sandboxed renderer through the preload, and nothing else. It cannot open
// windows, navigate away from the bundle, or get permissions beyond writing to the clipboard.
import { BrowserWindow, session, shell } from 'electron';
import type { AppPaths } from './app-paths.ts';
import { isExternalWebUrl, isRendererUrl, RENDERER_INDEX_URL } from './renderer-url.ts';
import type { TrustedWindows } from './trusted-windows.ts';
import { ALLOWED_PERMISSIONS, mainWindowOptions } from './window-options.ts';

export function createMainWindow(paths: AppPaths, windows: TrustedWindows, log: (line: string) => void): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(paths));
  const wc = win.webContents;
  windows.add(wc);

  win.once('ready-to-show', () => win.show());
  // Links go to the user's browser; nothing opens inside the app.
  wc.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const stayHome = (event: { preventDefault(): void }, url: string): void => {
    if (isRendererUrl(url)) return;
    event.preventDefault();
    log(`window: blocked navigation to ${url.slice(0, 200)}`);
  };
  wc.on('will-navigate', (event) => stayHome(event, event.url));
  wc.on('will-redirect', (event) => stayHome(event, event.url));
  wc.on('will-frame-navigate', (event) => stayHome(event, event.url));
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.on('render-process-gone', (_event, details) => log(`window: renderer gone (${details.reason}, exit ${details.exitCode})`));

  void win.loadURL(RENDERER_INDEX_URL).catch((err: Error) => log(`window: could not load the renderer: ${err.message}`));
  return win;
}

/** Session-wide rules for every page of the app: deny all permission prompts but the clipboard. */
export function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission));
}
