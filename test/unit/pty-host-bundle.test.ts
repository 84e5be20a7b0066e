// The headless launcher starts the PTY host's prebuilt bundle only when no host source is newer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleIsFresh, hostEntry } from '../../main/pty-host/host-bundle.ts';

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
