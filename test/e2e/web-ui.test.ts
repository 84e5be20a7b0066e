// The UI in a real browser: `gt serve` with a real town, driven in Chromium. The shell, the live
// feed (one update for a 1,000-bead commit), keyboard-only navigation, and recovery from a restarted
// web host.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { fromStore, launchChromium, openUi, startUiTown, waitFor, waitForReady, type UiTown } from './ui-page.ts';

const chromiumPath = findChromium();

describe('web UI against gt serve', { skip: chromiumPath ? false : NO_CHROMIUM }, () => {
  let town: UiTown;
  let browser: Browser;
  let page: Page;

  before(async () => {
    town = await startUiTown();
    browser = await launchChromium();
    page = await openUi(browser, town.url);
  });
  after(async () => {
    await browser?.close();
    await town?.cleanup();
  });

  test('the page is served with a strict CSP', async () => {
    const res = await page.request.get(new URL('/', town.url).toString());
    const csp = res.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
  });

  test('the API refuses a WebSocket without the token', async () => {
    const refused = await page.evaluate(async () => {
      return new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/api?token=wrong`);
        ws.onopen = () => resolve(false);
        ws.onerror = () => resolve(true);
      });
    });
    assert.equal(refused, true);
  });

  test('the shell: views, a status bar with the town\'s parts, and the snapshot\'s commit', async () => {
    for (const v of ['agents', 'terminals', 'inbox', 'feed', 'convoys', 'board', 'merge-queue']) await page.getByTestId(`nav-${v}`).waitFor();
    assert.match(await page.getByTestId('status-bar').innerText(), /Dolt ready/);
    assert.match(await page.getByTestId('status-pty').innerText(), /ready/);
    const commit = await fromStore(page, (s) => s.load.commit as string);
    assert.match(commit, /^[0-9a-v]{32}$/, 'the snapshot says which Dolt commit it was read at');
  });

  test('a bead created with the CLI appears live (store and feed view), without reload', async () => {
    await page.getByTestId('nav-feed').click();
    const title = `live-${Date.now()}`;
    const created = await town.gt(['bead', 'create', '--title', title, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const id = JSON.parse(created.stdout).id as string;
    await waitFor('the bead in the store', () => page.evaluate(`!!window.gastownDebug.store.getState().beads.beads[${JSON.stringify(id)}]`), 10_000);
    await page.getByTestId('feed-list').getByText(title).waitFor({ timeout: 10_000 });
    // Search narrows the feed to it.
    await page.getByTestId('feed-search').fill(title);
    assert.equal(await page.getByTestId('feed-list').locator('li').count(), 1);
    await page.getByTestId('feed-search').fill('');
  });

  test('1,000 beads created in one commit arrive as one store update (one render)', async () => {
    await page.evaluate(() => {
      const w = window as unknown as { gastownDebug: { store: { getState(): { beads: { beads: object }; feedBatches: number }; subscribe(f: (s: { beads: { beads: object } }) => void): void } }; __counts: number[] };
      w.__counts = [];
      const store = w.gastownDebug.store;
      let last = Object.keys(store.getState().beads.beads).length;
      store.subscribe((s) => {
        const n = Object.keys(s.beads.beads).length;
        if (n !== last) w.__counts.push(n);
        last = n;
      });
    });
    const before = await fromStore(page, (s) => ({ n: Object.keys(s.beads.beads).length, batches: s.feedBatches as number }));
    const now = new Date().toISOString();
    const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ id: `hq-k${i.toString(36).padStart(4, '0')}`, title: `bulk ${i}`, status: 'open', priority: 2, issue_type: 'task', created_at: now }));
    const file = join(town.base, 'bulk.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const imported = await town.gt(['import', file, '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    await waitFor('1,000 more beads in the store', () => fromStore(page, (s) => Object.keys(s.beads.beads).length).then((n) => n === before.n + 1000), 30_000);
    const counts = await page.evaluate(() => (window as unknown as { __counts: number[] }).__counts);
    assert.deepEqual(counts, [before.n + 1000], `the bead count went straight from ${before.n} to ${before.n + 1000} (saw ${counts.join(', ')})`);
    const after = await fromStore(page, (s) => s.feedBatches as number);
    assert.equal(after - before.batches, 1, 'one feed batch applied');
  });

  test('keyboard only: the palette opens, switches views', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').waitFor();
    await page.keyboard.type('Go to Inbox');
    await page.keyboard.press('Enter');
    await page.getByTestId('inbox-view').waitFor();
    assert.equal(await page.getByTestId('palette-input').count(), 0, 'the palette closed');
    await page.keyboard.press('Alt+1');
    await page.getByTestId('agents-view').waitFor();
    await page.keyboard.press('Alt+4');
    await page.getByTestId('feed-view').waitFor();
  });

  test('the web host restarted: the page says so, reconnects by itself and shows the same state as a fresh load', async () => {
    const stopped = town.running.stop();
    await page.waitForFunction(() => {
      const state = document.querySelector('[data-testid="connection-banner"]')?.getAttribute('data-state');
      return state === 'reconnecting' || state === 'unavailable';
    }, undefined, { timeout: 20_000 });
    await stopped;
    await town.restart();
    // Made right after the restart: the page may get it from its snapshot or from the feed.
    const created = await town.gt(['bead', 'create', '--title', 'after the restart', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const id = JSON.parse(created.stdout).id as string;
    await waitForReady(page, 60_000);
    await waitFor('the new bead', () => page.evaluate(`!!window.gastownDebug.store.getState().beads.beads[${JSON.stringify(id)}]`), 20_000);
    assert.equal(await page.getByTestId('connection-banner').count(), 0, 'no banner once reconnected');
    const fresh = await openUi(browser, town.url);
    const pick = (s: { beads: { beads: Record<string, { status: string; title: string }> } }) =>
      Object.entries(s.beads.beads).map(([k, b]) => `${k}:${b.status}:${b.title}`).sort().join('\n');
    assert.equal(await fromStore(page, pick), await fromStore(fresh, pick));
    await fresh.context().close();
  });
});
