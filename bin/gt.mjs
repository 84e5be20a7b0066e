#!/usr/bin/env node
// The `gt` command. Agents call it for every step, so it starts lean: it runs the prebuilt CLI bundle
// (dist/cli/gt.js, made by `npm install`, `npm run build:cli`, `npm run build` and `npm test`) with no
// TypeScript loader. It falls back to the TypeScript sources through tsx when the bundle is missing
// or stale: a source file the bundle was built from (dist/cli/inputs.json) is newer than the bundle,
// e.g. a developer edited main/cli/ and has not rebuilt yet. GT_CLI=source forces the sources.
// The rule (and the packaged app's layout: this file unpacked, the bundle in the asar) is
// bin/cli-bundle.mjs, shared with the `script` agent runtime.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appRootOf, freshCliEntry } from './cli-bundle.mjs';

const bundle = freshCliEntry(appRootOf(fileURLToPath(new URL('.', import.meta.url))), 'gt');
let cli;
if (bundle) {
  cli = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../main/cli/gt.ts');
}
await cli.runCli(process.argv.slice(2));
