import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentStatus, type StatusChange } from '../../main/agents/agent-status.ts';

const patterns = { waiting: [/\[y\/n\]\s*$/m], idle: [/^\$ $/m], working: [/esc to interrupt/], ready: [/Welcome/], failed: [/Invalid API key/] };

function machine(stallMs = 1000) {
  const s = new AgentStatus('a', { patterns, stallMs }, 0);
  const seen: StatusChange[] = [];
  s.onChange((c) => seen.push(c));
  return { s, seen };
}

test('starting → working → waiting-for-input → working → idle → exited, each with reason and time', () => {
  const { s, seen } = machine();
  assert.equal(s.state, 'starting');
  s.output(10);
  s.screen({ text: 'build…\n? Deploy? [y/n] ', cursorLine: '? Deploy? [y/n] ' }, 20);
  s.output(30); // the human's typed answer echoes: still the prompt until the screen says otherwise
  assert.equal(s.state, 'waiting-for-input');
  s.screen({ text: 'ok\ncompiling', cursorLine: 'compiling' }, 40);
  s.screen({ text: 'done\n$ ', cursorLine: '$ ' }, 50);
  s.exit({ id: 'a', exitCode: 0, signal: null, reason: 'exited' }, 60);
  assert.deepEqual(
    seen.map((c) => [c.previous, c.state, c.reason, c.at]),
    [
      ['starting', 'working', 'output', 10],
      ['working', 'waiting-for-input', 'prompt: ? Deploy? [y/n]', 20],
      ['waiting-for-input', 'working', 'prompt answered', 40],
      ['working', 'idle', 'at prompt: $', 50],
      ['idle', 'exited', 'exit 0', 60],
    ],
  );
});

test('no output for the stall window while working → stalled "no output since T"; output resumes it', () => {
  const { s } = machine(1000);
  s.output(5000);
  s.tick(5999);
  assert.equal(s.state, 'working');
  s.tick(6000);
  assert.equal(s.state, 'stalled');
  assert.equal(s.reason, `no output since ${new Date(5000).toISOString()}`);
  s.output(7000);
  assert.equal(s.state, 'working');
});

test('waiting and idle sessions never stall: they wait on someone else', () => {
  const { s } = machine(10);
  s.output(1);
  s.screen({ text: '$ ', cursorLine: '$ ' }, 2);
  s.tick(10_000);
  assert.equal(s.state, 'idle');
});

test('a hook\'s state beats the screen: held for hookHoldMs, then only a clear screen reading after new output overrides it', () => {
  const s = new AgentStatus('a', { patterns, stallMs: 60_000, hookHoldMs: 100 }, 0);
  const seen: StatusChange[] = [];
  s.onChange((c) => seen.push(c));
  s.output(10);
  assert.equal(seen.at(-1)!.source, 'output');
  s.hook('stop', 20);
  assert.equal(s.state, 'idle');
  assert.equal(s.reason, 'hook: stop');
  assert.equal(s.source, 'hook');
  assert.equal(seen.at(-1)!.source, 'hook');
  s.screen({ text: 'esc to interrupt', cursorLine: '' }, 30);
  assert.equal(s.state, 'idle', 'no output since the hook: nothing new on the screen');
  s.output(40);
  assert.equal(s.state, 'idle', 'output alone (typing at the prompt) never overrides a hook');
  s.screen({ text: 'esc to interrupt', cursorLine: '' }, 50);
  assert.equal(s.state, 'idle', 'within the hold the hook wins over a screen that disagrees');
  s.screen({ text: 'nothing recognisable', cursorLine: '' }, 200);
  assert.equal(s.state, 'idle', 'after the hold, an unclear screen still leaves the hook\'s state');
  s.screen({ text: 'esc to interrupt', cursorLine: '' }, 210);
  assert.equal(s.state, 'working', 'after the hold, clear new activity on the screen wins');
  assert.equal(s.source, 'screen');
  assert.equal(seen.at(-1)!.source, 'screen');
  s.hook('waiting', 300, 'Notification permission_prompt');
  assert.equal(s.state, 'waiting-for-input');
  assert.equal(s.reason, 'hook: waiting (Notification permission_prompt)');
  s.hook('session-start', 310, 'SessionStart compact');
  assert.equal(s.state, 'waiting-for-input', 'a re-prime after compaction changes no state');
  const fresh = new AgentStatus('b', { patterns, stallMs: 60_000 }, 0);
  fresh.output(5); // its logo
  fresh.hook('session-start', 6, 'SessionStart resume');
  assert.deepEqual([fresh.state, fresh.source, fresh.reason], ['idle', 'hook', 'hook: session-start (SessionStart resume)']);
});

test('auth failure screens read as waiting-for-input with the reason; exits map to exited/crashed', () => {
  const { s } = machine();
  s.output(1);
  s.screen({ text: 'Error: Invalid API key · Please run /login', cursorLine: '' }, 2);
  assert.equal(s.state, 'waiting-for-input');
  assert.match(s.reason, /^failed: .*Invalid API key/);
  s.exit({ id: 'a', exitCode: 2, signal: null, reason: 'exited' }, 3);
  assert.equal(s.state, 'crashed');
  assert.equal(s.reason, 'exit 2');
  const other = machine().s;
  other.exit({ id: 'a', exitCode: null, signal: null, reason: 'pty host died' }, 1);
  assert.deepEqual([other.state, other.reason], ['crashed', 'pty host died']);
});

test('a CLI that prints why it cannot work and quits: crashed, with the line from its last screen', () => {
  const { s } = machine();
  s.output(1);
  const screen = 'Welcome\n\n Invalid API key for this account\n Check your settings.';
  s.exit({ id: 'a', exitCode: 1, signal: null, reason: 'exited' }, 2, screen);
  assert.deepEqual([s.state, s.reason], ['crashed', 'exit 1: Invalid API key for this account']);
  // No failure line on the screen: the bare exit; a clean exit stays clean whatever the screen says.
  const plain = machine().s;
  plain.exit({ id: 'a', exitCode: 3, signal: null, reason: 'exited' }, 1, 'some output');
  assert.equal(plain.reason, 'exit 3');
  const ok = machine().s;
  ok.exit({ id: 'a', exitCode: 0, signal: null, reason: 'exited' }, 1, 'Invalid API key');
  assert.deepEqual([ok.state, ok.reason], ['exited', 'exit 0']);
});
