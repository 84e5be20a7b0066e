// Which prebuilt entry of dist/cli/ may run instead of its TypeScript sources: `gt` (bin/gt.mjs) and
// the `script` agent runtime (main/agents/runtimes/runtime-registry.ts). Plain JavaScript with no
// imports of ours, because bin/gt.mjs loads it before any TypeScript loader exists.
//
// dist/cli/inputs.json (written by scripts/build-cli.ts) holds `builtAt`, `inputs` (every source of
// the build) and `entries` (per entry, the sources it can load). Invariants:
// - An entry is fresh when no source it was built from is newer than the build. A source that is
//   absent cannot be newer: the packaged app ships no sources, only dist/.
// - No record, an unreadable record or an entry the record does not list: not fresh (the sources run).
// - GT_CLI=source forces the sources for every entry.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The app root for a bin/ folder. In the packaged app bin/ is unpacked from the asar (agents exec
 *  bin/gt by path) while dist/ stays inside it, beside the packages it imports:
 *  app.asar.unpacked/bin → app.asar. The result ends with a separator. */
export function appRootOf(binDir) {
  return join(binDir, '..', '/').replace(/app\.asar\.unpacked([\\/])$/, 'app.asar$1');
}

/** Pure: whether `entry` of the build record may run. `mtimeOf(source)` is the source's mtime in ms,
 *  or null when it is absent. A record from before per-entry lists counts for `gt` with `inputs`. */
export function entryIsFresh(record, entry, mtimeOf) {
  if (!record || typeof record.builtAt !== 'number') return false;
  const sources = record.entries?.[entry] ?? (entry === 'gt' ? record.inputs : undefined);
  if (!Array.isArray(sources)) return false;
  for (const source of sources) {
    const mtime = mtimeOf(source);
    if (mtime !== null && mtime > record.builtAt) return false;
  }
  return true;
}

function mtimeIn(root) {
  return (source) => {
    try {
      return statSync(root + source).mtimeMs;
    } catch (err) {
      if (err.code === 'ENOENT') return null;
      throw err;
    }
  };
}

/** The absolute path of dist/cli/<entry>.js under `root` (as appRootOf returns it) when it is fresh,
 *  else null. */
export function freshCliEntry(root, entry, env = process.env) {
  if (env.GT_CLI === 'source') return null;
  try {
    const record = JSON.parse(readFileSync(`${root}dist/cli/inputs.json`, 'utf8'));
    return entryIsFresh(record, entry, mtimeIn(root)) ? `${root}dist/cli/${entry}.js` : null;
  } catch {
    return null;
  }
}
