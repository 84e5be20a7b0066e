// The pure parts of the runtimes' hooks: payloads → status events, hook settings merged into a
// CLI's settings without losing anything, the resume decision, and the launch arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReply, interpretHook } from '../../main/agents/hooks/hook-adapters.ts';
import { claudeHookTable, codexNotifyArgs, hookCommand, mergeHooks } from '../../main/agents/hooks/hook-settings.ts';
import { buildLaunch, getRuntime, parseRuntimeConfig, runtimeListing } from '../../main/agents/runtimes/runtime-registry.ts';
import { decideResume, resumeFailed, RESUME_GRACE_MS } from '../../main/town/sessions/resume-policy.ts';
import { reducePayload } from '../../main/cli/commands/agent-hook-commands.ts';
import { newMailText } from '../../main/town/handlers/agent-hooks.ts';

const SID = '0b7c6d2e-52a8-4b4f-9d43-4f1f1b9b2c11';
const common = { session_id: SID, transcript_path: '/home/u/.claude/projects/x/s.jsonl', cwd: '/w' };

test('Claude Code payloads (as its schema describes them) map to status events and replies', () => {
  const cases: Array<[Record<string, unknown>, string | null, string, string | null]> = [
    [{ hook_event_name: 'SessionStart', source: 'startup' }, 'session-start', 'SessionStart startup', 'prime'],
    [{ hook_event_name: 'SessionStart', source: 'compact' }, 'session-start', 'SessionStart compact', 'prime'],
    [{ hook_event_name: 'UserPromptSubmit', prompt: 'do it' }, 'working', 'UserPromptSubmit', 'mail'],
    [{ hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' }, 'waiting', 'Notification permission_prompt: Claude needs your permission to use Bash', null],
    [{ hook_event_name: 'Notification', notification_type: 'idle_prompt', message: 'Claude is waiting for your input' }, 'idle', 'Notification idle_prompt: Claude is waiting for your input', null],
    [{ hook_event_name: 'Notification', notification_type: 'auth_success', message: 'ok' }, null, 'Notification auth_success: ok', null],
    [{ hook_event_name: 'Stop', stop_hook_active: false }, 'stop', 'Stop', null],
    [{ hook_event_name: 'StopFailure', error: 'rate_limit' }, 'stop-failure', 'StopFailure: rate_limit', null],
    [{ hook_event_name: 'PreCompact', trigger: 'auto', custom_instructions: null }, 'working', 'PreCompact auto', null],
    [{ hook_event_name: 'SomethingNew' }, null, 'SomethingNew', null],
  ];
  for (const [payload, event, detail, reply] of cases) {
    const r = interpretHook('claude-code', { ...common, ...payload });
    assert.deepEqual([r.event, r.detail, r.reply, r.conversationId], [event, detail, reply, SID], JSON.stringify(payload));
  }
  // An id that is not a safe single argument is not kept (it would end up on a command line).
  assert.equal(interpretHook('claude-code', { hook_event_name: 'Stop', session_id: 'a b; rm -rf /' }).conversationId, null);
  assert.equal(formatReply('claude-code', 'SessionStart', 'hello'), 'hello\n');
  assert.equal(formatReply('claude-code', 'Stop', ''), '');
});

test('Codex notify and Gemini CLI payloads map to the same events', () => {
  const codex = interpretHook('codex-notify', { type: 'agent-turn-complete', 'thread-id': 'th-1', 'turn-id': '7', 'last-assistant-message': 'done' });
  assert.deepEqual([codex.event, codex.conversationId, codex.reply], ['stop', 'th-1', null]);
  assert.equal(interpretHook('codex-notify', { type: 'other' }).event, null);
  const g = (p: Record<string, unknown>) => interpretHook('gemini-cli', { session_id: 'g-1', ...p });
  assert.deepEqual([g({ hook_event_name: 'SessionStart', source: 'resume' }).event, g({ hook_event_name: 'SessionStart' }).reply], ['session-start', 'prime']);
  assert.deepEqual([g({ hook_event_name: 'BeforeAgent' }).event, g({ hook_event_name: 'BeforeAgent' }).reply], ['working', 'mail']);
  assert.equal(g({ hook_event_name: 'AfterAgent' }).event, 'stop');
  assert.equal(g({ hook_event_name: 'Notification', notification_type: 'ToolPermission' }).event, 'waiting');
  assert.equal(g({ hook_event_name: 'SessionEnd' }).event, null);
  // Gemini reads JSON only on stdout.
  assert.deepEqual(JSON.parse(formatReply('gemini-cli', 'BeforeAgent', 'mail!')), { hookSpecificOutput: { hookEventName: 'BeforeAgent', additionalContext: 'mail!' } });
  assert.equal(formatReply('gemini-cli', 'AfterAgent', ''), '{}');
});

test('our hooks merge into existing settings: other settings and hooks stay, our old entries are replaced', () => {
  const existing = {
    model: 'opus',
    permissions: { allow: ['Bash(npm test)'] },
    hooks: {
      Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }, { hooks: [{ type: 'command', command: 'gt agent-hook claude-code --old' }] }],
      PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'prettier --write' }] }],
    },
  };
  const merged = mergeHooks(existing, claudeHookTable()) as { model: string; permissions: unknown; hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ command: string; async?: boolean }> }>> };
  assert.equal(merged.model, 'opus');
  assert.deepEqual(merged.permissions, existing.permissions);
  assert.deepEqual(merged.hooks.PostToolUse, existing.hooks.PostToolUse);
  const stopCommands = merged.hooks.Stop.flatMap((g) => g.hooks.map((h) => h.command));
  assert.deepEqual(stopCommands, ['say done', hookCommand('claude-code')], 'the foreign hook kept, our old entry replaced by exactly one');
  for (const ev of ['SessionStart', 'UserPromptSubmit', 'Notification', 'Stop', 'StopFailure', 'PreCompact']) assert.ok(merged.hooks[ev], ev);
  assert.equal(merged.hooks.Notification[0].matcher, 'permission_prompt|idle_prompt|elicitation_dialog');
  assert.equal(merged.hooks.SessionStart[0].matcher, undefined, 'every SessionStart source, compact included, re-primes');
  // Merging again is stable (idempotent).
  assert.deepEqual(mergeHooks(merged, claudeHookTable()), merged);
  assert.match(hookCommand('claude-code'), /^if \[ -z "\$GT_AGENT" \]; then cat >\/dev\/null; else gt agent-hook claude-code \|\| true; fi$/);
});

test('launch lines: codex gets its notify program; a resume replaces the prompt; listings name the hook adapter', () => {
  const codex = buildLaunch(getRuntime('codex'), { prompt: 'go' });
  assert.deepEqual(codex.args.slice(0, 2), codexNotifyArgs());
  assert.equal(codex.args[1], 'notify=["gt","agent-hook","codex-notify"]');
  assert.deepEqual(buildLaunch(getRuntime('codex'), { prompt: 'go', resumeId: 'th-1' }).args.slice(0, 4), ['resume', 'th-1', ...codexNotifyArgs()]);
  const claude = buildLaunch(getRuntime('claude'), { prompt: 'go', resumeId: SID, permissions: 'bypass' });
  assert.deepEqual(claude.args, ['--resume', SID, '--dangerously-skip-permissions']);
  const hooks = Object.fromEntries(runtimeListing(parseRuntimeConfig({})).map((r) => [r.name, r.hooks]));
  assert.deepEqual(hooks, { claude: 'claude-code', codex: 'codex-notify', gemini: 'gemini-cli', copilot: null, opencode: null, shell: null, script: null });
  assert.throws(() => parseRuntimeConfig({ custom: [{ name: 'x', label: 'X', command: 'x', hooks: 'nope' }] }), /hooks/);
});

test('resume: only the same work of the same runtime in the same folder, never over a handoff', () => {
  const stored = { runtime: 'claude', id: SID, cwd: '/w', bead: 'gt-abc', at: '2026-01-01T00:00:00Z' };
  const facts = { canResume: true, runtime: 'claude', cwd: '/w', bead: 'gt-abc', stored, replacingLive: false };
  assert.equal(decideResume(facts).resumeId, SID);
  assert.equal(decideResume({ ...facts, stored: null }).resumeId, null);
  assert.equal(decideResume({ ...facts, replacingLive: true }).resumeId, null);
  assert.equal(decideResume({ ...facts, canResume: false }).resumeId, null);
  assert.equal(decideResume({ ...facts, runtime: 'codex' }).resumeId, null);
  assert.equal(decideResume({ ...facts, cwd: '/elsewhere' }).resumeId, null);
  assert.equal(decideResume({ ...facts, bead: 'gt-new' }).resumeId, null);
  assert.match(decideResume({ ...facts, bead: 'gt-new' }).why, /was about gt-abc/);
  const quick = { resumed: true, confirmed: false, ranMs: 1000, exitCode: 1, killed: false };
  assert.equal(resumeFailed(quick), true);
  assert.equal(resumeFailed({ ...quick, confirmed: true }), false, 'its SessionStart hook said it resumed');
  assert.equal(resumeFailed({ ...quick, exitCode: 0 }), false);
  assert.equal(resumeFailed({ ...quick, killed: true }), false);
  assert.equal(resumeFailed({ ...quick, ranMs: RESUME_GRACE_MS }), false);
  assert.equal(resumeFailed({ ...quick, resumed: false }), false);
});

test('gt agent-hook sends only the small fields; new mail reads as one short notice', () => {
  const big = 'x'.repeat(10_000);
  const r = reducePayload({ hook_event_name: 'Stop', session_id: SID, last_assistant_message: big, prompt: big, message: big, nested: { a: 1 }, 'thread-id': 't' });
  assert.deepEqual(Object.keys(r).sort(), ['hook_event_name', 'message', 'session_id', 'thread-id']);
  assert.equal((r.message as string).length, 2000);
  assert.deepEqual(reducePayload([1, 2]), {});
  assert.equal(newMailText([]), '');
  const text = newMailText([{ id: 'hq-1', from: 'mayor', to: 'a', subject: 'hi', body: '', kind: 'message', read: false, replyTo: null, severity: null, createdAt: '' }]);
  assert.equal(text, '[GAS TOWN] 1 new message for you (read with `gt mail read ID`):\n- hq-1 from mayor: hi');
});
