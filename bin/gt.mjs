#!/usr/bin/env node
// The `gt` command. Agents call it for every step, so it starts lean: it runs the prebuilt CLI bundle
// (dist/cli/gt.js, made by `npm install`, `npm run build:cli`, `npm run build` and `npm test`) with no
// TypeScript loader. It falls back to the TypeScript sources through tsx when the bundle is missing
// or stale: a source file the bundle was built from (dist/cli/inputs.json) is newer than the bundle,
// e.g. a developer edited main/cli/ and has not rebuilt yet. GT_CLI=source forces the sources.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// In the packaged app this file is unpacked from the asar (agents exec bin/gt by path) while the
// bundle stays inside it, beside the packages it imports: app.asar.unpacked/bin → app.asar/dist/cli.
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/app\.asar\.unpacked([\\/])$/, 'app.asar$1');

/** A source the bundle was built from is newer than the bundle. A source that is absent (the
 *  packaged app ships no sources) cannot be. */
function newer(input, builtAt) {
  try {
    return statSync(root + input).mtimeMs > builtAt;
  } catch (err) {
    if (err.code === 'ENOENT') return false;
    throw err;
  }
}

function freshBundle() {
  if (process.env.GT_CLI === 'source') return null;
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(`${root}dist/cli/inputs.json`, 'utf8'));
    for (const input of inputs) if (newer(input, builtAt)) return null;
    return pathToFileURL(`${root}dist/cli/gt.js`).href;
  } catch {
    return null;
  }
}

const bundle = freshBundle();
let cli;
if (bundle) {
  cli = await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../main/cli/gt.ts');
}
await cli.runCli(process.argv.slice(2));
