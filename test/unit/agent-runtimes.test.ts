import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLaunch, getRuntime, listRuntimes, parseRuntimeConfig, runtimeListing, runtimeNameFor } from '../../main/agents/runtimes/runtime-registry.ts';

test('built-in runtimes: every CLI of the issue, each with a command and screen patterns', () => {
  const names = listRuntimes().map((r) => r.def.name);
  assert.deepEqual(names, ['claude', 'codex', 'gemini', 'copilot', 'opencode', 'shell', 'script']);
  for (const r of listRuntimes()) {
    assert.ok(r.def.command);
    if (r.def.kind === 'llm') assert.ok(r.patterns.waiting?.length && r.patterns.failed?.length, r.def.name);
  }
});

test('command lines: model and permission flags, prompt as argument, resume', () => {
  const claude = getRuntime('claude');
  assert.deepEqual(buildLaunch(claude, { model: 'opus', permissions: 'bypass', prompt: 'do it' }).args, ['--model', 'opus', '--dangerously-skip-permissions', 'do it']);
  assert.deepEqual(buildLaunch(claude, {}).args, [], 'flags without values are dropped');
  assert.deepEqual(buildLaunch(claude, { resumeId: 's1', prompt: 'ignored' }).args, ['--resume', 's1']);
  assert.deepEqual(buildLaunch(getRuntime('codex'), { resumeId: 'r9' }).args.slice(0, 2), ['resume', 'r9']);
  const script = buildLaunch(getRuntime('script'));
  assert.equal(script.command, process.execPath);
  // The prebuilt bundle when fresh, else the sources through tsx (which one: test/unit/cli-bundle.test.ts).
  assert.match(script.args.join(' '), /^(?:[^ ]+[/\\]dist[/\\]cli[/\\]script-main\.js|--import [^ ]+ [^ ]+[/\\]script-runtime[/\\]script-main\.ts)$/);
});

test('per town / role / rig / rig+role selection, and a custom runtime from config without code', () => {
  const config = parseRuntimeConfig({
    default: 'codex',
    roles: { mayor: 'claude' },
    rigs: { web: { default: 'gemini', roles: { polecat: 'mybot' } } },
    custom: [{ name: 'mybot', label: 'My bot', command: 'mybot', args: ['--fast', '{prompt}'], firstInstructions: 'argument', patterns: { waiting: ['Continue\\?'] } }],
  });
  assert.equal(runtimeNameFor(config, {}), 'codex');
  assert.equal(runtimeNameFor(config, { role: 'mayor' }), 'claude');
  assert.equal(runtimeNameFor(config, { rig: 'web', role: 'mayor' }), 'gemini');
  assert.equal(runtimeNameFor(config, { rig: 'web', role: 'polecat' }), 'mybot');
  const mine = getRuntime('mybot', config);
  assert.deepEqual(buildLaunch(mine, { prompt: 'go' }).args, ['--fast', 'go']);
  assert.ok(mine.patterns.waiting![0].test('Continue?'));
  const listing = runtimeListing(config, '/nonexistent');
  assert.equal(listing.find((r) => r.name === 'mybot')?.installed, false);
  assert.equal(listing.find((r) => r.name === 'script')?.installed, true);
});

test('bad custom runtimes are rejected with a clear error', () => {
  assert.throws(() => parseRuntimeConfig({ custom: [{ name: 'Bad Name', label: 'x', command: 'x' }] }), { code: 'invalid' });
  assert.throws(() => getRuntime('nope'), { code: 'not_found' });
  const cfg = parseRuntimeConfig({ custom: [{ name: 'broken', label: 'x', command: 'x', patterns: { waiting: ['('] } }] });
  assert.throws(() => getRuntime('broken', cfg), /pattern/);
});
