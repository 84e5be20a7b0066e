// Which file a `script` agent session runs: the prebuilt dist/cli/script-main.js (plain JavaScript,
// made by scripts/build-cli.ts with the `gt` CLI) when it is fresh, else the TypeScript sources of
// main/agents/script-runtime/script-main.ts through tsx. The freshness rule and the packaged app's
// layout are bin/cli-bundle.mjs's, the ones bin/gt.mjs uses for `gt` itself.
//
// Invariants:
// - A bundle built from older sources than the ones on disk is never started (a developer who
//   edited the script runtime and did not rebuild gets the sources); GT_CLI=source forces them.
// - The app root is found from bin/ as bin/gt.mjs finds it (in the packaged app the unpacked bin/
//   maps back into the asar, where dist/ and the packages are).
// - In the app the Town's runtime is the Electron binary: it runs the script as Node only with
//   ELECTRON_RUN_AS_NODE=1, which agents' environments never carry (agent-env.ts strips it), so the
//   launch sets it for this one process through env(1); the runtime removes it from its own
//   environment at start, so nothing it runs inherits it.

import { appRootOf, freshCliEntry } from '../../../bin/cli-bundle.mjs';
import { GT_BIN_DIR } from '../agent-env.ts';
import { tsxLoaderUrl } from '../pty-host-client.ts';

export interface ScriptEntry {
  file: string;
  /** True for the TypeScript sources: Node needs the tsx loader. */
  needsLoader: boolean;
}

/** The repo (or app.asar) that holds bin/, dist/ and main/, ending with a separator. */
export const APP_ROOT: string = appRootOf(GT_BIN_DIR);

/** I/O: the bundle when fresh under `root`, else the sources. */
export function resolveScriptEntry(root: string = APP_ROOT, env: NodeJS.ProcessEnv = process.env): ScriptEntry {
  const bundle = freshCliEntry(root, 'script-main', env);
  return bundle ? { file: bundle, needsLoader: false } : { file: `${root}main/agents/script-runtime/script-main.ts`, needsLoader: true };
}

/** Pure: Node's arguments to run the entry (the tsx loader, as an absolute URL, only for sources). */
export function scriptEntryArgs(entry: ScriptEntry, loaderUrl: () => string = tsxLoaderUrl): string[] {
  return entry.needsLoader ? ['--import', loaderUrl(), entry.file] : [entry.file];
}

/** Pure: the command and arguments that start the entry with the Town's runtime (`execPath`): Node
 *  directly, or the Electron binary as Node (POSIX `env` sets ELECTRON_RUN_AS_NODE for it alone). */
export function scriptLaunch(entry: ScriptEntry, execPath: string, electron: boolean, loaderUrl: () => string = tsxLoaderUrl): { command: string; args: string[] } {
  const args = scriptEntryArgs(entry, loaderUrl);
  return electron ? { command: '/usr/bin/env', args: ['ELECTRON_RUN_AS_NODE=1', execPath, ...args] } : { command: execPath, args };
}
