// The headless launcher starts the PTY host's prebuilt bundle only when no host source is newer;
// scripts/build-pty-host.ts builds that bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleIsFresh, hostEntry } from '../../main/pty-host/host-bundle.ts';
import { buildPtyHost } from '../../scripts/build-pty-host.ts';

test('a bundle is fresh when it is at least as new as every source', () => {
  assert.equal(bundleIsFresh(100, [50, 100]), true);
  assert.equal(bundleIsFresh(100, [50, 101]), false);
  assert.equal(bundleIsFresh(null, [1]), false);
  assert.equal(bundleIsFresh(100, []), false);
});

test('hostEntry picks the bundle when fresh, the sources when stale, missing or forced', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gt-host-bundle-'));
  try {
    const src = path.join(dir, 'main', 'pty-host');
    const bundle = path.join(dir, 'dist', 'pty-host', 'host-main.cjs');
    mkdirSync(src, { recursive: true });
    mkdirSync(path.dirname(bundle), { recursive: true });
    for (const f of ['host-main.ts', 'session.ts', 'host-bundle.ts']) writeFileSync(path.join(src, f), '');
    assert.deepEqual(hostEntry(src, bundle), { file: path.join(src, 'host-main.ts'), needsLoader: true }, 'no bundle: sources');
    writeFileSync(bundle, '');
    const t = Date.now() / 1000;
    for (const f of ['host-main.ts', 'session.ts']) utimesSync(path.join(src, f), t - 100, t - 100);
    utimesSync(path.join(src, 'host-bundle.ts'), t + 100, t + 100); // the launcher's helper is not part of the host
    utimesSync(bundle, t, t);
    assert.deepEqual(hostEntry(src, bundle), { file: bundle, needsLoader: false });
    assert.equal(hostEntry(src, bundle, { GT_PTY_HOST: 'source' }).needsLoader, true);
    utimesSync(path.join(src, 'session.ts'), t + 10, t + 10);
    assert.equal(hostEntry(src, bundle).needsLoader, true, 'a source edited after the build: sources');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('buildPtyHost writes a fresh bundle and its map whole, with nothing left beside them', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gt-host-build-'));
  try {
    const bundle = path.join(dir, 'pty-host', 'host-main.cjs');
    await buildPtyHost(bundle);
    assert.deepEqual(readdirSync(path.dirname(bundle)).sort(), ['host-main.cjs', 'host-main.cjs.map'], 'no staging files left');
    const code = readFileSync(bundle, 'utf8');
    assert.match(code, /\/\/# sourceMappingURL=host-main\.cjs\.map\s*$/, 'the map is named after the bundle, not its staging file');
    assert.ok(!/from ['"]node-pty['"]|require\(['"]\.\//.test(code), 'one CommonJS file: node-pty stays external, no relative requires');
    assert.match(code, /require\("node-pty"\)/);
    const sourceDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'main', 'pty-host');
    assert.deepEqual(hostEntry(sourceDir, bundle, {}), { file: bundle, needsLoader: false }, 'just built: fresh');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
