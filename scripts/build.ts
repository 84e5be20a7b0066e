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
import { buildPtyHost, nodeBundle } from './build-pty-host.ts';
import { buildRenderer } from '../main/web/build-renderer.ts';
import { buildCli } from './build-cli.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

export async function buildAll(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  await Promise.all([
    build({ ...nodeBundle, entryPoints: [join(root, 'main/electron/main.ts')], outfile: join(dist, 'electron/main.cjs') }),
    buildPtyHost(join(dist, 'pty-host/host-main.cjs')),
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
