// Bundles the React renderer (renderer/) into static files: the same bundle runs in the Electron
// window (talking over the preload's window.gastown) and in a browser (talking WebSocket).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { RENDERER_CSP_META } from './renderer-csp.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Bundles both files in parallel: the app, and the convoy graph's layout Web Worker (a file of its
 *  own next to app.js, loaded from 'self', so the CSP stays strict: no blob: or data: workers). */
export async function buildRenderer(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await Promise.all([
    bundle(join(root, 'renderer/main.tsx'), join(outDir, 'app.js')),
    bundle(join(root, 'renderer/views/convoys/layout-worker.ts'), join(outDir, 'layout-worker.js')),
  ]);
  const require = createRequire(import.meta.url);
  const xtermCss = readFileSync(require.resolve('@xterm/xterm/css/xterm.css'), 'utf8');
  const flowCss = readFileSync(require.resolve('@xyflow/react/dist/style.css'), 'utf8');
  const appCss = readFileSync(join(root, 'renderer/styles.css'), 'utf8');
  writeFileSync(join(outDir, 'app.css'), `${xtermCss}\n${flowCss}\n${appCss}`);
  const html = readFileSync(join(root, 'renderer/index.html'), 'utf8').replace('%RENDERER_CSP%', RENDERER_CSP_META);
  writeFileSync(join(outDir, 'index.html'), html);
}

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    outfile,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
}
