// Where the built app's pieces are, relative to the app root (the repo in development, app.asar
// when packaged). scripts/build.ts writes exactly these paths; electron-builder.yml ships them.
import { join } from 'node:path';

export interface AppPaths {
  preload: string;
  rendererDir: string;
  ptyHost: string;
  icon: string;
  trayIcon: string;
}

export function appPaths(appRoot: string): AppPaths {
  return {
    preload: join(appRoot, 'dist', 'electron', 'preload.cjs'),
    rendererDir: join(appRoot, 'dist', 'renderer'),
    ptyHost: join(appRoot, 'dist', 'pty-host', 'host-main.cjs'),
    icon: join(appRoot, 'assets', 'icon.png'),
    // Electron picks tray@2x.png next to it on high-DPI screens.
    trayIcon: join(appRoot, 'assets', 'tray.png'),
  };
}

/** `--town DIR` or `--town=DIR` on Electron's command line (as for `gt`); undefined when absent. */
export function townFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--town') {
      const value = argv[i + 1];
      return value && !value.startsWith('-') ? value : undefined;
    }
    if (arg.startsWith('--town=')) return arg.slice('--town='.length) || undefined;
  }
  return undefined;
}

/**
 * The PTY host's environment: the app's, minus Electron's own switches, which would otherwise leak
 * into every agent's shell (an agent running an Electron app of its own must get a normal one).
 */
export function ptyHostEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (key === 'ELECTRON_RUN_AS_NODE' || key === 'ELECTRON_NO_ATTACH_CONSOLE') continue;
    out[key] = value;
  }
  return out;
}
