// Builds the Electron app into dist/: the main process, the preload, the PTY host and the renderer.
// `npm run build` (and `npm start`, which then launches Electron). Each piece is one esbuild bundle:
//   dist/electron/main.cjs     the Electron entry with the Town in-process (Node, CommonJS)
//   dist/electron/preload.cjs  the contextBridge preload: sandboxed preloads may only require('electron')
//   dist/pty-host/host-main.cjs the PTY host, started as a utilityProcess
//   dist/renderer/             index.html, app.js, app.css (the same bundle `gt serve` serves)
//   dist/cli/                   the `gt` CLI that bin/gt.mjs runs (scripts/build-cli.ts)
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { buildRenderer } from '../main/web/build-renderer.ts';
import { buildCli } from './build-cli.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * Left to node_modules at run time (electron-builder ships the production dependencies):
 * Electron itself, native code (node-pty, unpacked from the asar) and mysql2, whose dynamic
 * requires do not bundle cleanly. Optional native speed-ups of ws are never installed.
 */
export const NODE_EXTERNALS = ['electron', 'node-pty', 'mysql2', 'bufferutil', 'utf-8-validate'];

// The Town's ESM code finds files next to itself through import.meta.url; in a CommonJS bundle that
// is the bundle's own URL.
const importMetaUrlShim: Pick<BuildOptions, 'banner' | 'define'> = {
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl' },
};

const nodeBundle: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 runs Node 22; plain Node 20 can run these bundles too.
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  ...importMetaUrlShim,
};

export async function buildAll(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  await Promise.all([
    build({
      ...nodeBundle,
      entryPoints: [join(root, 'main/electron/main.ts')],
      outfile: join(dist, 'electron/main.cjs'),
      external: NODE_EXTERNALS,
    }),
    build({
      ...nodeBundle,
      entryPoints: [join(root, 'main/pty-host/host-main.ts')],
      outfile: join(dist, 'pty-host/host-main.cjs'),
      external: NODE_EXTERNALS,
    }),
    build(preloadBuildOptions(join(dist, 'electron/preload.cjs'))),
    buildRenderer(join(dist, 'renderer')),
    buildCli(join(dist, 'cli')),
  ]);
}

/** The preload runs in a sandboxed renderer: browser platform, everything inlined but electron. */
export function preloadBuildOptions(outfile: string | null): BuildOptions {
  return {
    entryPoints: [join(root, 'preload/bridge.ts')],
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome128',
    external: ['electron'],
    ...(outfile ? { outfile } : { write: false, outfile: 'preload.cjs' }),
    // zod comes along with the contract's request list; minified, the preload stays small to parse.
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  buildAll().then(
    () => console.log(`built dist/ in ${Date.now() - started} ms`),
    (err: Error) => {
      console.error(`build failed: ${err.message}`);
      process.exit(1);
    },
  );
}
