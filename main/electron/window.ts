// The main window: the sandboxed renderer through the preload, and nothing else. It cannot open
// windows, navigate away from the bundle, or get permissions beyond writing to the clipboard.
import { readFileSync, writeFileSync } from 'node:fs';
import { BrowserWindow, screen, session, shell } from 'electron';
import { parseWindowState, placeWindow, type WindowState } from './window-state.ts';
import type { AppPaths } from './app-paths.ts';
import { isExternalWebUrl, isRendererUrl, RENDERER_INDEX_URL } from './renderer-url.ts';
import type { TrustedWindows } from './trusted-windows.ts';
import { ALLOWED_PERMISSIONS, mainWindowOptions } from './window-options.ts';

const SAVE_AFTER_MS = 500;

/** The displays' work areas, the primary display's first. */
function workAreas(): Array<{ x: number; y: number; width: number; height: number }> {
  const primary = screen.getPrimaryDisplay();
  return [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
}

function readState(file: string): WindowState | null {
  try {
    return parseWindowState(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Saves the window's size and place (debounced while it moves) and once more when it closes. */
function rememberPlace(win: BrowserWindow, file: string, log: (line: string) => void): void {
  let timer: NodeJS.Timeout | null = null;
  const save = (): void => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    const state: WindowState = { bounds: win.isMaximized() ? win.getNormalBounds() : win.getBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(file, JSON.stringify(state));
    } catch (err) {
      log(`window: could not save its place: ${(err as Error).message}`);
    }
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, SAVE_AFTER_MS);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event as 'resize', later);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}

/** The main window, where it was last time (`stateFile`: its remembered size and place). */
export function createMainWindow(paths: AppPaths, windows: TrustedWindows, log: (line: string) => void, stateFile?: string): BrowserWindow {
  const place = placeWindow(stateFile ? readState(stateFile) : null, workAreas());
  const win = new BrowserWindow({ ...mainWindowOptions(paths), ...place.bounds });
  if (place.maximized) win.maximize();
  if (stateFile) rememberPlace(win, stateFile, log);
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
