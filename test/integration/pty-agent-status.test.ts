// Agent status with real PTYs: the script runtime's question is seen as waiting-for-input, an
// answer typed through the API resumes it, and its hang is seen as "no output since T". The
// registry starts the script runtime from its prebuilt bundle (dist/cli/script-main.js), which
// carries a script through to its commit.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import { StatusTracker } from '../../main/agents/status-tracker.ts';
import { buildAgentEnv } from '../../main/agents/agent-env.ts';
import { buildLaunch, getRuntime } from '../../main/agents/runtimes/runtime-registry.ts';
import { APP_ROOT, resolveScriptEntry } from '../../main/agents/runtimes/script-entry.ts';
import { buildCli } from '../../scripts/build-cli.ts';
import type { StatusChange } from '../../main/agents/agent-status.ts';
import { waitFor } from '../helpers/wait.ts';


/** A real PTY host with a status tracker, stopped and cleaned up when the test ends. */
async function startHost(t: TestContext): Promise<{ dir: string; client: PtyHostClient; tracker: StatusTracker }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gt-pty-status-'));
  const client = new PtyHostClient({ transcriptDir: path.join(dir, 'transcripts') });
  const tracker = new StatusTracker(client, { settleMs: 200, tickMs: 100 });
  t.after(async () => {
    tracker.dispose();
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await client.start();
  return { dir, client, tracker };
}

test('script runtime: ask → waiting-for-input, answered → working, hang → stalled', { timeout: 60_000 }, async (t) => {
  const { dir, client, tracker } = await startHost(t);

  const description = [
    'Exercise the status machine.',
    '',
    '```gt-script',
    'write notes.txt hello\\nworld',
    'output 40',
    'ask Deploy to staging?',
    'append notes.txt !',
    'output 3',
    'hang',
    '```',
  ].join('\n');
  const descFile = path.join(dir, 'bead.md');
  writeFileSync(descFile, description);
  const rt = getRuntime('script');
  const launch = buildLaunch(rt);
  const env = buildAgentEnv({ socket: path.join(dir, 'town.sock'), town: dir, agent: 'rig1/polecats/ace', rig: 'rig1', bead: 'gt-abc', runtime: 'script', extra: { GT_SCRIPT_FILE: descFile } });
  assert.equal(env.GT_SCRIPT_FILE, descFile);

  const changes: StatusChange[] = [];
  tracker.on('status', (c: StatusChange) => changes.push(c));
  const { id } = await client.spawn({ id: 'ace', command: launch.command, args: launch.args, cwd: dir, env, cols: 100, rows: 30 });
  tracker.track(id, { patterns: rt.patterns, stallMs: 3000 });

  const waiting = await waitFor('waiting-for-input', () => changes.find((c) => c.state === 'waiting-for-input'));
  assert.match(waiting.reason, /Deploy to staging\? \[y\/n\]/);
  assert.ok(changes.some((c) => c.state === 'working'), 'was working before the question');
  const snap = await client.snapshot(id);
  assert.match(snap.cursorLine, /Deploy to staging\? \[y\/n\]/);
  assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'hello\nworld');

  client.write(id, 'y\r');
  const resumed = await waitFor('working after the answer', () => changes.find((c) => c.at >= waiting.at && c !== waiting && c.state === 'working'));
  assert.ok(resumed);
  await waitFor('append step ran', () => readFileSync(path.join(dir, 'notes.txt'), 'utf8') === 'hello\nworld!');

  const stalled = await waitFor('stalled', () => changes.find((c) => c.state === 'stalled'));
  assert.match(stalled.reason, /^no output since \d{4}-\d\d-\d\dT/);
  const since = Date.parse(stalled.reason.replace('no output since ', ''));
  assert.ok(stalled.at - since >= 3000, 'stalled only after the stall window');
  assert.equal(tracker.get(id)?.state, 'stalled');

  await client.kill(id);
  const last = await waitFor('exited', () => changes.find((c) => c.state === 'exited'));
  assert.equal(last.reason, 'killed');
  assert.equal(tracker.ticking, false, 'no session tracked: the status timer stops');
});

test('script runtime: fail → crashed with exit code; no block → default change, exit 0', { timeout: 60_000 }, async (t) => {
  const { dir, client, tracker } = await startHost(t);
  const rt = getRuntime('script');
  const launch = buildLaunch(rt);
  const changes: StatusChange[] = [];
  tracker.on('status', (c: StatusChange) => changes.push(c));
  let text = '';
  client.on('data', (_c: string, _id: string, d: Uint8Array) => (text += Buffer.from(d).toString('utf8')));
  for (const [id, desc] of [
    ['failing', '```gt-script\noutput 2\nfail the gate is red\n```'],
    ['plain', 'No script here, just words.'],
  ]) {
    const env = buildAgentEnv({ socket: 'x', town: dir, agent: id, bead: `gt-${id}`, extra: { GT_SCRIPT_DESCRIPTION: desc } });
    await client.spawn({ id, command: launch.command, args: launch.args, cwd: dir, env, cols: 100, rows: 30 });
    await client.attach('t', id);
    tracker.track(id, { patterns: rt.patterns });
  }
  const crashed = await waitFor('crashed', () => changes.find((c) => c.id === 'failing' && (c.state === 'crashed' || c.state === 'exited')));
  assert.equal(crashed.state, 'crashed');
  assert.equal(crashed.reason, 'exit 1');
  const done = await waitFor('plain exited', () => changes.find((c) => c.id === 'plain' && (c.state === 'crashed' || c.state === 'exited')));
  assert.equal(done.state, 'exited');
  assert.match(text, /gt-script: failed: the gate is red/);
  assert.match(text, /scripted runtime \(deterministic, no LLM\)/);
  assert.match(readFileSync(path.join(dir, 'SCRIPTED_CHANGES.md'), 'utf8'), /gt-plain: scripted task \(made by the scripted runtime\)/);
});

test('script runtime from its prebuilt bundle: the registry launches dist/cli/script-main.js, which runs a script to its commit', { timeout: 60_000 }, async (t) => {
  // `npm test` builds dist/cli first; a tree edited since gets it rebuilt here (atomically swapped in).
  if (resolveScriptEntry().needsLoader) await buildCli();
  const { dir, client, tracker } = await startHost(t);
  const rt = getRuntime('script');
  const launch = buildLaunch(rt);
  assert.equal(launch.command, process.execPath);
  assert.deepEqual(launch.args, [`${APP_ROOT}dist/cli/script-main.js`], 'plain node on the bundle: no tsx loader');

  const repo = path.join(dir, 'work');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const identity = { GIT_AUTHOR_NAME: 'ace', GIT_AUTHOR_EMAIL: 'ace@rig1.test', GIT_COMMITTER_NAME: 'ace', GIT_COMMITTER_EMAIL: 'ace@rig1.test' };
  const description = '```gt-script\nwrite src/made.txt made by the bundle\\n\noutput 3\nappend src/made.txt second line\\n\n```';
  const env = buildAgentEnv({ socket: path.join(dir, 'town.sock'), town: dir, agent: 'rig1/polecats/ace', rig: 'rig1', bead: 'gt-bun', runtime: 'script', extra: { ...identity, GT_SCRIPT_DESCRIPTION: description, GT_SCRIPT_TITLE: 'bundled run' } });

  const changes: StatusChange[] = [];
  tracker.on('status', (c: StatusChange) => changes.push(c));
  let text = '';
  client.on('data', (_c: string, _id: string, d: Uint8Array) => (text += Buffer.from(d).toString('utf8')));
  const { id } = await client.spawn({ id: 'bundled', command: launch.command, args: launch.args, cwd: repo, env, cols: 100, rows: 30 });
  await client.attach('t', id);
  tracker.track(id, { patterns: rt.patterns });

  const end = await waitFor('bundled run exited', () => changes.find((c) => c.id === id && (c.state === 'crashed' || c.state === 'exited')));
  assert.equal(end.state, 'exited', `${end.reason}\n${text}`);
  assert.match(text, /gt-script: starting \(scripted runtime, deterministic, no LLM\)/);
  assert.match(text, /gt-script: committed changes for gt-bun/);
  assert.match(text, /gt-script: done/);
  assert.equal(readFileSync(path.join(repo, 'src', 'made.txt'), 'utf8'), 'made by the bundle\nsecond line\n');
  assert.equal(git('log', '-1', '--format=%s'), 'gt-bun: bundled run');
  assert.equal(git('status', '--porcelain'), '', 'everything the script wrote is committed');
});
