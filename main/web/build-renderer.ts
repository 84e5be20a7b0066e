// Bundles the React renderer (renderer/) into static files: the same bundle runs in the Electron
// window (talking over the preload's window.gastown) and in a browser (talking WebSocket).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { RENDERER_CSP_META } from './renderer-csp.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function buildRenderer(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(root, 'renderer/main.tsx')],
    bundle: true,
    outfile: join(outDir, 'app.js'),
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
  const require = createRequire(import.meta.url);
  const xtermCss = readFileSync(require.resolve('@xterm/xterm/css/xterm.css'), 'utf8');
  const appCss = readFileSync(join(root, 'renderer/styles.css'), 'utf8');
  writeFileSync(join(outDir, 'app.css'), `${xtermCss}\n${appCss}`);
  const html = readFileSync(join(root, 'renderer/index.html'), 'utf8').replace('%RENDERER_CSP%', RENDERER_CSP_META);
  writeFileSync(join(outDir, 'index.html'), html);
}
