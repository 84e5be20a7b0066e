#!/usr/bin/env node
// The `gt` command. Agents call it for every step, so it starts lean: it runs the prebuilt CLI bundle
// (dist/cli/gt.js, made by `npm install`, `npm run build:cli`, `npm run build` and `npm test`) with no
// TypeScript loader. It falls back to the TypeScript sources through tsx when the bundle is missing
// or stale: a source file the bundle was built from (dist/cli/inputs.json) is newer than the bundle,
// e.g. a developer edited main/cli/ and has not rebuilt yet. GT_CLI=source forces the sources.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function freshBundle() {
  if (process.env.GT_CLI === 'source') return null;
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(`${root}dist/cli/inputs.json`, 'utf8'));
    for (const input of inputs) if (statSync(root + input).mtimeMs > builtAt) return null;
    return new URL('../dist/cli/gt.js', import.meta.url).href;
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
