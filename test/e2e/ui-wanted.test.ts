// The wanted board in the UI, with a real town under `gt serve` hosting a commons and a file://
// remote: the status bar shows the remotes' sync state; the Wanted view lists what `gt wl post`
// posted, posts a bead from its form, and claims an item (won: it becomes a local bead, as
// `gt wl browse` agrees).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Bead } from '../../preload/types.ts';
import type { FederationInfo, WantedItem } from '../../preload/requests/federation-types.ts';
import { findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { launchChromium, openUi, startUiTown, waitFor, type UiTown } from './ui-page.ts';

const chromiumPath = findChromium();
const skip = !chromiumPath ? NO_CHROMIUM : doltAvailable() ?? false;

describe('the wanted board in the UI', { skip }, () => {
  let town: UiTown;
  let browser: Browser;
  let page: Page;
  let remoteDir: string;

  before(async () => {
    remoteDir = mkdtempSync(join(tmpdir(), 'gt-ui-remote-'));
    town = await startUiTown();
    browser = await launchChromium();
    page = await openUi(browser, town.url);
  });
  after(async () => {
    await browser?.close();
    await town?.cleanup();
    if (remoteDir) rmSync(remoteDir, { recursive: true, force: true });
  });

  test('remotes in the status bar; the board lists, posts and claims', async () => {
    await town.json(['wl', 'create']);
    const first = await town.json<Bead>(['bead', 'create', '-t', 'Wanted from the CLI']);
    const second = await town.json<Bead>(['bead', 'create', '-t', 'Wanted from the UI']);
    const posted = await town.json<WantedItem>(['wl', 'post', first.id]);
    await town.json(['remote', 'add', 'backup', pathToFileURL(join(remoteDir, 'ledger')).href]);
    await town.json(['sync', 'push', 'backup']);
    const info = await town.json<FederationInfo>(['federation', 'show']);

    await page.getByTestId('nav-wanted').click();
    await page.getByTestId('wanted-view').waitFor({ timeout: 20_000 });
    await waitFor('the identity shown', async () => (await page.getByTestId('town-identity').innerText()) === info.identity, 20_000, 200);
    await page.locator(`[data-wanted="${posted.id}"]`).waitFor({ timeout: 20_000 });
    await waitFor('the status bar showing the remote pushed', async () => (await page.getByTestId('status-remotes').innerText()) === 'Remotes: 1 ok', 20_000, 200);

    await page.getByTestId('wanted-post-bead').fill(second.id);
    await page.getByTestId('wanted-post').click();
    await waitFor('the UI-posted item on the board', async () => (await page.getByTestId('wanted-row').count()) === 2, 30_000, 200);
    const board = await town.json<WantedItem[]>(['wl', 'browse']);
    assert.deepEqual(board.map((w) => w.sourceBead).sort(), [first.id, second.id].sort(), 'the CLI sees what the UI posted');

    await page.locator(`[data-wanted="${posted.id}"] [data-testid="wanted-claim"]`).click();
    await waitFor('the item claimed by this town', async () => (await page.locator(`[data-wanted="${posted.id}"]`).getAttribute('data-status')) === 'claimed', 30_000, 200);
    assert.match(await page.getByTestId('wanted-last-claim').innerText(), new RegExp(`${posted.id} claimed by ${info.identity}`));
    const claimed = (await town.json<WantedItem[]>(['wl', 'browse'])).find((w) => w.id === posted.id)!;
    assert.equal(claimed.claimedBy, info.identity);
    assert.ok(claimed.localBead, 'a local bead for the won item');
    assert.match(await page.locator(`[data-wanted="${posted.id}"] [data-testid="wanted-status"]`).innerText(), new RegExp(`→ ${claimed.localBead}`));
  });
});
