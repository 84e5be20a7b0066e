// Attribution: a call belongs to the agent session working in the directory the CLI recorded, at
// the call's time; another directory's calls are not the town's; an idle town looks at nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeProjectName } from '../../main/agents/usage/claude-usage.ts';
import { UsageWatcher, type UsageRoots, type WatchedSession } from '../../main/town/costs/usage-watcher.ts';
import type { StoredUsage } from '../../main/town/costs/usage-store.ts';

const claudeLine = (id: string, at: number, cwd: string, input: number) =>
  JSON.stringify({ type: 'assistant', cwd, sessionId: 's1', timestamp: new Date(at).toISOString(), requestId: `r-${id}`, message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: input, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } }) + '\n';

function setup() {
  const base = mkdtempSync(join(tmpdir(), 'gt-watch-'));
  const roots: UsageRoots = { claude: join(base, 'claude'), script: join(base, 'script'), codex: join(base, 'codex'), gemini: join(base, 'gemini'), copilot: join(base, 'copilot'), opencode: join(base, 'opencode') };
  const stored: StoredUsage[] = [];
  let live: WatchedSession[] = [];
  let listed = 0;
  const watcher = new UsageWatcher({
    roots, cursorsFile: join(base, 'cursors.json'),
    live: async () => {
      listed++;
      return live;
    },
    convoyOf: async (bead) => (bead === 'ap-1' ? 'hq-cv' : null),
    store: (rows) => (stored.push(...rows), rows),
    log: () => {},
  });
  return { base, roots, stored, watcher, setLive: (l: WatchedSession[]) => (live = l), listed: () => listed };
}

test('Claude: calls of a polecat\'s folder go to its sessions by time; a folder that is no agent\'s is never read', async () => {
  const s = setup();
  try {
    const now = Date.now();
    const cwd = '/work/rigs/app/polecats/nux';
    const dir = join(s.roots.claude, 'projects', claudeProjectName(cwd));
    mkdirSync(dir, { recursive: true });
    const foreign = join(s.roots.claude, 'projects', claudeProjectName('/home/me/private'));
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'mine.jsonl'), claudeLine('m-private', now, '/home/me/private', 999));
    const first: WatchedSession = { agent: 'app/polecats/nux', rig: 'app', bead: 'ap-1', runtime: 'claude', cwd, startedAt: now - 60_000 };
    s.setLive([first]);
    writeFileSync(join(dir, 'a.jsonl'), claudeLine('m1', now - 30_000, cwd, 10));
    await s.watcher.poll();
    // The first session ends; a second one (next bead) starts in the same worktree, resuming the same file.
    s.watcher.note({ ...first, endedAt: now - 20_000 });
    const second: WatchedSession = { ...first, bead: 'ap-2', startedAt: now - 10_000 };
    s.setLive([second]);
    appendFileSync(join(dir, 'a.jsonl'), claudeLine('m2', now - 5_000, cwd, 20));
    await s.watcher.poll();
    assert.deepEqual(s.stored.map((r) => [r.key, r.bead, r.convoy, r.input]), [['claude:m1:r-m1', 'ap-1', 'hq-cv', 10], ['claude:m2:r-m2', 'ap-2', null, 20]]);
    assert.ok(!s.stored.some((r) => r.input === 999), 'the user\'s own Claude usage elsewhere is not the town\'s');
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('Codex: a rollout is the agent\'s only if its session_meta names the agent\'s folder', async () => {
  const s = setup();
  try {
    const now = Date.now();
    const d = new Date(now);
    const day = join(s.roots.codex, 'sessions', String(d.getFullYear()), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0'));
    mkdirSync(day, { recursive: true });
    const rollout = (id: string, cwd: string, input: number) => [
      { timestamp: new Date(now).toISOString(), type: 'session_meta', payload: { id, cwd } },
      { timestamp: new Date(now).toISOString(), type: 'turn_context', payload: { cwd, model: 'gpt-5-codex' } },
      { timestamp: new Date(now).toISOString(), type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { input_tokens: input, cached_input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 0, total_tokens: input + 5 } } } },
    ].map((x) => JSON.stringify(x)).join('\n') + '\n';
    writeFileSync(join(day, 'rollout-a.jsonl'), rollout('A', '/work/rigs/app/polecats/max', 100));
    writeFileSync(join(day, 'rollout-b.jsonl'), rollout('B', '/somewhere/else', 7777));
    s.setLive([{ agent: 'app/polecats/max', rig: 'app', bead: 'ap-3', runtime: 'codex', cwd: '/work/rigs/app/polecats/max', startedAt: now - 1000 }]);
    await s.watcher.poll();
    assert.deepEqual(s.stored.map((r) => [r.agent, r.input, r.model]), [['app/polecats/max', 100, 'gpt-5-codex']]);
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('an idle town looks at nothing: no session, no file read, nothing stored', async () => {
  const s = setup();
  try {
    s.setLive([]);
    assert.deepEqual(await s.watcher.poll(), []);
    assert.equal(s.listed(), 1);
    assert.equal(s.stored.length, 0);
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('a session per bead: thousands noted in a few worktrees, each call goes to the bead its session had then', async () => {
  const s = setup();
  try {
    const now = Date.now();
    const polecats = ['nux', 'max', 'zed'].map((name) => ({ name, cwd: `/work/rigs/app/polecats/${name}` }));
    const lines = new Map<string, string>();
    const expected: Array<[string, string | null]> = [];
    // Per polecat 700 beads of 500 ms each, as `gt done` moving a session on notes them (cost-service's onSessionMoved).
    const BEADS = 700;
    const start = now - BEADS * 500 - 1_000;
    for (const p of polecats) {
      for (let i = 0; i < BEADS; i++) {
        const startedAt = start + i * 500;
        const bead = `ap-${p.name}-${i}`;
        s.watcher.note({ agent: `app/polecats/${p.name}`, rig: 'app', bead, runtime: 'claude', cwd: p.cwd, startedAt, endedAt: startedAt + 500 });
        if (i % 97 === 0) {
          const id = `${p.name}-${i}`;
          lines.set(p.cwd, (lines.get(p.cwd) ?? '') + claudeLine(id, startedAt + 250, p.cwd, i + 1));
          expected.push([`claude:${id}:r-${id}`, bead]);
        }
      }
    }
    s.setLive(polecats.map((p) => ({ agent: `app/polecats/${p.name}`, rig: 'app', bead: `ap-${p.name}-next`, runtime: 'claude', cwd: p.cwd, startedAt: start + BEADS * 500 })));
    for (const p of polecats) {
      const dir = join(s.roots.claude, 'projects', claudeProjectName(p.cwd));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'session.jsonl'), lines.get(p.cwd)!);
    }
    await s.watcher.poll();
    assert.deepEqual(s.stored.map((r) => [r.key, r.bead]).sort(), expected.sort());
    assert.equal(s.stored.length, 3 * Math.ceil(BEADS / 97));
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});
