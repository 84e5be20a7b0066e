// The UI with real agents: a convoy of 4 script beads on a rig of capacity 4 under `gt serve`, in
// Chromium. Four live terminals with each agent's own output; typing reaches an agent; a question
// becomes an inbox item with its screen excerpt and an OS notification, answered from the inbox;
// the palette focuses a terminal by keyboard only; an attach that failed is tried again; a killed PTY
// host's terminals come back by themselves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Bead } from '../../preload/types.ts';
import { findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { fixtureRepo } from '../integration/town-fixture.ts';
import { fromStore, launchChromium, openUi, startUiTown, waitFor, type UiTown } from './ui-page.ts';

const chromiumPath = findChromium();
const MARK = 7000;

/** The text on a terminal's screen, as the page's xterm shows it. */
function screen(page: Page, terminal: string): Promise<string> {
  return page.evaluate(`window.gastownDebug.terminals.screenText(${JSON.stringify(terminal)})`) as Promise<string>;
}

describe('the UI with script agents', { skip: chromiumPath ? false : NO_CHROMIUM }, () => {
  let town: UiTown;
  let browser: Browser;
  let page: Page;
  const beads: Bead[] = [];
  /** Bead index → agent address and terminal. */
  const agentOf = new Map<number, { agent: string; terminal: string }>();

  before(async () => {
    town = await startUiTown({ tickMs: 500 });
    browser = await launchChromium();
    page = await openUi(browser, town.url);
    const repo = fixtureRepo(town.base, 'yard-src');
    await town.json(['rig', 'add', 'yard', repo, '--prefix', 'yd', '--max-polecats', '4', '--runtime', 'script']);
    // Remember, in the page, when each question first shows on a terminal (for the notification latency).
    await page.evaluate(`(() => {
      window.__questionSeen = {};
      setInterval(() => {
        const d = window.gastownDebug;
        for (const id of Object.keys(d.store.getState().terminals)) {
          if (!window.__questionSeen[id] && d.terminals.screenText(id).includes('Question number')) window.__questionSeen[id] = Date.now();
        }
      }, 25);
    })()`);
  });
  after(async () => {
    await browser?.close();
    await town?.cleanup();
  });

  test('a convoy of 4 on a rig of capacity 4: 4 live terminals, each with its own agent\'s output', async () => {
    for (let i = 0; i < 4; i++) {
      // Each writes a file: `gt done` refuses a branch with nothing to merge.
      const description = ['```gt-script', `run echo own-output-$((${MARK} + ${i}))`, `write ui-${i}.txt task ${i}\\n`, 'sleep 1', `ask Question number ${i}?`, 'sleep 1', '```'].join('\n');
      beads.push(await town.json<Bead>(['bead', 'create', '--rig', 'yard', '-t', `ui task ${i}`, '-d', description]));
    }
    await town.json(['convoy', 'create', 'four', ...beads.map((b) => b.id), '--rig', 'yard']);
    await page.getByTestId('nav-terminals').click();
    await waitFor('4 terminal cells', async () => (await page.getByTestId('terminal-cell').count()) === 4, 60_000);
    // Each bead's polecat, from the store.
    await waitFor('every bead hooked to a polecat with a session', async () => {
      const agents = await fromStore(page, (s) => Object.values(s.agents).map((a) => {
        const x = a as { id: string; hook: string | null; session: { terminal: string } | null };
        return { id: x.id, hook: x.hook, terminal: x.session?.terminal ?? null };
      }));
      for (let i = 0; i < 4; i++) {
        const a = agents.find((x) => x.hook === beads[i].id && x.terminal);
        if (a) agentOf.set(i, { agent: a.id, terminal: a.terminal! });
      }
      return agentOf.size === 4;
    }, 60_000, 200);
    for (let i = 0; i < 4; i++) {
      const { terminal } = agentOf.get(i)!;
      const text = await waitFor(`agent ${i}'s own output on its terminal`, async () => {
        const t = await screen(page, terminal);
        return t.includes(`own-output-${MARK + i}`) ? t : null;
      }, 60_000, 100);
      for (let j = 0; j < 4; j++) if (j !== i) assert.ok(!text.includes(`own-output-${MARK + j}`), `terminal ${i} shows only its own agent's output`);
    }
  });

  test('a question: an inbox item with the screen excerpt, and an OS notification', async () => {
    const { agent, terminal } = agentOf.get(1)!;
    // The grid stays on screen until the question shows (terminals off screen do not render).
    await waitFor('agent 1 asking', async () => (await screen(page, terminal)).includes('Question number 1?'), 60_000, 50);
    await page.getByTestId('nav-inbox').click();
    const item = page.locator(`[data-testid="inbox-item"][data-kind="waiting"][data-agent="${agent}"]`);
    await item.waitFor({ timeout: 60_000 });
    await waitFor('the screen excerpt', async () => /Question number 1\?/.test(await item.getByTestId('inbox-excerpt').innerText()), 10_000);
    assert.match(await page.getByTestId('inbox-count').innerText(), /^[1-9]/);
    const timing = await waitFor('a notification', () => page.evaluate(`(() => {
      const notes = window.__notes;
      const seen = Object.values(window.__questionSeen);
      if (!notes.length || !seen.length) return null;
      return { first: notes[0], latencyMs: notes[0].at - Math.min(...seen) };
    })()`) as Promise<{ first: { title: string; body: string }; latencyMs: number } | null>, 20_000, 50);
    assert.match(`${timing.first.title}\n${timing.first.body}`, /waiting for input|need you/);
    console.log(`# notification ${timing.latencyMs} ms after the first question showed on a terminal`);
  });

  test('answering from the inbox unblocks the agent and clears the item', async () => {
    const { agent } = agentOf.get(1)!;
    const item = page.locator(`[data-testid="inbox-item"][data-kind="waiting"][data-agent="${agent}"]`);
    await item.getByTestId('inbox-answer').fill('y');
    await item.getByTestId('inbox-answer').press('Enter');
    await item.waitFor({ state: 'detached', timeout: 20_000 });
    // Unblocked: the agent finishes its bead (gt done), its branch lands and closes it, and the page learns it from the feed.
    const id = beads[1].id;
    await waitFor('the answered agent\'s bead closed', () => page.evaluate(`window.gastownDebug.store.getState().beads.beads[${JSON.stringify(id)}]?.status === 'closed'`), 60_000, 100);
  });

  test('typing into a terminal of the grid reaches its agent', async () => {
    const { terminal } = agentOf.get(0)!;
    await page.getByTestId('nav-terminals').click();
    await waitFor('agent 0 asking', async () => (await screen(page, terminal)).includes('Question number 0?'), 60_000, 100);
    await page.locator(`[data-testid="terminal-cell"][data-terminal="${terminal}"] .xterm`).click();
    await page.keyboard.type('y');
    await page.keyboard.press('Enter');
    await waitFor('agent 0 going on', async () => (await screen(page, terminal)).includes('answered yes, continuing'), 20_000, 100);
  });

  test('keyboard only: the palette focuses a terminal, and typing reaches that agent', async () => {
    const { agent, terminal } = agentOf.get(2)!;
    await page.keyboard.press('Alt+1');
    await page.getByTestId('agents-view').waitFor();
    await waitFor('agent 2 asking', async () => (await screen(page, terminal)).includes('Question number 2?'), 60_000, 100);
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').waitFor();
    await page.keyboard.type(`Focus terminal ${agent}`);
    await page.keyboard.press('Enter');
    await page.getByTestId('terminal-grid').waitFor({ state: 'visible' });
    await waitFor('the terminal focused', () => page.evaluate(`!!document.activeElement?.closest('[data-terminal="${terminal}"]')`), 5000);
    await page.keyboard.type('y');
    await page.keyboard.press('Enter');
    await waitFor('agent 2 going on', async () => (await screen(page, terminal)).includes('answered yes, continuing'), 20_000, 100);
  });

  test('an attach that failed is tried again: the terminal attaches by itself', async () => {
    const { terminal } = agentOf.get(3)!;
    await page.getByTestId('terminal-grid').waitFor({ state: 'visible' });
    // The page's client refuses this terminal's next attach once; a reconnect makes every shown terminal attach again.
    await page.evaluate(`(() => {
      const registry = window.gastownDebug.terminals;
      const client = registry.client;
      const original = client.uiTerminalAttach;
      window.__attach = { calls: 0, restore: () => { client.uiTerminalAttach = original; } };
      client.uiTerminalAttach = (args) => {
        if (args.id !== ${JSON.stringify(terminal)}) return original.call(client, args);
        window.__attach.calls++;
        return window.__attach.calls === 1 ? Promise.reject(new Error('refused once by the test')) : original.call(client, args);
      };
      registry.reconnected();
    })()`);
    try {
      await waitFor('the terminal attached again after the refusal', () => page.evaluate(
        `window.__attach.calls >= 2 && window.gastownDebug.terminals.entries.get(${JSON.stringify(terminal)})?.attached === true`,
      ), 10_000, 50);
    } finally {
      await page.evaluate('window.__attach.restore()');
    }
    assert.match(await screen(page, terminal), /Question number 3\?/);
  });

  test('the PTY host killed: the grid\'s terminals come back by themselves', async () => {
    const { agent, terminal: before } = agentOf.get(3)!;
    await waitFor('agent 3 asking', async () => (await screen(page, before)).includes('Question number 3?'), 60_000, 100);
    const state = JSON.parse(readFileSync(join(town.dir, '.runtime', 'state.json'), 'utf8')) as { ptyHostPid: number };
    process.kill(state.ptyHostPid, 'SIGKILL');
    // Its work is still hooked: the town respawns the agent in the new PTY host, and its cell shows the new session.
    const after = await waitFor('a new session for agent 3 in the grid', async () => {
      const t = await fromStore(page, (s) => Object.values(s.agents).map((a) => a as { id: string; session: { terminal: string } | null }).map((a) => [a.id, a.session?.terminal ?? null]));
      const mine = t.find(([id]) => id === agent)?.[1];
      return mine && mine !== before ? mine : null;
    }, 120_000, 200);
    await page.locator(`[data-testid="terminal-cell"][data-terminal="${after}"]`).waitFor({ timeout: 10_000 });
    await waitFor('the respawned agent\'s output in its cell', async () => (await screen(page, after)).includes(`own-output-${MARK + 3}`), 60_000, 100)
      .catch(async (e: Error) => {
        const state = await page.evaluate(`(() => { const e = window.gastownDebug.terminals.entries.get(${JSON.stringify(after)}); return e ? { attached: e.attached, visible: e.visible, rows: e.term.rows, failures: e.attachFailures } : null; })()`);
        throw new Error(`${e.message}; the cell's terminal ${JSON.stringify(state)}, its screen:\n${await screen(page, after)}`);
      });
    assert.match(await page.getByTestId('status-pty').innerText(), /ready/);
  });
});
