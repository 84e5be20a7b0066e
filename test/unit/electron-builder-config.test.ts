// electron-builder.yml, checked by electron-builder itself: its loader reads the file, its schema
// validation (the one `electron-builder` runs before packaging) accepts it, and its own file matchers
// decide what ships and what is unpacked from the asar. A broken copy must be rejected.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { getFileMatchers } from 'app-builder-lib/out/fileMatcher.js';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger, log } from 'builder-util';

// electron-builder logs to stdout, which node's test runner reads as its own channel from the test
// process; a line landing mid-message breaks the runner's parse. Its log lines go to stderr here.
(log as unknown as { stream: NodeJS.WritableStream }).stream = process.stderr;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG = join(root, 'electron-builder.yml');

const load = (path: string): Promise<Configuration> => getConfig(root, path, null);
const validate = (config: Configuration): Promise<void> => validateConfiguration(config, new DebugLogger(false));

/** Runs electron-builder's own matcher for `files` or `asarUnpack` on a path relative to the app. */
function matches(config: Configuration, name: 'files' | 'asarUnpack', relativePath: string, platform: 'linux' | 'mac' | 'win' = 'linux'): boolean {
  const matchers = getFileMatchers(config, name, '/packaged', {
    macroExpander: (pattern) => pattern,
    customBuildOptions: config[platform] ?? {},
    globalOutDir: join(root, 'out'),
    defaultSrc: root,
  });
  assert.ok(matchers && matchers.length > 0, `electron-builder.yml has no ${name} patterns`);
  const filter = matchers[0].createFilter();
  return filter(join(root, relativePath), { isDirectory: () => false } as Parameters<typeof filter>[1]);
}

test('electron-builder accepts electron-builder.yml with its own schema validation', async () => {
  const config = await load(CONFIG);
  await validate(config);
  assert.equal(config.productName, 'Gas Town Desktop');
  assert.match(String(config.appId), /^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
});

test('electron-builder rejects a broken copy of the configuration', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-builder-config-'));
  try {
    // A typo'd key, as a person might make it: the schema forbids unknown properties.
    const broken = readFileSync(CONFIG, 'utf8').replace(/^asarUnpack:/m, 'asarUnpak:');
    assert.notEqual(broken, readFileSync(CONFIG, 'utf8'), 'the test must actually break the file');
    const file = join(dir, 'electron-builder.yml');
    writeFileSync(file, broken);
    await assert.rejects(validate(await load(file)), /asarUnpak/);

    // A value of the wrong type (electron-builder coerces numbers to strings, but not words to booleans).
    const config = await load(CONFIG);
    await assert.rejects(validate({ ...config, nsis: { ...config.nsis, oneClick: 'sometimes' as unknown as boolean } }), /nsis\.oneClick/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('packages Linux AppImage + deb, macOS dmg and Windows nsis, with icons from assets/', async () => {
  const config = await load(CONFIG);
  const targets = (platform: 'linux' | 'mac' | 'win'): string[] => {
    const t = config[platform]?.target;
    return (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : String(x?.target)));
  };
  assert.deepEqual(targets('linux').sort(), ['AppImage', 'deb']);
  assert.deepEqual(targets('mac'), ['dmg']);
  assert.deepEqual(targets('win'), ['nsis']);
  for (const platform of ['linux', 'mac', 'win'] as const) {
    const icon = config[platform]?.icon;
    assert.ok(icon, `${platform} has an icon`);
    const png = readFileSync(join(root, icon));
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG', `${icon} is a PNG`);
    // macOS needs 512×512 at least to derive an .icns.
    assert.ok(png.readUInt32BE(16) >= 512 && png.readUInt32BE(20) >= 512, `${icon} is at least 512×512`);
  }
});

test("node-pty's native files are unpacked from the asar, and the app's own code is not", async () => {
  const config = await load(CONFIG);
  assert.equal(config.asar, true);
  const unpacked = [
    'node_modules/node-pty/build/Release/pty.node',
    'node_modules/node-pty/build/Release/spawn-helper',
    'node_modules/node-pty/prebuilds/darwin-arm64/pty.node',
    'node_modules/node-pty/prebuilds/darwin-arm64/spawn-helper',
    'node_modules/node-pty/prebuilds/win32-x64/conpty.node',
    'node_modules/node-pty/prebuilds/win32-x64/conpty/OpenConsole.exe',
    'node_modules/node-pty/lib/worker/conoutSocketWorker.js',
  ];
  for (const file of unpacked) assert.ok(matches(config, 'asarUnpack', file), `${file} is unpacked`);
  for (const file of ['dist/electron/main.cjs', 'dist/renderer/app.js', 'node_modules/node-pty/lib/index.js']) {
    assert.ok(!matches(config, 'asarUnpack', file), `${file} stays in the asar`);
  }
});

test('ships the built app (dist/, the icons, package.json) and not the sources', async () => {
  const config = await load(CONFIG);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  for (const file of [pkg.main, 'dist/electron/preload.cjs', 'dist/pty-host/host-main.cjs', 'dist/renderer/index.html', 'assets/tray.png', 'assets/tray@2x.png', 'package.json']) {
    assert.ok(matches(config, 'files', file), `${file} is packaged`);
  }
  for (const file of ['main/town/town.ts', 'test/unit/contract.test.ts', 'renderer/main.tsx', 'dist/electron/main.cjs.map']) {
    assert.ok(!matches(config, 'files', file), `${file} is not packaged`);
  }
  // Packages for macOS and Windows must not carry the node-pty binary built on this machine.
  assert.ok(!matches(config, 'files', 'node_modules/node-pty/build/Release/pty.node', 'mac'));
  assert.ok(!matches(config, 'files', 'node_modules/node-pty/build/Release/pty.node', 'win'));
});

test("gt ships for the agents: bin/ and the native client unpacked (executed by path), the CLI bundle in the asar", async () => {
  const config = await load(CONFIG);
  for (const file of ['bin/gt', 'bin/gt.mjs', 'bin/cli-bundle.mjs', 'native/gt-client.c', 'dist/cli/gt.js', 'dist/cli/script-main.js', 'dist/cli/inputs.json']) {
    assert.ok(matches(config, 'files', file), `${file} is packaged`);
  }
  for (const file of ['bin/gt', 'bin/gt.mjs', 'bin/cli-bundle.mjs', 'native/gt-client.c', 'native/build/gt-client']) {
    assert.ok(matches(config, 'asarUnpack', file), `${file} is unpacked`);
  }
  // bin/gt.mjs imports the bundle from the asar, where node_modules resolve for its lazy chunks.
  assert.ok(!matches(config, 'asarUnpack', 'dist/cli/gt.js'), 'the CLI bundle stays in the asar');
  assert.ok(!matches(config, 'asarUnpack', 'dist/cli/script-main.js'), 'the script runtime\'s bundle too');
  // The client is a Linux binary built at install: only Linux packages carry it.
  assert.ok(matches(config, 'files', 'native/build/gt-client', 'linux'));
  assert.ok(!matches(config, 'files', 'native/build/gt-client', 'mac'));
  assert.ok(!matches(config, 'files', 'native/build/gt-client', 'win'));
});

test("the town's git runner ships unpacked beside its source (the town compares their ages), Linux only", async () => {
  const config = await load(CONFIG);
  for (const file of ['native/git-runner.c', 'native/build/git-runner']) {
    assert.ok(matches(config, 'files', file, 'linux'), `${file} is packaged`);
    assert.ok(matches(config, 'asarUnpack', file), `${file} is unpacked (executed by path)`);
  }
  assert.ok(!matches(config, 'files', 'native/build/git-runner', 'mac'));
  assert.ok(!matches(config, 'files', 'native/build/git-runner', 'win'));
});
