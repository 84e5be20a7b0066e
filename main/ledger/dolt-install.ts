// Installs the pinned Dolt into the install cache (see dolt-locate.ts for the pin and the cache).
//
// Invariants:
// - Steps run in a fixed order and the first that yields a usable dolt wins: GT_DOLT → PATH → cache →
//   mirror (GT_DOLT_MIRROR) → the official release download → a build with Go from the Go module
//   proxy. GT_DOLT_STEPS (a comma list of those step names) narrows the order, for tests and CI.
// - Every step logs one line; the slow ones (download, build) log progress.
// - Nothing reaches `<cache>/<version>/dolt` unless it is whole and runs: archives and builds are
//   written into a staging folder beside the cache, verified (checksums, `dolt version`), and only
//   then renamed into place. A failure halfway removes the staging folder.
// - An archive whose sha256 disagrees with the mirror's SHA256SUMS or with the checksum pinned in the
//   project is refused outright (DoltInstallRefused): no later step is tried, nothing is cached.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DOLT_PIN, MIN_DOLT_VERSION, cachedDoltPath, doltCacheDir, doltCacheRoot, doltPlatform, doltVersion, lookDolt, type DoltSource } from './dolt-locate.ts';

export const INSTALL_STEPS = ['env', 'path', 'cache', 'mirror', 'release', 'build'] as const;
export type InstallStep = (typeof INSTALL_STEPS)[number];

export const RELEASE_BASE = 'https://github.com/dolthub/dolt/releases/download';

export interface Installed {
  path: string;
  version: string;
  step: InstallStep;
}

/** A refusal that must stop the install (a checksum mismatch): trying elsewhere would hide it. */
export class DoltInstallRefused extends Error {}

/** Every step tried failed; `tried` says what each one found. */
export class DoltNotInstalled extends Error {
  constructor(readonly tried: string[]) {
    super('no usable dolt could be found or installed');
  }
}

type Log = (line: string) => void;
type StepOutcome = { ok: true; installed: Installed } | { ok: false; why: string };

/** The steps to run, from GT_DOLT_STEPS (unknown names are an error), else all of them. */
export function stepsFromEnv(value = process.env.GT_DOLT_STEPS): InstallStep[] {
  if (!value) return [...INSTALL_STEPS];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(INSTALL_STEPS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`GT_DOLT_STEPS: unknown step ${unknown.join(', ')} (steps: ${INSTALL_STEPS.join(', ')})`);
  return INSTALL_STEPS.filter((s) => names.includes(s));
}

export async function installDolt(log: Log, steps: InstallStep[] = stepsFromEnv()): Promise<Installed> {
  const tried: string[] = [];
  removeStaleStaging();
  for (const step of steps) {
    const outcome = await runStep(step, log);
    if (outcome.ok) return outcome.installed;
    tried.push(`${step}: ${outcome.why}`);
    log(`dolt: ${step} — ${outcome.why}`);
  }
  throw new DoltNotInstalled(tried);
}

function runStep(step: InstallStep, log: Log): Promise<StepOutcome> | StepOutcome {
  switch (step) {
    case 'env': return locate('GT_DOLT', step);
    case 'path': return locate('PATH', step);
    case 'cache': return locate('cache', step);
    case 'mirror': {
      const base = process.env.GT_DOLT_MIRROR;
      if (!base) return { ok: false, why: 'GT_DOLT_MIRROR not set' };
      return fromArchiveHost(base, 'mirror', log);
    }
    case 'release': return fromArchiveHost(RELEASE_BASE, 'release', log);
    case 'build': return buildWithGo(log);
  }
}

function locate(source: DoltSource, step: InstallStep): StepOutcome {
  const look = lookDolt(source);
  return look.found ? { ok: true, installed: { path: look.found.path, version: look.found.version, step } } : { ok: false, why: look.why };
}

// ---- archives (mirror and official release) -------------------------------------------------

export function archiveName(platform: string): string {
  return `dolt-${platform}.${platform.startsWith('windows') ? 'zip' : 'tar.gz'}`;
}

/** `<base>/v<version>/<file>`, for a folder or an http(s) base. */
function locationOf(base: string, file: string): string {
  const rel = `v${DOLT_PIN.version}/${file}`;
  return /^https?:\/\//.test(base) ? `${base.replace(/\/+$/, '')}/${rel}` : join(base, rel);
}

async function fromArchiveHost(base: string, origin: 'mirror' | 'release', log: Log): Promise<StepOutcome> {
  const platform = doltPlatform();
  if (!platform) return { ok: false, why: `Dolt publishes no archive for ${process.platform}/${process.arch}` };
  const name = archiveName(platform);
  const where = locationOf(base, name);
  log(`dolt: ${origin} — fetching ${where}`);
  const staging = makeStaging();
  try {
    const archive = join(staging, name);
    const got = await fetchInto(where, archive, log);
    if (!got.ok) return got;
    const sums = origin === 'mirror' ? await readChecksums(locationOf(base, 'SHA256SUMS')) : { text: null };
    if ('why' in sums) return { ok: false, why: sums.why };
    const verdict = verifyArchive({ name, sha256: got.sha256, sums: sums.text, pinned: DOLT_PIN.archiveSha256[origin][platform] ?? null });
    if (!verdict.ok) throw new DoltInstallRefused(`${where}: ${verdict.why}; nothing was installed`);
    log(`dolt: ${origin} — sha256 ${got.sha256.slice(0, 16)}… ${verdict.checked}`);
    const binary = unpack(archive, staging, platform);
    if (!binary.ok) return binary;
    return commitToCache(binary.path, origin, log);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

type Fetched = { ok: true; sha256: string; bytes: number } | { ok: false; why: string };

/** Streams a file or URL into `dest`, hashing as it goes, with a progress line every few seconds. */
async function fetchInto(where: string, dest: string, log: Log): Promise<Fetched> {
  let source: Readable;
  let total = 0;
  try {
    if (/^https?:\/\//.test(where)) {
      const res = await fetch(where, { signal: AbortSignal.timeout(30 * 60_000) });
      if (!res.ok || !res.body) return { ok: false, why: `${where}: HTTP ${res.status}` };
      total = Number(res.headers.get('content-length')) || 0;
      source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    } else {
      if (!existsSync(where)) return { ok: false, why: `${where}: no such file` };
      total = statSync(where).size;
      source = createReadStream(where);
    }
  } catch (err) {
    return { ok: false, why: `${where}: ${describe(err)}` };
  }
  const hash = createHash('sha256');
  let bytes = 0;
  let lastLog = Date.now();
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      if (Date.now() - lastLog > 3000) {
        lastLog = Date.now();
        log(`dolt:   ${mb(bytes)}${total ? ` / ${mb(total)} (${Math.floor((bytes / total) * 100)}%)` : ''}`);
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(dest));
  } catch (err) {
    return { ok: false, why: `${where}: transfer failed after ${mb(bytes)}: ${describe(err)}` };
  }
  if (total && bytes !== total) return { ok: false, why: `${where}: got ${bytes} of ${total} bytes` };
  log(`dolt:   ${mb(bytes)} fetched`);
  return { ok: true, sha256: hash.digest('hex'), bytes };
}

/** The mirror's SHA256SUMS, or null when it publishes none. */
async function readChecksums(where: string): Promise<{ text: string | null } | { why: string }> {
  try {
    if (/^https?:\/\//.test(where)) {
      const res = await fetch(where, { signal: AbortSignal.timeout(60_000) });
      if (res.status === 404) return { text: null };
      if (!res.ok) return { why: `${where}: HTTP ${res.status}` };
      return { text: await res.text() };
    }
    return { text: existsSync(where) ? readFileSync(where, 'utf8') : null };
  } catch (err) {
    return { why: `${where}: ${describe(err)}` };
  }
}

export interface ArchiveFacts {
  name: string;
  sha256: string;
  /** The SHA256SUMS text published beside the archive, or null. */
  sums: string | null;
  /** The checksum the project pins for this archive, or null. */
  pinned: string | null;
}

/** Checks an archive's sha256 against every checksum known for it. Pure. */
export function verifyArchive(facts: ArchiveFacts): { ok: true; checked: string } | { ok: false; why: string } {
  const checks: string[] = [];
  if (facts.sums !== null) {
    const listed = checksumFor(facts.sums, facts.name);
    if (!listed) return { ok: false, why: `checksum missing: SHA256SUMS has no line for ${facts.name}` };
    if (listed !== facts.sha256) return { ok: false, why: `checksum mismatch: ${facts.name} has sha256 ${facts.sha256}, SHA256SUMS says ${listed}` };
    checks.push("matches the mirror's SHA256SUMS");
  }
  if (facts.pinned) {
    if (facts.pinned !== facts.sha256) return { ok: false, why: `checksum mismatch: ${facts.name} has sha256 ${facts.sha256}, the project pins ${facts.pinned} for dolt ${DOLT_PIN.version}` };
    checks.push('matches the checksum pinned in the project');
  }
  return { ok: true, checked: checks.length ? `verified: ${checks.join(' and ')}` : 'not verified: no SHA256SUMS and no pinned checksum for it' };
}

/** The sha256 listed for `name` in `sha256sum` format (`<hex>  <name>` or `<hex> *<name>`). */
export function checksumFor(sums: string, name: string): string | null {
  for (const line of sums.split('\n')) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line.trim());
    if (m && (m[2] === name || m[2].endsWith(`/${name}`))) return m[1].toLowerCase();
  }
  return null;
}

/** Unpacks the official layout, `dolt-<os>-<arch>/bin/dolt`, and returns the binary's path. */
function unpack(archive: string, staging: string, platform: string): { ok: true; path: string } | { ok: false; why: string } {
  const into = join(staging, 'unpacked');
  mkdirSync(into);
  const tar = spawnSync('tar', ['-xf', archive, '-C', into], { encoding: 'utf8' });
  if (tar.status !== 0) return { ok: false, why: `could not unpack ${archive}: ${(tar.stderr || tar.error?.message || '').trim().slice(0, 300)}` };
  const path = join(into, `dolt-${platform}`, 'bin', platform.startsWith('windows') ? 'dolt.exe' : 'dolt');
  if (!existsSync(path)) return { ok: false, why: `the archive has no dolt-${platform}/bin/dolt` };
  return { ok: true, path };
}

/** Verifies that the binary runs and is the pinned version, then renames it into the cache. */
function commitToCache(binary: string, step: InstallStep, log: Log): StepOutcome {
  const version = doltVersion(binary);
  if (!version) return { ok: false, why: `the ${step}'s dolt does not run on this machine` };
  if (version !== DOLT_PIN.version) return { ok: false, why: `the ${step} gave dolt ${version}, not the pinned ${DOLT_PIN.version}` };
  mkdirSync(doltCacheDir(), { recursive: true });
  renameSync(binary, cachedDoltPath());
  log(`dolt ${version} installed from the ${step} into ${cachedDoltPath()}`);
  return { ok: true, installed: { path: cachedDoltPath(), version, step } };
}

// ---- staging ----------------------------------------------------------------------------------

/** A fresh folder beside the cache (same file system, so the final rename is atomic). */
function makeStaging(): string {
  mkdirSync(doltCacheRoot(), { recursive: true });
  return mkdtempSync(join(doltCacheRoot(), '.staging-'));
}

/** Staging folders an install killed halfway left behind (older than an hour, so not a running one). */
function removeStaleStaging(): void {
  let names: string[] = [];
  try {
    names = readdirSync(doltCacheRoot());
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith('.staging-'))) {
    const path = join(doltCacheRoot(), name);
    try {
      if (Date.now() - statSync(path).mtimeMs > 3600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
}

// ---- build with Go ------------------------------------------------------------------------------

/**
 * Builds the pinned Dolt through a throwaway main module that requires Dolt's `go/` module at the
 * pinned pseudo-version (`go install …/cmd/dolt@<commit>` is refused by the Go module proxy: it looks
 * the cmd path up as a module of its own first). Minutes of work; progress every 15 s.
 */
async function buildWithGo(log: Log): Promise<StepOutcome> {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) return { ok: false, why: 'no Go toolchain on PATH (Go >= 1.24 with a C compiler builds dolt from the Go module proxy)' };
  const module = mkdtempSync(join(tmpdir(), 'gt-doltbuild-'));
  const staging = makeStaging();
  const started = Date.now();
  log(`dolt: build — ${go.stdout.trim()}, building dolt ${DOLT_PIN.version} from the Go module proxy (about 5 minutes on 2 cores, once)`);
  try {
    writeFileSync(join(module, 'go.mod'), 'module local/doltbuild\n\ngo 1.24\n');
    writeFileSync(join(module, 'tools.go'), `//go:build tools\npackage tools\n\nimport _ "${DOLT_PIN.goModule}/cmd/dolt"\n`);
    const env = { ...process.env, CGO_ENABLED: '1', GOFLAGS: '-mod=mod' };
    const phases: Array<[string, string[]]> = [
      ['go get', ['get', `${DOLT_PIN.goModule}@${DOLT_PIN.goPseudoVersion}`]],
      ['go mod tidy', ['mod', 'tidy']],
      ['go build', ['build', '-v', '-trimpath', '-ldflags=-s -w', '-tags', 'gms_pure_go', '-o', join(staging, 'dolt'), `${DOLT_PIN.goModule}/cmd/dolt`]],
    ];
    for (const [label, args] of phases) {
      const ran = await runWithProgress('go', args, module, env, (lines) => log(`dolt:   ${label}… ${Math.round((Date.now() - started) / 1000)} s, ${lines} lines of output`));
      if (!ran.ok) return { ok: false, why: `${label} failed: ${ran.why}` };
    }
    const binary = join(staging, process.platform === 'win32' ? 'dolt.exe' : 'dolt');
    if (process.platform === 'win32' && existsSync(join(staging, 'dolt'))) renameSync(join(staging, 'dolt'), binary);
    log(`dolt: build — done in ${Math.round((Date.now() - started) / 1000)} s`);
    return commitToCache(binary, 'build', log);
  } finally {
    rmSync(module, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

function runWithProgress(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, progress: (lines: number) => void): Promise<{ ok: true } | { ok: false; why: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let tail = '';
    const onData = (buf: Buffer): void => {
      const text = buf.toString();
      tail = (tail + text).slice(-2000);
      lines += text.split('\n').length - 1;
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const beat = setInterval(() => progress(lines), 15_000);
    child.on('error', (err) => {
      clearInterval(beat);
      resolve({ ok: false, why: err.message });
    });
    child.on('close', (code) => {
      clearInterval(beat);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, why: `exit ${code}: ${tail.trim().split('\n').slice(-3).join(' ').slice(0, 500)}` });
    });
  });
}

// ---- the message when everything failed ----------------------------------------------------------

export function notInstalledMessage(tried: string[]): string {
  const platform = doltPlatform() ?? `${process.platform}-${process.arch}`;
  return [
    `no usable dolt (>= ${MIN_DOLT_VERSION}) could be found or installed. Tried:`,
    ...tried.map((t) => `  - ${t}`),
    'Any one of these fixes it:',
    `  - put dolt >= ${MIN_DOLT_VERSION} on PATH, or set GT_DOLT=/path/to/dolt;`,
    `  - set GT_DOLT_MIRROR to a folder or http(s) base holding v${DOLT_PIN.version}/${archiveName(platform)} (and SHA256SUMS);`,
    '  - install Go >= 1.24 and a C compiler, with the Go module proxy reachable, to build it;',
    'then run `npm install` (or `npm run postinstall`) again. See docs/dolt.md.',
  ].join('\n');
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
