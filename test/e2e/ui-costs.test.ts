// Cost and controls in the UI, with real agents: two script agents under `gt serve` record usage
// (one of them on a model with no price); the status bar's meter shows the same town total as
// `gt costs --by town`, "price unknown" for the unpriced tokens (never $0), and each agent's row
// its own cost, each bead's convoy graph node and bead detail its cost; the e-stop button freezes the town (banner, `gt controls` says so) and Release clears it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Bead } from '../../preload/types.ts';
import type { ControlsState, CostReport } from '../../preload/requests/cost-types.ts';
import { findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { fixtureRepo } from '../integration/town-fixture.ts';
import { costText } from '../../renderer/views/cost-format.ts';
import { launchChromium, openUi, startUiTown, waitFor, type UiTown } from './ui-page.ts';

const chromiumPath = findChromium();

describe('cost and controls in the UI', { skip: chromiumPath ? false : NO_CHROMIUM }, () => {
  let town: UiTown;
  let browser: Browser;
  let page: Page;
  const beads: Bead[] = [];

  before(async () => {
    town = await startUiTown({ tickMs: 500 });
    browser = await launchChromium();
    page = await openUi(browser, town.url);
    const repo = fixtureRepo(town.base, 'mint-src');
    await town.json(['rig', 'add', 'mint', repo, '--prefix', 'mn', '--max-polecats', '2', '--runtime', 'script']);
  });
  after(async () => {
    await browser?.close();
    await town?.cleanup();
  });

  test('the status bar meter and the agent rows show what `gt costs` says; unpriced tokens read "price unknown"', async () => {
    const steps = [
      // Agent 0: a priced model (the script runtime's default). Agent 1: also a model with no price.
      ['usage 200000 50000 0 0', 'write cost-0.txt zero\\n'],
      ['usage 100000 20000 0 0', 'usage 3000 1000 0 0 mystery-model-9', 'write cost-1.txt one\\n'],
    ];
    for (let i = 0; i < steps.length; i++) {
      const description = ['```gt-script', ...steps[i], '```'].join('\n');
      beads.push(await town.json<Bead>(['bead', 'create', '--rig', 'mint', '-t', `cost task ${i}`, '-d', description]));
    }
    await town.json(['convoy', 'create', 'spend', ...beads.map((b) => b.id), '--rig', 'mint']);
    // Both beads done (their branches landed): no more usage comes.
    await waitFor('both beads closed', async () => {
      const closed = await page.evaluate(`${JSON.stringify(beads.map((b) => b.id))}.every((id) => window.gastownDebug.store.getState().beads.beads[id]?.status === 'closed')`);
      return closed === true;
    }, 120_000, 200);

    // The meter converges on the town's total (usage is read a moment after it is written).
    const shown = await waitFor('the meter showing the town total of `gt costs --by town`', async () => {
      const report = await town.json<CostReport>(['costs', '--by', 'town']);
      if (report.total.unpricedTokens === 0 || report.total.cost === 0) return null;
      const text = await page.getByTestId('cost-total').innerText();
      return text === costText(report.total) ? { text, report } : null;
    }, 60_000, 300);
    assert.match(shown.text, /^\$\d+\.\d\d \+ price unknown$/, 'priced dollars plus a note, never $0 for the unpriced model');
    assert.ok(shown.report.total.unpricedModels.includes('mystery-model-9'));
    console.log(`# meter: ${shown.text} (gt costs: $${shown.report.total.cost}, ${shown.report.total.unpricedTokens} unpriced tokens)`);
    assert.match(await page.getByTestId('cost-burn').innerText(), /^\$[\d.,]+\/h/);
    await page.getByTestId('cost-sparkline').waitFor({ timeout: 20_000 });

    // Each agent's row: that agent's cost, as `gt costs --by agent` has it.
    const byAgent = await town.json<CostReport>(['costs', '--by', 'agent']);
    await page.getByTestId('nav-agents').click();
    const rows = byAgent.rows.filter((r) => r.key.includes('/polecats/'));
    assert.equal(rows.length, 2, 'two polecats spent');
    for (const row of rows) {
      const cell = page.locator(`tr[data-agent="${row.key}"] [data-testid="agent-cost"]`);
      await waitFor(`${row.key}'s cost on its row`, async () => (await cell.innerText()) === costText(row), 30_000, 200);
    }
    assert.ok(rows.some((r) => costText(r).endsWith('price unknown')) && rows.some((r) => !costText(r).includes('unknown')));
  });

  test('each bead\'s cost on its convoy graph node and in its bead detail is what `gt costs --by bead` says', async () => {
    const byBead = await town.json<CostReport>(['costs', '--by', 'bead']);
    await page.getByTestId('nav-convoys').click();
    for (const bead of beads) {
      const row = byBead.rows.find((r) => r.key === bead.id);
      assert.ok(row, `${bead.id} has a cost row`);
      const node = page.locator(`[data-testid="graph-node"][data-bead="${bead.id}"] [data-testid="graph-cost"]`);
      await waitFor(`${bead.id}'s cost on its graph node`, async () => (await node.count()) > 0 && (await node.innerText()) === costText(row), 30_000, 200);
      await page.locator(`[data-testid="graph-node"][data-bead="${bead.id}"]`).click();
      const detail = page.locator('[data-testid="detail-cost"] strong');
      await waitFor(`${bead.id}'s cost in its bead detail`, async () => (await detail.count()) > 0 && (await detail.innerText()) === costText(row), 30_000, 200);
      await page.keyboard.press('Escape');
    }
  });

  test('the e-stop button stops the town (a banner, `gt controls` agrees); Release clears it', async () => {
    await page.getByTestId('estop').click();
    await page.getByTestId('estop-banner').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('estop-banner').innerText(), /E-stopped since \d\d:\d\d by overseer/);
    const stopped = await town.json<ControlsState>(['controls']);
    assert.ok(stopped.estop, '`gt controls` says e-stopped');
    await page.getByTestId('estop-release').click();
    await page.getByTestId('estop-banner').waitFor({ state: 'detached', timeout: 20_000 });
    const released = await town.json<ControlsState>(['controls']);
    assert.equal(released.estop, null);
    await page.getByTestId('estop').waitFor({ timeout: 5000 });
  });
});
