// Finds or installs the Dolt binary the town's ledger runs on, and caches it outside the clone.
// Order: GT_DOLT → a dolt on PATH → a cached build → `go install` from the Go module proxy at the
// pinned release commit → the official release download. Runs as npm's postinstall (through tsx,
// which npm has installed by then).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOLT_COMMIT, DOLT_VERSION, cachedDoltPath, doltCacheDir, findDolt, MIN_DOLT_VERSION } from '../main/ledger/dolt-locate.ts';

function log(msg: string): void {
  process.stdout.write(`[gastown] ${msg}\n`);
}

async function main(): Promise<void> {
  if (process.env.GT_SKIP_DOLT === '1') { log('GT_SKIP_DOLT=1: not looking for dolt'); return; }
  const found = findDolt();
  if (found) { log(`dolt ${found.version} found: ${found.path} (${found.source})`); return; }

  const tried = [];
  if (hasCommand('go')) {
    const built = await buildWithGo();
    if (built.ok) return log(`dolt ${DOLT_VERSION} built and cached: ${cachedDoltPath()}`);
    tried.push(`go install from the Go module proxy failed: ${built.why}`);
  } else {
    tried.push('no Go toolchain on PATH to build dolt from the Go module proxy');
  }
  const downloaded = await downloadRelease();
  if (downloaded.ok) return log(`dolt ${DOLT_VERSION} downloaded and cached: ${cachedDoltPath()}`);
  tried.push(`release download failed: ${downloaded.why}`);

  process.stderr.write([
    '',
    `[gastown] ERROR: no usable dolt (>= ${MIN_DOLT_VERSION}) could be found or installed.`,
    ...tried.map((t) => `[gastown]   - ${t}`),
    '[gastown] Install Dolt (https://docs.dolthub.com/introduction/installation) and put `dolt` on PATH,',
    '[gastown] or set GT_DOLT=/path/to/dolt, or install Go >= 1.24 with a C compiler, then run `npm install` again.',
    '',
  ].join('\n'));
  process.exit(1);
}

type Outcome = { ok: true } | { ok: false; why: string };

function hasCommand(cmd: string): boolean {
  return spawnSync(cmd, ['version'], { stdio: 'ignore' }).status === 0;
}

// Building dolt takes minutes: stream go's own package lines and a heartbeat so it never looks hung.
function buildWithGo(): Promise<Outcome> {
  const gobin = mkdtempSync(join(tmpdir(), 'gt-dolt-build-'));
  const target = `github.com/dolthub/dolt/go/cmd/dolt@${DOLT_COMMIT}`;
  log(`building dolt ${DOLT_VERSION} with go (a few minutes, once; cached in ${doltCacheDir()})`);
  return new Promise<Outcome>((resolve) => {
    const started = Date.now();
    const child = spawn('go', ['install', '-v', '-tags', 'gms_pure_go', target], {
      env: { ...process.env, CGO_ENABLED: '1', GOBIN: gobin, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let packages = 0;
    let tail = '';
    const onData = (buf: Buffer): void => {
      const text = buf.toString();
      tail = (tail + text).slice(-2000);
      packages += (text.match(/\n/g) || []).length;
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const beat = setInterval(() => {
      log(`  building dolt… ${Math.round((Date.now() - started) / 1000)} s, ${packages} lines of go output`);
    }, 15000);
    child.on('close', (code) => {
      clearInterval(beat);
      const bin = join(gobin, process.platform === 'win32' ? 'dolt.exe' : 'dolt');
      if (code === 0 && existsSync(bin)) {
        install(bin);
        rmSync(gobin, { recursive: true, force: true });
        resolve({ ok: true });
      } else {
        rmSync(gobin, { recursive: true, force: true });
        const last = tail.trim().split('\n').slice(-2).join(' ').slice(0, 400);
        resolve({ ok: false, why: `exit ${code}: ${last}` });
      }
    });
  });
}

async function downloadRelease(): Promise<Outcome> {
  const os = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[process.platform];
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  if (!os || !arch) return { ok: false, why: `no release for ${process.platform}/${process.arch}` };
  const ext = os === 'windows' ? 'zip' : 'tar.gz';
  const url = `https://github.com/dolthub/dolt/releases/download/v${DOLT_VERSION}/dolt-${os}-${arch}.${ext}`;
  log(`downloading ${url}`);
  let res;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120000) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, why: `${url}: ${e.cause?.code ?? e.message}` };
  }
  if (!res.ok) return { ok: false, why: `${url}: HTTP ${res.status}` };
  const dir = mkdtempSync(join(tmpdir(), 'gt-dolt-dl-'));
  try {
    const archive = join(dir, `dolt.${ext}`);
    writeFileSync(archive, Buffer.from(await res.arrayBuffer()));
    const untar = spawnSync('tar', ['-xf', archive, '-C', dir], { stdio: 'inherit' });
    if (untar.status !== 0) return { ok: false, why: 'could not unpack the release archive' };
    install(join(dir, `dolt-${os}-${arch}`, 'bin', os === 'windows' ? 'dolt.exe' : 'dolt'));
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Copy then rename, so a half-written binary is never mistaken for a cached build.
function install(bin: string): void {
  mkdirSync(doltCacheDir(), { recursive: true });
  const partial = `${cachedDoltPath()}.partial`;
  copyFileSync(bin, partial);
  chmodSync(partial, 0o755);
  renameSync(partial, cachedDoltPath());
}

main().catch((err: Error) => {
  process.stderr.write(`[gastown] ERROR while installing dolt: ${err.stack ?? String(err)}\n`);
  process.exit(1);
});
