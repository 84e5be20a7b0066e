import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpretHook } from '../../main/agents/hooks/hook-adapters.ts';
import { primeReply } from '../../main/town/sessions/agent-sessions.ts';

const start = (source: string) => interpretHook('claude-code', { hook_event_name: 'SessionStart', session_id: 'abc', source });

test('the first SessionStart of a session primed by its launch argument does not prime again', () => {
  assert.equal(primeReply(start('startup'), { firstStart: true, primedAtLaunch: true }), null);
});

test('every other start is primed: a later startup, resume, clear, compact, or a CLI the prime was typed to', () => {
  assert.equal(primeReply(start('startup'), { firstStart: false, primedAtLaunch: true }), 'prime');
  for (const source of ['resume', 'clear', 'compact']) assert.equal(primeReply(start(source), { firstStart: true, primedAtLaunch: true }), 'prime', source);
  assert.equal(primeReply(start('startup'), { firstStart: true, primedAtLaunch: false }), 'prime');
});

test('replies other than the prime pass through', () => {
  const prompt = interpretHook('claude-code', { hook_event_name: 'UserPromptSubmit', session_id: 'abc' });
  assert.equal(primeReply(prompt, { firstStart: true, primedAtLaunch: true }), 'mail');
});
