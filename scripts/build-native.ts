// Builds the native programs (native/README.md): gt's client (native/gt-client.c →
// native/build/gt-client), the fast path bin/gt takes for every call, and the git runner
// (native/git-runner.c → native/build/git-runner), which starts the town's git runs. Run with the CLI
// bundle (scripts/build-cli.ts): by `npm install`, `npm run build:cli` and `npm test`.
//
// Invariants:
// - Cached: a binary newer than its source is kept (bin/gt and the town make the same check before
//   using one).
// - Built beside the old one and renamed into place, so a `gt` running meanwhile never execs half a file.
// - No C compiler (or a failed build) is not an error: gt works without the client, through Node,
//   and the town runs git itself without the runner; the reason is returned (and printed by the
//   build) so the slower path is never a surprise.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const NATIVE_SOURCE = join(root, 'native', 'gt-client.c');
/** Where bin/gt looks for the client. */
export const NATIVE_CLIENT = join(root, 'native', 'build', 'gt-client');
/** The git runner: its source and where the town looks for it (main/git/git-runner.ts). */
export const GIT_RUNNER = { source: join(root, 'native', 'git-runner.c'), out: join(root, 'native', 'build', 'git-runner') };

export type NativeBuild =
  | { ok: true; path: string; cached: boolean; compiler: string }
  | { ok: false; reason: string };

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The C compiler: $CC, else cc. */
function compiler(): string {
  return process.env.CC || 'cc';
}

export function buildNative(opts: { source?: string; out?: string; force?: boolean } = {}): NativeBuild {
  const source = opts.source ?? NATIVE_SOURCE;
  const out = opts.out ?? NATIVE_CLIENT;
  const cc = compiler();
  const sourceTime = mtime(source);
  if (sourceTime === null) return { ok: false, reason: `no source at ${source}` };
  const outTime = mtime(out);
  if (!opts.force && outTime !== null && outTime > sourceTime) return { ok: true, path: out, cached: true, compiler: cc };
  mkdirSync(dirname(out), { recursive: true });
  const staging = `${out}.building-${process.pid}`;
  try {
    execFileSync(cc, ['-std=c11', '-O2', '-Wall', '-Wextra', '-o', staging, source], { stdio: ['ignore', 'pipe', 'pipe'] });
    chmodSync(staging, 0o755);
    renameSync(staging, out);
  } catch (err) {
    rmSync(staging, { force: true });
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    const why = e.code === 'ENOENT' ? `no C compiler (${cc} not found)` : `${cc} failed: ${e.stderr?.toString().trim().split('\n').slice(0, 5).join(' | ') || e.message}`;
    return { ok: false, reason: why };
  }
  return { ok: true, path: out, cached: false, compiler: cc };
}

/** One line for the build's log. */
export function describeNativeBuild(b: NativeBuild): string {
  if (b.ok) return `${b.cached ? 'kept' : 'built'} native/build/gt-client (gt's native client${b.cached ? ', up to date' : `, with ${b.compiler}`})`;
  return `gt's native client not built: ${b.reason}. gt still works, through Node (each call slower by Node's start-up).`;
}

export function describeRunnerBuild(b: NativeBuild): string {
  if (b.ok) return `${b.cached ? 'kept' : 'built'} native/build/git-runner (the town's git runner${b.cached ? ', up to date' : `, with ${b.compiler}`})`;
  return `the git runner not built: ${b.reason}. The town runs git from its own process (more CPU per git run).`;
}

/** Both programs, with a line each for the build's log. */
export function buildAllNative(force = false): string[] {
  return [describeNativeBuild(buildNative({ force })), describeRunnerBuild(buildNative({ ...GIT_RUNNER, force }))];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of buildAllNative(process.argv.includes('--force'))) console.log(line);
}
