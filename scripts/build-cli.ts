// Builds the `gt` CLI into dist/cli/: plain JavaScript that bin/gt.mjs runs without a TypeScript
// loader, so each `gt` call only starts Node, connects, asks and prints. The `script` agent runtime
// is a second entry (dist/cli/script-main.js), so every scripted session starts without tsx too.
// Run by `npm install` (postinstall), `npm run build`, `npm test` and `npm run build:cli`; run as a
// script, it also builds the native helpers and the PTY host's bundle (scripts/build-pty-host.ts).
//
// Invariants:
// - The entry chunk (dist/cli/gt.js) holds only what every call needs; heavy parts (the Town for
//   `gt up`, the runtime registry, terminal attach) are split into chunks loaded on demand.
// - Packages stay in node_modules (imported at run time), as under tsx: the bundle is our code only.
// - dist/cli/inputs.json lists every source file in the bundle, and per entry the sources it can
//   load; an entry falls back to tsx when any of its sources is newer than the bundle (a developer
//   edited a source and has not rebuilt yet): bin/cli-bundle.mjs, used by bin/gt.mjs and the
//   runtime registry.
import { isBuiltin } from 'node:module';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import type { CliBuildRecord } from '../bin/cli-bundle.mjs';
import { buildAllNative } from './build-native.ts';
import { buildPtyHost, PTY_HOST_BUNDLE } from './build-pty-host.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where bin/gt.mjs looks for the bundle. */
export const CLI_DIST = join(root, 'dist', 'cli');

/** The entries of the bundle, by the name of their file in dist/cli (`<name>.js`). */
const ENTRIES = { gt: 'main/cli/gt.ts', 'script-main': 'main/agents/script-runtime/script-main.ts' };

/**
 * Some modules find files next to themselves (the PTY host's main, the script runtime, bin/) through
 * import.meta.url. In a bundle that would be the chunk's URL; this keeps it the source file's URL,
 * written relative to the chunk so the tree may move as a whole.
 */
function sourceImportMetaUrl(outdir: string): Plugin {
  return {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const fromChunk = relative(outdir, args.path).split('\\').join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** Builds into a fresh folder beside the old one and swaps it in, so a `gt` running meanwhile never sees half a bundle. */
export interface CliBuild {
  /** Every source file in the bundle. */
  inputs: string[];
  /** Per entry, the sources it can load (bin/cli-bundle.mjs checks their times). */
  entries: Record<string, string[]>;
  /** Bytes of JavaScript in all chunks. */
  bytes: number;
  /** What every `gt` call loads: the entry chunk and the chunks and packages it imports statically. */
  startup: { sources: string[]; packages: string[]; bytes: number };
}

export async function buildCli(outdir = CLI_DIST): Promise<CliBuild> {
  const staging = `${outdir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, join(root, source)])),
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [sourceImportMetaUrl(outdir)],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules'));
  const bytes = Object.entries(result.metafile.outputs).filter(([p]) => p.endsWith('.js')).reduce((n, [, o]) => n + o.bytes, 0);
  const output = (name: string) => Object.keys(result.metafile.outputs).find((p) => p.endsWith(`/${name}.js`))!;
  const startup = closure(result.metafile, output('gt'), false);
  const entries = Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, closure(result.metafile, output(name), true).sources]));
  const record: CliBuildRecord = { builtAt: Date.now(), inputs, entries };
  writeFileSync(join(staging, 'inputs.json'), JSON.stringify(record, null, 1) + '\n');
  writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
  const old = `${outdir}.old-${process.pid}`;
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(outdir, old);
  } catch {
    // first build: nothing to move aside
  }
  renameSync(staging, outdir);
  rmSync(old, { recursive: true, force: true });
  return { inputs, entries, bytes, startup };
}

/** The chunks an output loads before it runs (static imports, followed; with `lazy`, the chunks it
 *  may import later too), with their sources and the packages they import. */
function closure(meta: Metafile, entry: string, lazy: boolean): CliBuild['startup'] {
  const seen = new Set<string>();
  const sources = new Set<string>();
  const packages = new Set<string>();
  let total = 0;
  const visit = (output: string): void => {
    if (seen.has(output)) return;
    seen.add(output);
    const o = meta.outputs[output];
    total += o.bytes;
    for (const input of Object.keys(o.inputs)) if (!input.includes('node_modules')) sources.add(input);
    for (const imp of o.imports) {
      if (imp.kind !== 'import-statement' && !(lazy && imp.kind === 'dynamic-import')) continue;
      if (imp.external) {
        if (!isBuiltin(imp.path)) packages.add(imp.path);
      } else visit(imp.path);
    }
  };
  visit(entry);
  return { sources: [...sources].sort(), packages: [...packages].sort(), bytes: total };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  buildCli().then(
    ({ inputs, entries, bytes, startup }) => {
      console.log(
        `built dist/cli (the gt CLI and the script runtime: ${inputs.length} sources, ${Math.round(bytes / 1024)} KB) in ${Date.now() - started} ms; ` +
        `each gt call loads ${startup.sources.length} sources (${Math.round(startup.bytes / 1024)} KB) and ${startup.packages.length ? `the packages ${startup.packages.join(', ')}` : 'no packages'}; ` +
        `a script session ${entries['script-main'].length} sources`,
      );
      // The native client (bin/gt's fast path) and the git runner: optional, so never a failure of the build.
      for (const line of buildAllNative()) console.log(line);
      // The PTY host a headless town forks (scripts/build-pty-host.ts).
      return buildPtyHost().then(
        () => console.log(`built ${relative(root, PTY_HOST_BUNDLE)} (the PTY host a headless town starts)`),
        (err: Error) => {
          console.error(`PTY host build failed: ${err.message}`);
          process.exit(1);
        },
      );
    },
    (err: Error) => {
      console.error(`gt CLI build failed: ${err.message}`);
      process.exit(1);
    },
  );
}
