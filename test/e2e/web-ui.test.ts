// The walking skeleton in a real browser: `gt serve` with a real town, driven in Chromium.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { gt, startTown, tempTownDir, type RunningTown } from '../helpers/gt.ts';

const chromiumPath = findChromium();

describe('web UI against gt serve', { skip: chromiumPath ? false : NO_CHROMIUM }, () => {
  const town = tempTownDir();
  let running: RunningTown;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.equal((await gt(['init'], { town: town.dir })).code, 0);
    running = await startTown(town.dir, 'serve');
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (err) => console.log(`# page error: ${err.message}`));
    await page.goto(running.webUrl!);
    await page.getByTestId('bead-list').waitFor({ state: 'attached' });
  });
  after(async () => {
    await browser?.close();
    await running?.stop();
    town.cleanup();
  });

  test('the page is served with a strict CSP', async () => {
    const res = await page.request.get(new URL('/', running.webUrl!).toString());
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

  test('a bead created with the CLI appears live, from the ledger feed, without reload', async () => {
    const title = `live-${Date.now()}`;
    const created = await gt(['bead', 'create', '--title', title, '--json'], { town: town.dir });
    assert.equal(created.code, 0, created.stderr);
    const id = JSON.parse(created.stdout).id as string;
    const row = page.locator(`[data-bead-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.match(await row.innerText(), new RegExp(title));
  });

  test('a real shell terminal: type into it and read its output', async () => {
    await page.getByTestId('open-terminal').click();
    const terminal = page.getByTestId('terminal');
    await terminal.locator('.xterm-rows').waitFor();
    await terminal.click();
    const marker = `${Math.floor(Math.random() * 1e9)}`;
    // The shell computes the answer, so the text can only appear if the round trip happened.
    await page.keyboard.type(`echo round-trip-$((${marker} + 1))\n`);
    const expected = `round-trip-${Number(marker) + 1}`;
    await page.waitForFunction((text) => document.querySelector('.xterm-rows')?.textContent?.includes(text), expected, { timeout: 10_000 });
  });
});
