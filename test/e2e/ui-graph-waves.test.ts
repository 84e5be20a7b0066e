// A staged convoy's waves in the convoy graph, in Chromium against a real `gt serve` town: beads
// staged by the CLI (`gt convoy stage`) show "Wave K/N" and their convoy "staged · N waves"; a new
// dependency moves a bead to a later wave live; once `gt convoy launch ID` starts it, the labels go.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Bead } from '../../preload/types.ts';
import type { ConvoyLaunchResult } from '../../preload/requests/molecule-types.ts';
import { findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { launchChromium, openUi, startUiTown, waitFor, type UiTown } from './ui-page.ts';

const chromiumPath = findChromium();

const wave = (page: Page, id: string) => page.locator(`[data-testid="graph-node"][data-bead="${id}"] [data-testid="graph-wave"]`);
const waveText = (page: Page, id: string) => wave(page, id).innerText({ timeout: 1000 }).catch(() => null);

describe('a staged convoy\'s waves in the graph', { skip: chromiumPath ? false : NO_CHROMIUM }, () => {
  let town: UiTown;
  let browser: Browser;
  let page: Page;

  before(async () => {
    town = await startUiTown({ tickMs: 500 });
    browser = await launchChromium();
    page = await openUi(browser, town.url);
  });
  after(async () => {
    await browser?.close();
    await town?.cleanup();
  });

  test('stage labels the waves; a new dependency relabels them; launch removes them', async () => {
    // Town beads (prefix hq, no rig): no polecat takes them, even once launched.
    const ids: Record<string, string> = {};
    for (const name of ['a', 'b', 'c', 'd']) ids[name] = (await town.json<Bead>(['bead', 'create', '-t', `wave ${name}`])).id;
    await town.json(['bead', 'dep', 'add', ids.b, ids.a]);
    await town.json(['bead', 'dep', 'add', ids.d, ids.b]);
    const staged = await town.json<ConvoyLaunchResult>(['convoy', 'stage', ids.a, ids.b, ids.c, ids.d, '--name', 'waves']);
    assert.equal(staged.convoy.staged, true);

    await page.keyboard.press('Alt+5');
    await page.getByTestId('convoy-graph').waitFor();
    const expect = async (want: Record<string, string>) => {
      for (const [id, text] of Object.entries(want)) {
        await waitFor(`${id} labelled ${text}`, async () => (await waveText(page, id)) === text, 30_000, 50);
      }
    };
    await expect({ [staged.convoy.id]: 'staged · 3 waves', [ids.a]: 'Wave 1/3', [ids.c]: 'Wave 1/3', [ids.b]: 'Wave 2/3', [ids.d]: 'Wave 3/3' });

    // The waves are computed from the live dependencies: c now waits for d.
    await town.json(['bead', 'dep', 'add', ids.c, ids.d]);
    await expect({ [staged.convoy.id]: 'staged · 4 waves', [ids.a]: 'Wave 1/4', [ids.d]: 'Wave 3/4', [ids.c]: 'Wave 4/4' });

    const launched = await town.json<ConvoyLaunchResult>(['convoy', 'launch', staged.convoy.id]);
    assert.equal(launched.convoy.status, 'open');
    await waitFor('the wave labels gone after launch', async () => (await wave(page, staged.convoy.id).count()) === 0 && (await wave(page, ids.a).count()) === 0, 30_000, 50);
    assert.equal(await page.locator(`[data-testid="graph-node"][data-bead="${staged.convoy.id}"]`).getAttribute('data-status'), 'open');
  });
});
