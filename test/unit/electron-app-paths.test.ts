// The Electron entry's small decisions: where the built pieces are (the same paths scripts/build.ts
// writes), the --town flag, and the PTY host's environment.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appPaths, ptyHostEnv, townFlag } from '../../main/electron/app-paths.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('the app looks for exactly the files the build writes and package.json starts', () => {
  const paths = appPaths(root);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  const rel = (p: string): string => relative(root, p).split('\\').join('/');
  const build = readFileSync(join(root, 'scripts/build.ts'), 'utf8');
  assert.equal(pkg.main, 'dist/electron/main.cjs');
  assert.match(build, /'electron\/main\.cjs'/);
  assert.equal(rel(paths.preload), 'dist/electron/preload.cjs');
  assert.match(build, /'electron\/preload\.cjs'/);
  assert.equal(rel(paths.ptyHost), 'dist/pty-host/host-main.cjs');
  assert.match(build, /'pty-host\/host-main\.cjs'/);
  assert.equal(rel(paths.rendererDir), 'dist/renderer');
  assert.match(build, /buildRenderer\(join\(dist, 'renderer'\)\)/);
  // The icons are real files in the repo (the tray's @2x twin is picked up by Electron by name).
  for (const icon of [paths.icon, paths.trayIcon, paths.trayIcon.replace(/\.png$/, '@2x.png')]) {
    assert.equal(readFileSync(icon).subarray(1, 4).toString('ascii'), 'PNG', icon);
  }
});

test('--town DIR and --town=DIR are read from Electron’s command line, as for gt', () => {
  assert.equal(townFlag(['/usr/bin/electron', '.', '--town', '/tmp/t1']), '/tmp/t1');
  assert.equal(townFlag(['/opt/Gas Town/gastown', '--town=/tmp/t2']), '/tmp/t2');
  assert.equal(townFlag(['/usr/bin/electron', '.']), undefined);
  assert.equal(townFlag(['electron', '.', '--town']), undefined, 'a flag without a value is ignored, not the next switch');
  assert.equal(townFlag(['electron', '.', '--town', '--inspect']), undefined);
  assert.equal(townFlag(['electron', '.', '--town=']), undefined);
});

test("the PTY host's environment drops Electron's own switches and keeps the user's", () => {
  const env = ptyHostEnv({ PATH: '/usr/bin', HOME: '/home/me', ELECTRON_RUN_AS_NODE: '1', ELECTRON_NO_ATTACH_CONSOLE: '1', NODE_OPTIONS: '--max-old-space-size=4096', EMPTY: '' });
  assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/home/me', NODE_OPTIONS: '--max-old-space-size=4096', EMPTY: '' });
});
