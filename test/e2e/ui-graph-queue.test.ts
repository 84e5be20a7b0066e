// The convoy graph and the merge queue view in Chromium against a real `gt serve` town: a convoy made
// by the CLI shows with its edges; a status change by the CLI recolours its node without moving the
// node or the viewport; the filter; a click opens the bead detail; the palette reaches the graph;
// a script agent's merge request shows in its rig's queue and its phase reaches merged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Bead } from '../../preload/types.ts';
import type { ConvoyStatus } from '../../preload/requests/work-types.ts';
import { findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { fixtureRepo } from '../integration/town-fixture.ts';
import { fromStore, launchChromium, openUi, startUiTown, waitFor, type UiTown } from './ui-page.ts';

const chromiumPath = findChromium();

const node = (page: Page, id: string) => page.locator(`[data-testid="graph-node"][data-bead="${id}"]`);
const edge = (page: Page, id: string) => page.locator(`.react-flow__edge[data-id="${id}"]`);
const transformOf = (page: Page, selector: string) => page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.style.transform ?? null`) as Promise<string | null>;

describe('the convoy graph and the merge queue', { skip: chromiumPath ? false : NO_CHROMIUM }, () => {
  let town: UiTown;
  let browser: Browser;
  let page: Page;
  /** Town beads (prefix hq, no rig): no polecat takes them, so only the CLI changes them. */
  const ids: Record<string, string> = {};

  before(async () => {
    town = await startUiTown({ tickMs: 500 });
    browser = await launchChromium();
    page = await openUi(browser, town.url);
  });
  after(async () => {
    await browser?.close();
    await town?.cleanup();
  });

  test('a convoy created by the CLI appears in the graph with its edges, a molecule as a chain', async () => {
    for (const name of ['a', 'b', 'c', 'lone']) ids[name] = (await town.json<Bead>(['bead', 'create', '-t', `graph ${name}`])).id;
    await town.json(['bead', 'dep', 'add', ids.b, ids.a]); // a blocks b
    ids.mol = (await town.json<Bead>(['bead', 'create', '-t', 'graph molecule', '--type', 'molecule'])).id;
    ids.s1 = (await town.json<Bead>(['bead', 'create', '-t', 'step one', '--parent', ids.mol])).id;
    ids.s2 = (await town.json<Bead>(['bead', 'create', '-t', 'step two', '--parent', ids.mol])).id;
    ids.convoy = (await town.json<ConvoyStatus>(['convoy', 'create', 'graph one', ids.a, ids.b, ids.c])).id;
    ids.other = (await town.json<ConvoyStatus>(['convoy', 'create', 'graph two', ids.lone])).id;

    await page.keyboard.press('Alt+5');
    await page.getByTestId('convoy-graph').waitFor();
    for (const n of ['convoy', 'a', 'b', 'c', 'mol', 's1', 's2', 'other', 'lone']) await node(page, ids[n]).waitFor({ timeout: 30_000 });
    for (const e of [`tracks:${ids.convoy}>${ids.a}`, `tracks:${ids.convoy}>${ids.b}`, `tracks:${ids.convoy}>${ids.c}`, `blocks:${ids.a}>${ids.b}`,
      `step:${ids.mol}>${ids.s1}`, `step:${ids.s1}>${ids.s2}`, `tracks:${ids.other}>${ids.lone}`]) {
      await edge(page, e).waitFor({ state: 'attached', timeout: 10_000 });
    }
    assert.match(await node(page, ids.convoy).getByTestId('graph-progress').innerText(), /0\/3/);
    assert.equal(await node(page, ids.s1).getAttribute('data-kind'), 'step');
    // Laid out left to right along the edges: a blocker sits left of what it blocks.
    const box = async (id: string) => (await node(page, id).boundingBox())!;
    assert.ok((await box(ids.a)).x < (await box(ids.b)).x, 'a (the blocker) is left of b');
  });

  test('a status change by the CLI recolours the node without moving it or the viewport', async () => {
    const viewport = await transformOf(page, '.react-flow__viewport');
    const place = await transformOf(page, `.react-flow__node[data-id="${ids.c}"]`);
    const layouts = await page.evaluate('window.gastownGraph.layouts') as number;
    assert.ok(viewport && place);
    const colour = () => node(page, ids.c).evaluate((el) => getComputedStyle(el).borderLeftColor);
    const before = await colour();
    await town.json(['bead', 'update', ids.c, '--status', 'in_progress']);
    await waitFor('the node in progress', async () => (await node(page, ids.c).getAttribute('data-status')) === 'in_progress', 20_000, 50);
    assert.notEqual(await colour(), before, 'recoloured');
    assert.equal(await transformOf(page, '.react-flow__viewport'), viewport, 'the viewport did not move');
    assert.equal(await transformOf(page, `.react-flow__node[data-id="${ids.c}"]`), place, 'the node did not move');
    assert.equal(await page.evaluate('window.gastownGraph.layouts'), layouts, 'no re-layout for a status change');
    // A new edge is a re-layout, yet the nodes already shown keep their place.
    await town.json(['bead', 'dep', 'add', ids.c, ids.b]);
    await edge(page, `blocks:${ids.b}>${ids.c}`).waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await transformOf(page, `.react-flow__node[data-id="${ids.c}"]`), place, 'kept its place after the re-layout');
    assert.equal(await transformOf(page, '.react-flow__viewport'), viewport);
  });

  test('the filter: by convoy, by status, then cleared from the palette', async () => {
    await page.getByTestId('graph-filter-convoy').selectOption(ids.other);
    await waitFor('only the second convoy', async () => (await node(page, ids.a).count()) === 0 && (await node(page, ids.lone).count()) === 1, 10_000, 50);
    assert.equal(await node(page, ids.other).count(), 1);
    await page.getByTestId('graph-filter-convoy').selectOption('');
    await page.getByTestId('graph-filter-status-open').uncheck();
    await waitFor('only beads not open', async () => (await node(page, ids.c).count()) === 1 && (await node(page, ids.a).count()) === 0, 10_000, 50);
    assert.equal(await node(page, ids.convoy).count(), 1, 'the convoy stays: one of its beads shows');
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').waitFor();
    await page.keyboard.type('Convoy graph clear filter');
    await page.keyboard.press('Enter');
    await node(page, ids.a).waitFor({ timeout: 10_000 });
    assert.equal(await fromStore(page, (s) => s.graphFilter.statuses), null);
  });

  test('clicking a node opens its bead detail', async () => {
    await node(page, ids.b).click();
    await waitFor('the detail bead set', async () => (await fromStore(page, (s) => s.detailBeadId)) !== null, 5000, 50);
    assert.equal(await fromStore(page, (s) => s.detailBeadId), ids.b);
  });

  test('the merge queue: a script agent\'s merge request shows in its rig\'s queue, its phase reaches merged', async () => {
    const repo = fixtureRepo(town.base, 'queue-src');
    await town.json(['rig', 'add', 'dock', repo, '--prefix', 'dk', '--max-polecats', '1', '--runtime', 'script']);
    await page.keyboard.press('Alt+7');
    await page.locator('[data-testid="mq-rig"][data-rig="dock"]').waitFor({ timeout: 20_000 });
    // Phases each request's row showed, in order, as the page rendered them.
    await page.evaluate(`(() => {
      window.__phases = {};
      const look = () => {
        for (const row of document.querySelectorAll('[data-testid="mq-row"]')) {
          const id = row.getAttribute('data-mr'), phase = row.getAttribute('data-phase');
          const seen = window.__phases[id] || (window.__phases[id] = []);
          if (seen[seen.length - 1] !== phase) seen.push(phase);
        }
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
    })()`);
    const description = ['```gt-script', 'write queue.txt landed by the queue\\n', '```'].join('\n');
    const work = await town.json<Bead>(['bead', 'create', '--rig', 'dock', '-t', 'queue work', '-d', description]);
    await town.json(['convoy', 'create', 'queue', work.id, '--rig', 'dock']);
    const mr = await waitFor('a merge request for the work bead', () => page.evaluate(`(() => {
      const found = Object.values(window.gastownDebug.store.getState().beads.beads)
        .find((b) => b.type === 'merge-request' && b.metadata.bead === ${JSON.stringify(work.id)});
      return found ? found.id : null;
    })()`) as Promise<string | null>, 120_000, 200);
    const row = page.locator(`[data-testid="mq-row"][data-mr="${mr}"]`);
    await row.waitFor({ timeout: 20_000 });
    assert.equal(await row.getAttribute('data-rig'), 'dock');
    await waitFor('the request merged', async () => (await row.getAttribute('data-phase')) === 'merged', 120_000, 100);
    const phases = await page.evaluate(`window.__phases[${JSON.stringify(mr)}]`) as string[];
    console.log(`# phases shown: ${phases.join(' → ')}`);
    assert.equal(phases[phases.length - 1], 'merged');
    // The graph's node of the work bead shows its merge request.
    await page.keyboard.press('Alt+5');
    await waitFor('the work bead\'s node shows its merge request', async () => /MR merged/.test(await node(page, work.id).innerText().catch(() => '')), 20_000, 100);
  });
});
