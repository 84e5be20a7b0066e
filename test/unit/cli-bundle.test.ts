// The prebuilt `gt` CLI: what every call loads (no packages, no contract schemas, no Town), that
// the bundle runs on its own, and bin/gt.mjs's rule for choosing the bundle or the TypeScript sources.
// The `script` agent runtime is a second entry of the same build, chosen by the same rule
// (bin/cli-bundle.mjs) through the runtime registry (main/agents/runtimes/script-entry.ts).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { buildCli } from '../../scripts/build-cli.ts';
import { appRootOf, entryIsFresh } from '../../bin/cli-bundle.mjs';
import { resolveScriptEntry, scriptEntryArgs, scriptLaunch } from '../../main/agents/runtimes/script-entry.ts';

const root = resolve('.');

test('every gt call loads only the CLI itself: no packages, no contract schemas, no Town', async () => {
  const base = mkdtempSync(join(tmpdir(), 'gt-cli-bundle-'));
  try {
    const out = join(base, 'dist', 'cli');
    symlinkSync(join(root, 'node_modules'), join(base, 'node_modules'));
    const built = await buildCli(out);
    assert.deepEqual(built.startup.packages, [], 'no package (zod, mysql2, node-pty, ws…) is imported at start');
    const heavy = built.startup.sources.filter((s) => /^preload\/(contract|api-kit|requests\/)|^main\/(town\/(town|config)|ledger|agents|api|pty-host)\b/.test(s));
    assert.deepEqual(heavy, [], 'the contract schemas, the Town and its services load only when a command needs them');
    assert.ok(built.startup.sources.includes('main/cli/gt.ts'));
    assert.ok(built.inputs.includes('main/cli/run-town.ts'), '`gt up` is in the bundle, as a chunk loaded on demand');

    // The bundle runs by itself: help, and a clear error (from the lazily loaded config) for a folder with no town.
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(out, 'gt.js'))}); await m.runCli(${JSON.stringify(args)});`], { encoding: 'utf8' });
    const help = run(['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /usage: gt \[--town DIR\] <command>/);
    const status = run(['--town', join(base, 'no-town'), 'status', '--json']);
    assert.equal(status.status, 1, status.stderr);
    assert.match(status.stderr, /^gt: no town at .*no-town: run `gt init` first\n$/);

    // The script runtime: its own entry, loading only its own sources, runnable with no loader.
    assert.deepEqual(built.entries['script-main'].filter((f) => !/^main\/agents\/(script-runtime|usage)\//.test(f)), [], 'the script runtime loads no CLI, Town or contract');
    assert.ok(built.entries.gt.includes('main/cli/run-town.ts'), 'a per-entry list follows lazy chunks too');
    const script = spawnSync(process.execPath, [join(out, 'script-main.js')], { cwd: base, encoding: 'utf8', env: { ...process.env, GT_SCRIPT_DESCRIPTION: '```gt-script\nwrite made.txt by the bundle\n```' } });
    assert.equal(script.status, 0, script.stdout + script.stderr);
    assert.match(script.stdout, /^gt-script: starting \(scripted runtime, deterministic, no LLM\)\n/);
    assert.match(script.stdout, /gt-script: done\n$/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('bin/gt.mjs runs the bundle while it is fresh, else the TypeScript sources', () => {
  // A stand-in tree with the real bin/gt.mjs: a "bundle" and "sources" that say which one ran.
  const base = mkdtempSync(join(tmpdir(), 'gt-cli-choice-'));
  try {
    mkdirSync(join(base, 'bin'));
    mkdirSync(join(base, 'dist', 'cli'), { recursive: true });
    mkdirSync(join(base, 'main', 'cli'), { recursive: true });
    for (const f of ['gt.mjs', 'cli-bundle.mjs']) copyFileSync(join(root, 'bin', f), join(base, 'bin', f));
    symlinkSync(join(root, 'node_modules'), join(base, 'node_modules'));
    writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(base, 'main', 'cli', 'gt.ts'), 'export async function runCli(argv: string[]): Promise<void> { console.log(`source ${argv.join(" ")}`); }\n');
    writeFileSync(join(base, 'dist', 'cli', 'gt.js'), 'export async function runCli(argv) { console.log(`bundle ${argv.join(" ")}`); }\n');
    writeFileSync(join(base, 'dist', 'cli', 'package.json'), '{ "type": "module" }\n');
    const builtAt = Date.now();
    writeFileSync(join(base, 'dist', 'cli', 'inputs.json'), JSON.stringify({ builtAt, inputs: ['main/cli/gt.ts'] }));
    const past = new Date(builtAt - 60_000);
    utimesSync(join(base, 'main', 'cli', 'gt.ts'), past, past);
    const gt = (env: Record<string, string> = {}) =>
      execFileSync(process.execPath, [join(base, 'bin', 'gt.mjs'), 'hook', '--json'], { encoding: 'utf8', env: { ...process.env, GT_CLI: '', ...env } }).trim();

    assert.equal(gt(), 'bundle hook --json', 'fresh bundle');
    assert.equal(gt({ GT_CLI: 'source' }), 'source hook --json', 'GT_CLI=source forces the sources');
    const future = new Date(builtAt + 60_000);
    utimesSync(join(base, 'main', 'cli', 'gt.ts'), future, future);
    assert.equal(gt(), 'source hook --json', 'a source edited after the build makes the bundle stale');
    utimesSync(join(base, 'main', 'cli', 'gt.ts'), past, past);
    rmSync(join(base, 'dist', 'cli', 'inputs.json'));
    assert.equal(gt(), 'source hook --json', 'no build record: the sources');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('in the packaged app, bin/gt.mjs (unpacked) runs the bundle inside the asar, with no sources shipped', () => {
  // The layout electron-builder makes: resources/app.asar/… and resources/app.asar.unpacked/bin/…
  // (plain folders here; inside Electron, fs reads into the asar archive the same way).
  const base = mkdtempSync(join(tmpdir(), 'gt-cli-packaged-'));
  try {
    const asar = join(base, 'resources', 'app.asar');
    const unpacked = join(base, 'resources', 'app.asar.unpacked');
    mkdirSync(join(unpacked, 'bin'), { recursive: true });
    mkdirSync(join(asar, 'dist', 'cli'), { recursive: true });
    for (const f of ['gt.mjs', 'cli-bundle.mjs']) copyFileSync(join(root, 'bin', f), join(unpacked, 'bin', f));
    writeFileSync(join(unpacked, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(asar, 'dist', 'cli', 'gt.js'), 'export async function runCli(argv) { console.log(`asar bundle ${argv.join(" ")}`); }\n');
    writeFileSync(join(asar, 'dist', 'cli', 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(asar, 'dist', 'cli', 'inputs.json'), JSON.stringify({ builtAt: Date.now() - 60_000, inputs: ['main/cli/gt.ts', 'main/cli/command.ts'] }));
    const out = execFileSync(process.execPath, [join(unpacked, 'bin', 'gt.mjs'), 'hook', '--json'], { encoding: 'utf8', env: { ...process.env, GT_CLI: '' } }).trim();
    assert.equal(out, 'asar bundle hook --json', 'absent sources do not make the bundle stale');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('the freshness rule: every source of the entry at most as new as the build; absent sources cannot be newer', () => {
  const record = { builtAt: 1000, inputs: ['a.ts', 'b.ts', 's.ts'], entries: { gt: ['a.ts', 'b.ts'], 'script-main': ['s.ts'] } };
  const times = (m: Record<string, number | null>) => (f: string) => (f in m ? m[f] : null);
  assert.equal(entryIsFresh(record, 'gt', times({ 'a.ts': 1000, 'b.ts': 10 })), true);
  assert.equal(entryIsFresh(record, 'gt', times({ 'a.ts': 1001, 'b.ts': 10 })), false, 'a newer source: stale');
  assert.equal(entryIsFresh(record, 'script-main', times({ 'a.ts': 5000, 's.ts': 10 })), true, 'another entry\'s source does not matter');
  assert.equal(entryIsFresh(record, 'script-main', times({})), true, 'no sources on disk (the packaged app)');
  assert.equal(entryIsFresh({ builtAt: 1000, inputs: ['a.ts'] }, 'gt', times({ 'a.ts': 10 })), true, 'a record from before per-entry lists still serves gt');
  assert.equal(entryIsFresh({ builtAt: 1000, inputs: ['a.ts'] }, 'script-main', times({})), false, '…but not an entry it does not list');
  assert.equal(entryIsFresh(null, 'gt', times({})), false, 'no record');
  assert.equal(appRootOf('/opt/App/resources/app.asar.unpacked/bin'), '/opt/App/resources/app.asar/');
  assert.equal(appRootOf('/home/me/repo/bin'), '/home/me/repo/');
});

test('the script runtime runs from its bundle while fresh, else from the sources through tsx', () => {
  const base = mkdtempSync(join(tmpdir(), 'gt-script-choice-'));
  try {
    const rootDir = `${base}/`;
    const source = join(base, 'main', 'agents', 'script-runtime', 'script-main.ts');
    const bundle = join(base, 'dist', 'cli', 'script-main.js');
    mkdirSync(join(base, 'main', 'agents', 'script-runtime'), { recursive: true });
    mkdirSync(join(base, 'dist', 'cli'), { recursive: true });
    writeFileSync(source, '');
    writeFileSync(bundle, '');
    const loader = () => 'file:///tsx-loader.mjs';
    const command = (env: NodeJS.ProcessEnv = {}) => scriptEntryArgs(resolveScriptEntry(rootDir, env), loader);
    const sources = ['--import', 'file:///tsx-loader.mjs', source];

    assert.deepEqual(command(), sources, 'no build record: the sources');
    const builtAt = Date.now();
    writeFileSync(join(base, 'dist', 'cli', 'inputs.json'), JSON.stringify({ builtAt, inputs: ['main/agents/script-runtime/script-main.ts'], entries: { 'script-main': ['main/agents/script-runtime/script-main.ts'] } }));
    const past = new Date(builtAt - 60_000);
    utimesSync(source, past, past);
    assert.deepEqual(command(), [bundle], 'fresh bundle: plain node, no loader');
    assert.deepEqual(command({ GT_CLI: 'source' }), sources, 'GT_CLI=source forces the sources');
    const future = new Date(builtAt + 60_000);
    utimesSync(source, future, future);
    assert.deepEqual(command(), sources, 'a source edited after the build: the sources');
    rmSync(source);
    assert.deepEqual(command(), [bundle], 'no sources at all (the packaged app): the bundle');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('in the app the script runtime runs as Node (ELECTRON_RUN_AS_NODE for it alone) and nothing it starts inherits that', () => {
  const bundle = { file: '/app/dist/cli/script-main.js', needsLoader: false };
  const sources = { file: '/app/main/agents/script-runtime/script-main.ts', needsLoader: true };
  assert.deepEqual(scriptLaunch(bundle, '/usr/bin/node', false), { command: '/usr/bin/node', args: ['/app/dist/cli/script-main.js'] });
  assert.deepEqual(scriptLaunch(bundle, '/opt/App/app', true), { command: '/usr/bin/env', args: ['ELECTRON_RUN_AS_NODE=1', '/opt/App/app', '/app/dist/cli/script-main.js'] });
  assert.deepEqual(scriptLaunch(sources, '/opt/App/app', true, () => 'file:///loader.mjs'), { command: '/usr/bin/env', args: ['ELECTRON_RUN_AS_NODE=1', '/opt/App/app', '--import', 'file:///loader.mjs', sources.file] });

  // The real launch shape with Node standing in for Electron: the variable reaches the runtime
  // (env(1) sets it) but not the commands its script runs.
  const base = mkdtempSync(join(tmpdir(), 'gt-script-electron-'));
  try {
    const launch = scriptLaunch(resolveScriptEntry(), process.execPath, true);
    const description = '```gt-script\nrun echo "seen=${ELECTRON_RUN_AS_NODE:-unset}" > env.txt\n```';
    const env: NodeJS.ProcessEnv = { ...process.env, GT_SCRIPT_DESCRIPTION: description };
    delete env.ELECTRON_RUN_AS_NODE;
    const r = spawnSync(launch.command, launch.args, { cwd: base, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(execFileSync('cat', [join(base, 'env.txt')], { encoding: 'utf8' }), 'seen=unset\n');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
