// The real Claude Code CLI (from npm, cached outside the repo), run by a real town through its PTY
// host, wired in through its own hooks. Its service is unreachable here, so it is given a dummy API
// key (approved in a throwaway HOME, with the folder trusted), a closed local API address and no
// retries: it starts, runs its SessionStart hook, submits its first prompt (UserPromptSubmit), fails
// to reach the API (StopFailure), and sits at its prompt. Everything the town learns comes from those
// hooks, run by the CLI itself through `gt agent-hook` over the town's real socket. Then: hooks run by
// hand with the payloads its schema describes; a restart that resumes the conversation (`claude
// --resume <id>`, confirmed by its SessionStart "resume" hook); and a resume that fails (its
// transcript gone) replaced by a fresh, primed session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentStateInfo } from '../../preload/requests/agent-hooks.ts';
import type { AgentInfo } from '../../preload/requests/work-types.ts';
import { BUILTIN_RUNTIMES } from '../../main/agents/runtimes/builtin-runtimes.ts';
import { hookCommand } from '../../main/agents/hooks/hook-settings.ts';
import { installHooks } from '../../main/agents/hooks/hook-install.ts';
import { agentToken } from '../../main/town/sessions/agent-token.ts';
import { freePort } from '../../main/ledger/free-port.ts';
import { descendants } from '../helpers/gt.ts';
import { ensureCliInstalled } from '../helpers/agent-clis.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';

const PKG = '@anthropic-ai/claude-code';
const VERSION = '2.1.331';
const KEY = 'sk-ant-offline-test-key-0123456789abcdef';

let t: TestTown | null = null;
let installError: string | null = null;
let home = '';
let asMayor: Record<string, string> = {};

before(async () => {
  const installed = await ensureCliInstalled(PKG, VERSION);
  if ('error' in installed) {
    installError = installed.error;
    return;
  }
  home = mkdtempSync(path.join(os.tmpdir(), 'gt-claude-home-'));
  const closed = await freePort();
  const builtin = BUILTIN_RUNTIMES.find((r) => r.name === 'claude')!;
  t = await startTestTown({
    runtimes: {
      custom: [{
        ...builtin,
        command: path.join(installed.bin, 'claude'),
        env: {
          HOME: home, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `http://127.0.0.1:${closed}`,
          CLAUDE_CODE_MAX_RETRIES: '0', DISABLE_AUTOUPDATER: '1', HTTPS_PROXY: '', HTTP_PROXY: '',
        },
      }],
    },
  }, { announceMail: false }); // the hooks deliver mail here; a typed announcement would make the real CLI take a turn
  // Its own config: onboarding done, the dummy key approved, the Mayor's folder trusted.
  writeFileSync(path.join(home, '.claude.json'), JSON.stringify({
    hasCompletedOnboarding: true,
    customApiKeyResponses: { approved: [KEY.slice(-20)], rejected: [] },
    projects: { [path.join(t.dir, 'mayor')]: { hasTrustDialogAccepted: true } },
  }));
  const token = (JSON.parse(readFileSync(path.join(t.dir, 'secrets.json'), 'utf8')) as { apiToken: string }).apiToken;
  asMayor = { GT_AGENT: 'mayor', GT_SOCKET_TOKEN: agentToken(token, 'mayor'), GT_TOWN: t.dir };
});
after(async () => {
  await t?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

const state = () => t!.json<AgentStateInfo>(['agent', 'status', 'mayor']);
const stateOrNull = () => state().catch(() => null);

/** A hook run by hand, as Claude Code runs it: the payload on stdin of the command in its settings. */
function runHook(payload: Record<string, unknown>): { stdout: string; stderr: string } {
  const r = execFileSync('/bin/sh', ['-c', hookCommand('claude-code')], {
    input: JSON.stringify(payload), encoding: 'utf8',
    env: { ...process.env, ...asMayor, PATH: `${path.resolve('bin')}:${process.env.PATH}` },
    cwd: path.join(t!.dir, 'mayor'),
  });
  return { stdout: r, stderr: '' };
}

/** Stops the CLI as a crash would (the town did not ask): the session ends, the Mayor is not restarted. */
async function crash(): Promise<void> {
  const info = await t!.json<AgentInfo>(['agent', 'show', 'mayor']);
  for (const pid of descendants(info.session!.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor('the session to end', async () => ((await stateOrNull()) ? null : true), 20_000);
}

test('Claude Code started by the town finds our settings and reports through its own hooks', { timeout: 300_000 }, async (c) => {
  if (installError) return c.skip(installError);
  const started = await t!.json<{ started: boolean }>(['mayor', '--runtime', 'claude']);
  assert.equal(started.started, true);

  // The settings file in the session's folder, as Claude Code reads it.
  const file = path.join(t!.dir, 'mayor', '.claude', 'settings.local.json');
  const settings = JSON.parse(readFileSync(file, 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>> };
  for (const ev of ['SessionStart', 'UserPromptSubmit', 'Notification', 'Stop', 'StopFailure', 'PreCompact']) {
    assert.equal(settings.hooks[ev][0].hooks[0].command, hookCommand('claude-code'), ev);
  }

  // The CLI itself ran SessionStart, UserPromptSubmit, then StopFailure (no API here).
  const s = await waitFor('the StopFailure hook', async () => {
    const x = await stateOrNull();
    return x && /StopFailure/.test(x.reason) ? x : null;
  }, 120_000, 300);
  assert.equal(s.state, 'waiting-for-input');
  assert.equal(s.source, 'hook');
  assert.match(s.reason, /^hook: stop-failure \(StopFailure: \w+/);
  // The conversation id its hooks carried is the one its own transcript is named after.
  assert.ok(s.conversation, 'conversation captured');
  assert.match(s.conversation.id, /^[0-9a-f-]{36}$/);
  assert.equal(s.conversation.runtime, 'claude');
  const transcripts = readdirSync(path.join(home, '.claude', 'projects')).flatMap((d) => readdirSync(path.join(home, '.claude', 'projects', d)));
  assert.ok(transcripts.includes(`${s.conversation.id}.jsonl`), `its transcript ${s.conversation.id}.jsonl among ${transcripts.join(', ')}`);

  // The hook's status holds while the tracker keeps reading the live screen.
  await new Promise((r) => setTimeout(r, 3000));
  const held = await state();
  assert.equal(held.source, 'hook');
  assert.equal(held.state, 'waiting-for-input');
});

test('hooks run by hand: a permission prompt beats the idle screen, new mail is injected once, compaction re-primes', { timeout: 120_000 }, async (c) => {
  if (installError) return c.skip(installError);
  // The screen shows its idle prompt; only the hook can know Claude is asking for a permission.
  const waiting = runHook({ session_id: (await state()).conversation!.id, transcript_path: '/x', cwd: '/x', hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' });
  assert.equal(waiting.stdout, '', 'Notification prints nothing');
  const s = await state();
  assert.equal(s.state, 'waiting-for-input');
  assert.equal(s.source, 'hook');
  assert.match(s.reason, /permission_prompt: Claude needs your permission to use Bash/);

  await t!.gt(['mail', 'send', 'mayor', '-s', 'the build is red', '-m', 'look at it']);
  const prompt = { session_id: s.conversation!.id, transcript_path: '/x', cwd: '/x', hook_event_name: 'UserPromptSubmit', prompt: 'next' };
  assert.match(runHook(prompt).stdout, /1 new message for you .*\n- \S+ from overseer: the build is red/);
  assert.equal(runHook(prompt).stdout, '', 'the same mail is not injected twice');
  assert.equal((await state()).state, 'working');

  const reprime = runHook({ session_id: s.conversation!.id, transcript_path: '/x', cwd: '/x', hook_event_name: 'SessionStart', source: 'compact' });
  assert.match(reprime.stdout, /You are the Mayor/);
  assert.match(reprime.stdout, /## Mail waiting \(1\)/);

  // Outside a town session the same command does nothing and never fails its CLI.
  const outside = execFileSync('/bin/sh', ['-c', hookCommand('claude-code')], { input: '{}', encoding: 'utf8', env: { PATH: process.env.PATH! } });
  assert.equal(outside, '');
  const overseer = await t!.gt(['agent-hook', 'claude-code', JSON.stringify({ hook_event_name: 'Stop' })], { GT_AGENT: '' });
  assert.deepEqual([overseer.code, overseer.stdout], [0, '']);
  assert.notEqual((await state()).reason, 'hook: stop (Stop)', 'a hook run outside the session reports nothing');
});

test('a restarted Claude Code resumes its conversation; a resume that fails falls back to a fresh primed session', { timeout: 300_000 }, async (c) => {
  if (installError) return c.skip(installError);
  const before = await state();
  const id = before.conversation!.id;
  await crash();

  await t!.json(['mayor']);
  const resumed = await waitFor('the resumed session', async () => {
    const x = await stateOrNull();
    return x && /SessionStart resume/.test(x.reason) ? x : null;
  }, 120_000, 300);
  assert.equal(resumed.resumed, id, 'launched with --resume <id>');
  assert.equal(resumed.source, 'hook');
  assert.equal(resumed.conversation!.id, id, 'the same conversation');

  // Its transcript disappears: `claude --resume <id>` now fails ("No conversation found").
  const projects = path.join(home, '.claude', 'projects');
  for (const d of readdirSync(projects)) {
    const f = path.join(projects, d, `${id}.jsonl`);
    if (existsSync(f)) rmSync(f);
  }
  await crash();
  await t!.json(['mayor']);
  const fresh = await waitFor('a fresh session after the failed resume', async () => {
    const x = await stateOrNull();
    return x && x.resumed === null && x.conversation && x.conversation.id !== id ? x : null;
  }, 120_000, 300);
  assert.equal(fresh.source, 'hook');
  assert.match(fresh.conversation!.id, /^[0-9a-f-]{36}$/);
});

test('hook settings in a git worktree stay out of git (gt done commits with add -A)', async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'gt-hooks-git-'));
  try {
    const repo = path.join(base, 'repo');
    mkdirSync(repo);
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@a', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@a' } });
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'a');
    const wt = path.join(base, 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'polecat', wt);
    // A settings file the user already had keeps its settings.
    mkdirSync(path.join(wt, '.gemini'));
    writeFileSync(path.join(wt, '.gemini', 'settings.json'), JSON.stringify({ theme: 'dark' }));
    const r1 = await installHooks('claude-code', wt);
    const r2 = await installHooks('gemini-cli', wt);
    await installHooks('claude-code', wt); // again: excluded once
    assert.equal(r1.problem, null);
    assert.equal(r2.problem, null);
    git(wt, 'add', '-A');
    assert.equal(git(wt, 'status', '--porcelain'), '', 'nothing of ours is staged');
    const gemini = JSON.parse(readFileSync(path.join(wt, '.gemini', 'settings.json'), 'utf8')) as { theme: string; hooks: Record<string, unknown> };
    assert.equal(gemini.theme, 'dark');
    assert.ok(gemini.hooks.SessionStart && gemini.hooks.AfterAgent);
    const exclude = readFileSync(path.join(repo, '.git', 'info', 'exclude'), 'utf8');
    assert.equal(exclude.split('\n').filter((l) => l === '/.claude/settings.local.json').length, 1);
    // A settings file that is not JSON is left alone, with the reason.
    writeFileSync(path.join(wt, '.claude', 'settings.local.json'), '{ broken');
    const bad = await installHooks('claude-code', wt);
    assert.match(bad.problem!, /is not valid JSON/);
    assert.equal(readFileSync(path.join(wt, '.claude', 'settings.local.json'), 'utf8'), '{ broken');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
