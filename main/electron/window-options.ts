// The renderer's sandbox, as data: kept apart from window.ts so a unit test can pin every flag
// (Electron's security checklist; see docs/architecture.md) without launching Electron.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    // The page gets only window.gastown from the preload: no Node, no electron, no ipcRenderer.
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    // A file dropped on the window must not replace the app with that file.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export function mainWindowOptions(paths: { preload: string; icon: string }): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Gas Town',
    // Shown on 'ready-to-show', so the user never sees a blank white frame.
    show: false,
    backgroundColor: '#0f172a',
    icon: paths.icon,
    webPreferences: secureWebPreferences(paths.preload),
  };
}

/** Permissions the page may get; everything else (camera, geolocation, …) is refused. Notifications:
 *  the page's Web Notifications show as the OS's native ones (an agent waiting, an escalation). */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'notifications']);
