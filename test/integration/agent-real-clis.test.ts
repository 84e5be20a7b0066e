// The real agent CLIs, installed from npm, launched through our PTY host exactly as the Town
// launches them (buildLaunch + buildAgentEnv), with HOME in a fresh temp folder (no real
// credentials are read) and every proxy pointed at a closed local port (their services are
// unreachable anyway). Our adapter's status detection must read each one's first screen: a login,
// trust or error screen is a legitimate first screen, recognised as waiting-for-input or as
// crashed with the reason the CLI printed. What each CLI showed is printed.
//
// The CLIs are installed once into a cache OUTSIDE the repo (pinned versions):
//   ${XDG_CACHE_HOME:-~/.cache}/gastown-desktop/agent-clis/<pkg>@<version>
// A CLI whose install fails (no registry access) is skipped with npm's error as the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import xtermHeadless from '@xterm/headless';
import { PtyHostClient } from '../../main/agents/pty-host-client.ts';
import { StatusTracker } from '../../main/agents/status-tracker.ts';
import { buildAgentEnv } from '../../main/agents/agent-env.ts';
import { buildLaunch, getRuntime } from '../../main/agents/runtimes/runtime-registry.ts';
import { collectTree, isAlive } from '../../main/pty-host/process-tree.ts';
import type { AgentState, StatusChange } from '../../main/agents/agent-status.ts';
import type { TerminalExit } from '../../preload/types.ts';
import { ensureCliInstalled } from '../helpers/agent-clis.ts';

interface Cli {
  runtime: string;
  pkg: string;
  version: string;
  /** What its first screen must be read as, here (no credentials, no service). */
  expect: { states: AgentState[]; reason: RegExp };
}

const CLIS: Cli[] = [
  // Prints "Unable to connect to Anthropic services" under its logo and exits 1.
  { runtime: 'claude', pkg: '@anthropic-ai/claude-code', version: '2.1.331', expect: { states: ['crashed'], reason: /^exit 1: Unable to connect to Anthropic services/ } },
  // The sign-in chooser ("1. Sign in with ChatGPT …").
  { runtime: 'codex', pkg: '@openai/codex', version: '0.169.0', expect: { states: ['waiting-for-input'], reason: /Sign in with ChatGPT/ } },
  // The folder trust dialog.
  { runtime: 'gemini', pkg: '@google/gemini-cli', version: '0.61.0', expect: { states: ['waiting-for-input'], reason: /Do you trust the files in this folder\?/ } },
  // "Confirm folder trust" dialog.
  { runtime: 'copilot', pkg: '@github/copilot', version: '1.0.102', expect: { states: ['waiting-for-input'], reason: /Confirm folder trust|Do you trust the files in this folder\?/ } },
  // Submits the prompt, then retries under a spinner: "Cannot connect to API: Unable to connect…".
  { runtime: 'opencode', pkg: 'opencode-ai', version: '1.18.33', expect: { states: ['waiting-for-input'], reason: /^failed: .*Cannot connect to API/ } },
];

/** How long a CLI gets to show a recognisable first screen. */
const OBSERVE_MS = 20_000;
/** A non-final state must hold this long to count (a logo may be followed by a login screen). */
const STABLE_MS = 3_000;
const PROMPT = 'Run `gt prime` and follow the instructions on your hook.';
const COLS = 100;
const ROWS = 30;

/** Live processes of a session's tree (zombies are dead, only not yet reaped), after a grace. */
async function survivors(sid: number): Promise<number[]> {
  const end = Date.now() + 3000;
  for (;;) {
    const alive = collectTree(sid).filter(isAlive);
    if (alive.length === 0 || Date.now() > end) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the app's terminal view does: render the bytes, acknowledge them, and answer the
 *  terminal's queries (cursor position, device attributes), which TUIs wait for. */
function terminalView(client: PtyHostClient, id: string) {
  const term = new xtermHeadless.Terminal({ cols: COLS, rows: ROWS, scrollback: 500, allowProposedApi: true, logLevel: 'off' });
  term.onData((reply) => client.write(id, reply));
  client.on('data', (consumer: string, sid: string, data: Uint8Array) => {
    if (consumer !== 'view' || sid !== id) return;
    term.write(data, () => client.ack('view', id, data.length));
  });
  return {
    /** Every line written so far (scrollback included), right-trimmed, blank runs squeezed. */
    lines(): string[] {
      const b = term.buffer.active;
      const out: string[] = [];
      for (let y = 0; y < b.length; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
      return out.join('\n').replace(/\n{3,}/g, '\n\n').trim().split('\n');
    },
    dispose: () => term.dispose(),
  };
}

for (const cli of CLIS) {
  test(`${cli.runtime} (${cli.pkg}@${cli.version}): first screen read by our adapter`, { timeout: 360_000 }, async (t) => {
    const installed = await ensureCliInstalled(cli.pkg, cli.version);
    if ('error' in installed) return t.skip(installed.error);

    const home = mkdtempSync(path.join(os.tmpdir(), `gt-cli-${cli.runtime}-`));
    const work = path.join(home, 'worktree');
    mkdirSync(work);
    const client = new PtyHostClient({ transcriptDir: path.join(home, '.transcripts') });
    const tracker = new StatusTracker(client, { settleMs: 500, tickMs: 100 });
    let view: ReturnType<typeof terminalView> | null = null;
    let leaderPid = 0;
    t.after(async () => {
      tracker.dispose();
      await client.stop();
      view?.dispose();
      // Nothing it started survives (stop() kills every session's whole tree).
      const left = leaderPid ? await survivors(leaderPid) : [];
      rmSync(home, { recursive: true, force: true });
      assert.deepEqual(left, [], 'no process left behind');
    });
    await client.start();

    const rt = getRuntime(cli.runtime);
    const launch = buildLaunch(rt, { prompt: PROMPT });
    const closed = 'http://127.0.0.1:9';
    const env = buildAgentEnv({
      socket: path.join(home, 'town.sock'),
      town: home,
      agent: `rig/polecats/${cli.runtime}`,
      rig: 'rig',
      bead: 'gt-test1',
      runtime: cli.runtime,
      base: {
        PATH: `${installed.bin}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_DATA_HOME: path.join(home, '.local', 'share'),
        XDG_STATE_HOME: path.join(home, '.local', 'state'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        LANG: 'C.UTF-8',
        HTTPS_PROXY: closed,
        HTTP_PROXY: closed,
        https_proxy: closed,
        http_proxy: closed,
      },
      extra: launch.env,
    });

    const changes: StatusChange[] = [];
    tracker.on('status', (c: StatusChange) => changes.push(c));
    let exit: TerminalExit | null = null;
    client.on('exit', (e: TerminalExit) => (exit = e));
    const id = `cli-${cli.runtime}`;
    const info = await client.spawn({ id, command: launch.command, args: launch.args, cwd: work, env, cols: COLS, rows: ROWS, title: rt.def.label, consumer: 'view' });
    leaderPid = info.pid;
    view = terminalView(client, id);
    const status = tracker.track(id, { patterns: rt.patterns });

    // Observe until the status is final, or a recognised state has held for STABLE_MS.
    const end = Date.now() + OBSERVE_MS;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      if (status.state === 'exited' || status.state === 'crashed') break;
      const recognised = status.state === 'waiting-for-input' || status.state === 'idle';
      if (recognised && Date.now() - status.since >= STABLE_MS) break;
    }
    const screen = view.lines();
    console.log(
      [
        `── ${cli.pkg}@${cli.version} (${launch.command} ${launch.args.map((a) => JSON.stringify(a)).join(' ')})`,
        ...screen.slice(0, 40).map((l) => `  │ ${l}`),
        `  state: ${status.state} — ${status.reason}${exit ? `; terminal exit ${JSON.stringify(exit)}` : ''}`,
        `  transitions: ${changes.map((c) => `${c.state} (${c.reason})`).join(' → ') || 'none'}`,
      ].join('\n'),
    );
    assert.ok(screen.some((l) => l.trim()), 'the CLI drew something');
    assert.ok(cli.expect.states.includes(status.state), `state ${status.state} (${status.reason}), expected ${cli.expect.states.join(' or ')}`);
    assert.match(status.reason, cli.expect.reason);

    if (!exit) {
      await client.kill(id);
      const deadline = Date.now() + 5000;
      while (!exit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(exit, 'exit reported after kill');
      assert.equal((exit as TerminalExit).reason, 'killed');
    }
    assert.deepEqual(await survivors(info.pid), [], 'the whole tree is gone');
  });
}
