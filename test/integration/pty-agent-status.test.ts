// Agent status with real PTYs: the script runtime's question is seen as waiting-for-input, an
// answer typed through the API resumes it, and its hang is seen as "no output since T".
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import { StatusTracker } from '../../main/agents/status-tracker.ts';
import { buildAgentEnv } from '../../main/agents/agent-env.ts';
import { buildLaunch, getRuntime } from '../../main/agents/runtimes/runtime-registry.ts';
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
