#!/usr/bin/env node
// The `gt` command: runs the TypeScript CLI through tsx, so no build step is needed after npm install.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../main/cli/gt.ts');
await runCli(process.argv.slice(2));
