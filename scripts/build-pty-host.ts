// The esbuild settings every Node bundle of the app shares, and the PTY host's bundle
// (dist/pty-host/host-main.cjs). `npm run build` builds it with the rest of the app; the CLI build
// (`npm install`, `npm test`, `npm run build:cli`) builds it too, so a headless town (`gt up`, the
// tests, the benchmarks) forks the same plain-JavaScript host the Electron app runs, not the sources
// through tsx (~35 MB more per host: docs/performance.md). main/pty-host/host-bundle.ts still starts
// the sources whenever one of them is newer than the bundle.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the headless launcher (main/agents/pty-host-client.ts) and the Electron main look for it. */
export const PTY_HOST_BUNDLE = join(root, 'dist', 'pty-host', 'host-main.cjs');

/**
 * Left to node_modules at run time (electron-builder ships the production dependencies):
 * Electron itself, native code (node-pty, unpacked from the asar) and mysql2, whose dynamic
 * requires do not bundle cleanly. Optional native speed-ups of ws are never installed.
 */
export const NODE_EXTERNALS = ['electron', 'node-pty', 'mysql2', 'bufferutil', 'utf-8-validate'];

/** A CommonJS bundle for Node (Electron's main process, its utility processes). */
export const nodeBundle: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 runs Node 22; plain Node 20 can run these bundles too.
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  external: NODE_EXTERNALS,
  // The Town's ESM code finds files next to itself through import.meta.url; in a CommonJS bundle
  // that is the bundle's own URL.
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl' },
};

/** Builds the host and swaps each file in by rename, so a host forked meanwhile never reads half a bundle. */
export async function buildPtyHost(outfile = PTY_HOST_BUNDLE): Promise<void> {
  const result = await build({ ...nodeBundle, entryPoints: [join(root, 'main/pty-host/host-main.ts')], outfile, write: false });
  mkdirSync(dirname(outfile), { recursive: true });
  // The map first: the bundle's arrival is what makes it fresh (main/pty-host/host-bundle.ts).
  for (const file of [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')))) {
    const staging = `${file.path}.building-${process.pid}`;
    writeFileSync(staging, file.contents);
    renameSync(staging, file.path);
  }
}
