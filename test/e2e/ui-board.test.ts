// The Board, file drops and the bead detail, in Chromium against a real headless town (`gt serve`)
// with script agents, driven by a real mouse (down, moves in steps, up):
// - a ready bead dragged onto an idle polecat is hooked to it at once, its terminal shows the work,
//   the agent's `gt done` lands, and the card ends in Done without a reload;
// - a drag whose bead the CLI changed after it was picked up is refused (compare-and-set in the
//   ledger's write), the card goes back, the message says why, and the ledger has only the CLI's change;
// - a dropped CSV of 5 rows is previewed, then becomes a convoy of 5 beads; a dropped PNG is refused
//   and the ledger's head does not move;
// - the detail of a bead changed by three authors shows their three commits with the field changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Bead, BeadHistoryEntry } from '../../preload/types.ts';
import type { ConvoyStatus } from '../../preload/requests/work-types.ts';
import { findChromium, NO_CHROMIUM } from '../helpers/chromium.ts';
import { fixtureRepo } from '../integration/town-fixture.ts';
import { gt } from '../helpers/gt.ts';
import { fromStore, launchChromium, openUi, startUiTown, waitFor, type UiTown } from './ui-page.ts';

const chromiumPath = findChromium();

/** The text on a terminal's screen, as the page's xterm shows it. */
function screen(page: Page, terminal: string): Promise<string> {
  return page.evaluate(`window.gastownDebug.terminals.screenText(${JSON.stringify(terminal)})`) as Promise<string>;
}

/** A real mouse drag: press on `from`, move in steps (optionally pausing midway), release on `to`. */
async function drag(page: Page, from: Locator, to: Locator, midway?: () => Promise<void>): Promise<void> {
  const a = (await from.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 12, a.y + a.height / 2 + 8, { steps: 6 });
  try {
    await page.getByTestId('drag-overlay').waitFor({ timeout: 5000 });
    if (midway) await midway();
  } catch (err) {
    await page.keyboard.press('Escape');
    await page.mouse.up();
    throw err;
  }
  const b = (await to.boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + Math.min(b.height / 2, 60), { steps: 20 });
  await page.mouse.up();
}

const card = (page: Page, id: string): Locator => page.locator(`[data-testid="board-card"][data-bead="${id}"]`);
const column = (page: Page, c: string): Locator => page.locator(`[data-testid="board-column"][data-column="${c}"]`);
const columnOfCard = (page: Page, id: string): Promise<string | null> =>
  page.evaluate(`document.querySelector('[data-testid="board-card"][data-bead="${id}"]')?.closest('[data-testid="board-column"]')?.getAttribute('data-column') ?? null`) as Promise<string | null>;

const statusInPage = (page: Page, id: string): Promise<string | undefined> =>
  page.evaluate(`window.gastownDebug.store.getState().beads.beads[${JSON.stringify(id)}]?.status`) as Promise<string | undefined>;

/** The Dolt HEAD of the town's ledger, read straight from its sql-server. */
async function ledgerHead(town: UiTown): Promise<string> {
  const status = await town.json<{ dolt: { port: number } }>(['status']);
  const secrets = JSON.parse(readFileSync(join(town.dir, 'secrets.json'), 'utf8')) as { doltUser: string; doltPassword: string };
  const config = JSON.parse(readFileSync(join(town.dir, 'town.json'), 'utf8')) as { dolt: { database: string } };
  const c = await mysql.createConnection({ host: '127.0.0.1', port: status.dolt.port, user: secrets.doltUser, password: secrets.doltPassword, database: config.dolt.database });
  try {
    const [rows] = await c.query("SELECT HASHOF('HEAD') AS h");
    return (rows as Array<{ h: string }>)[0].h;
  } finally {
    await c.end();
  }
}

/** Drops a file with this name and content on the page, as the OS does (a DataTransfer with a File). */
async function dropFile(page: Page, name: string, content: string | number[], type: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(([n, c, t]) => {
    const dt = new DataTransfer();
    const body = typeof c === 'string' ? c : new Uint8Array(c as number[]);
    dt.items.add(new File([body], n as string, { type: t as string }));
    return dt;
  }, [name, content, type] as const);
  await page.dispatchEvent('.content', 'dragenter', { dataTransfer });
  await page.dispatchEvent('.content', 'dragover', { dataTransfer });
  await page.dispatchEvent('.content', 'drop', { dataTransfer });
}

describe('the Board with script agents', { skip: chromiumPath ? false : NO_CHROMIUM }, () => {
  let town: UiTown;
  let browser: Browser;
  let page: Page;

  before(async () => {
    town = await startUiTown({ tickMs: 500 });
    browser = await launchChromium();
    page = await openUi(browser, town.url);
    await town.json(['rig', 'add', 'yard', fixtureRepo(town.base, 'yard-src'), '--prefix', 'yd', '--max-polecats', '2', '--runtime', 'script']);
    // A second rig, parked, for the CSV convoy: its beads are written but not dispatched.
    await town.json(['rig', 'add', 'depot', fixtureRepo(town.base, 'depot-src'), '--prefix', 'dp', '--runtime', 'script']);
    const park = await town.gt(['rig', 'park', 'depot']);
    assert.equal(park.code, 0, park.stderr);
  });
  after(async () => {
    await browser?.close();
    await town?.cleanup();
  });

  test('drag a ready bead onto an idle polecat: hooked at once, its terminal shows the work, it lands, the card ends in Done', async () => {
    // An idle polecat: one bead slung from the CLI and landed.
    const first = await town.json<Bead>(['bead', 'create', '--rig', 'yard', '-t', 'warm-up', '-d', '```gt-script\nwrite warm.txt warm\\n\n```']);
    assert.equal((await town.gt(['sling', first.id, 'yard'])).code, 0);
    const polecat = await waitFor('an idle polecat after the warm-up landed', async () => {
      const b = await town.json<Bead>(['bead', 'show', first.id]);
      if (b.status !== 'closed') return null;
      const agents = await fromStore(page, (s) => Object.values(s.agents).map((a) => a as { id: string; role: string; state: string; hook: string | null }));
      return agents.find((a) => a.role === 'polecat' && a.state === 'idle' && !a.hook)?.id ?? null;
    }, 120_000, 250);

    const work = await town.json<Bead>(['bead', 'create', '--rig', 'yard', '-t', 'board work', '-d',
      '```gt-script\nrun echo board-work-marker-4242\nsleep 4\nwrite board.txt from the board\\n\n```']);
    await page.getByTestId('nav-board').click();
    await card(page, work.id).waitFor({ timeout: 20_000 });
    assert.equal(await columnOfCard(page, work.id), 'ready');
    const target = page.locator(`[data-testid="target-agent"][data-agent="${polecat}"]`);
    await drag(page, card(page, work.id).locator('.card-title'), target);
    // The card shows the agent at once (optimistic, then the ledger's own).
    await waitFor('the card shows the polecat', async () => (await card(page, work.id).getByTestId('card-agent').textContent().catch(() => ''))?.includes(polecat), 5000, 20);
    const hooked = await waitFor('the ledger hooks it to the polecat', async () => {
      const b = await town.json<Bead>(['bead', 'show', work.id]);
      return b.assignee === polecat && (b.status === 'hooked' || b.status === 'in_progress') ? b : null;
    }, 30_000, 100);
    assert.equal(hooked.assignee, polecat);
    // Its terminal starts in the grid and shows the work.
    const terminal = await waitFor('the polecat\'s session', async () => {
      const agents = await fromStore(page, (s) => Object.values(s.agents).map((a) => a as { id: string; hook: string | null; session: { terminal: string } | null }));
      const a = agents.find((x) => x.id === polecat && x.hook === work.id && x.session);
      return a?.session?.terminal ?? null;
    }, 30_000, 100);
    await page.getByTestId('nav-terminals').click();
    await page.locator(`[data-testid="terminal-cell"][data-terminal="${terminal}"]`).waitFor({ timeout: 20_000 });
    await waitFor('the work on its terminal', async () => (await screen(page, terminal)).includes('board-work-marker-4242'), 30_000, 100);
    // gt done → merge request → landed → closed; the board follows the feed.
    await page.getByTestId('nav-board').click();
    await waitFor('the card in Done', async () => (await columnOfCard(page, work.id)) === 'done', 120_000, 200);
    const landed = await town.json<Bead>(['bead', 'show', work.id]);
    assert.equal(landed.status, 'closed');
    assert.match(landed.closeReason, /landed|merged/);
  });

  test('a drag across columns after the CLI changed the bead is refused; the card goes back; the ledger has only the CLI\'s change', async () => {
    const b = await town.json<Bead>(['bead', 'create', '--rig', 'depot', '-t', 'contested']);
    assert.equal((await town.gt(['bead', 'update', b.id, '--status', 'blocked'])).code, 0);
    await page.getByTestId('nav-board').click();
    await waitFor('the card in Blocked', async () => (await columnOfCard(page, b.id)) === 'blocked', 20_000, 50);
    const historyBefore = await town.json<BeadHistoryEntry[]>(['bead', 'history', b.id]);
    await drag(page, card(page, b.id).locator('.card-title'), column(page, 'ready'), async () => {
      // Picked up as blocked; meanwhile somebody defers it from the CLI.
      const r = await town.gt(['bead', 'update', b.id, '--status', 'deferred']);
      assert.equal(r.code, 0, r.stderr);
      await waitFor('the page has the CLI\'s change', async () => (await statusInPage(page, b.id)) === 'deferred', 10_000, 20);
    });
    const toast = page.locator('.toast[role="alert"]');
    await waitFor('the refusal', async () => /refused/.test((await toast.textContent().catch(() => '')) ?? ''), 10_000, 50);
    const message = (await toast.textContent())!;
    assert.match(message, new RegExp(`${b.id}.*is deferred, expected blocked`), message);
    assert.match(message, /Somebody changed it first/);
    await waitFor('the card back in Blocked', async () => (await columnOfCard(page, b.id)) === 'blocked', 5000, 50);
    assert.equal(await card(page, b.id).getAttribute('data-status'), 'deferred');
    const now = await town.json<Bead>(['bead', 'show', b.id]);
    assert.equal(now.status, 'deferred');
    const history = await town.json<BeadHistoryEntry[]>(['bead', 'history', b.id]);
    assert.equal(history.length, historyBefore.length + 1, 'exactly one more commit: the CLI\'s');
    const last = history.at(-1)!;
    assert.deepEqual(last.changes.filter((c) => c.field === 'status').map((c) => [c.before, c.after]), [['blocked', 'deferred']]);
    await page.locator('.toast button').click();
  });

  test('a dropped CSV of 5 rows: preview, confirm, a convoy of 5 beads; a dropped PNG is refused and writes nothing', async () => {
    await page.getByTestId('nav-board').click();
    const csv = 'title,description\n' + [1, 2, 3, 4, 5].map((i) => `Row task ${i},"from the csv, row ${i}"`).join('\n') + '\n';
    await dropFile(page, 'five-rows.csv', csv, 'text/csv');
    const preview = page.getByTestId('import-preview');
    await preview.waitFor({ timeout: 10_000 });
    assert.equal(await preview.getAttribute('data-kind'), 'csv');
    assert.equal(await page.getByTestId('import-rows').locator('li').count(), 5);
    assert.match(await page.getByTestId('import-summary').innerText(), /convoy "five-rows" of 5 beads/);
    await page.getByTestId('import-rig').selectOption('depot');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('board-notice').waitFor({ timeout: 30_000 });
    const convoy = await waitFor('the convoy', async () => (await town.json<ConvoyStatus[]>(['convoy', 'list'])).find((c) => c.title === 'five-rows') ?? null, 20_000, 200);
    assert.equal(convoy.tracked.length, 5);
    assert.deepEqual(convoy.tracked.map((t) => t.title).sort(), [1, 2, 3, 4, 5].map((i) => `Row task ${i}`));
    for (const t of convoy.tracked) await card(page, t.id).waitFor({ timeout: 10_000 });

    const head = await ledgerHead(town);
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    await dropFile(page, 'screenshot.png', png, 'image/png');
    const toast = page.locator('.toast[role="alert"]');
    await toast.waitFor({ timeout: 5000 });
    assert.match((await toast.textContent())!, /screenshot\.png is not a Markdown \(\.md\), CSV \(\.csv\) or beads JSONL \(\.jsonl\) file: nothing was imported/);
    assert.equal(await page.getByTestId('import-preview').count(), 0, 'no preview for a refused file');
    assert.equal(await ledgerHead(town), head, 'the ledger head did not move');
    await page.locator('.toast button').click();
  });

  test('a dropped Markdown file is one write: its beads all arrive; a file with one bad section writes none of them', async () => {
    try {
      await page.getByTestId('nav-board').click();
      const titles = (await town.json<Bead[]>(['bead', 'list'])).map((b) => b.title);
      assert.ok(!titles.includes('md first') && !titles.includes('md ok one'), 'fresh titles');
      await dropFile(page, 'plan.md', '# md ok one\nthe first\n\n# md ok two\nthe second\n', 'text/markdown');
      await page.getByTestId('import-preview').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByTestId('import-rows').locator('li').count(), 2);
      await page.getByTestId('import-rig').selectOption('depot');
      const before = await ledgerHead(town);
      await page.getByTestId('import-confirm').click();
      const made = await waitFor('both beads', async () => {
        const found = (await town.json<Bead[]>(['bead', 'list'])).filter((b) => b.title.startsWith('md ok '));
        return found.length === 2 ? found : null;
      }, 20_000, 200);
      assert.deepEqual(made.map((b) => b.description).sort(), ['the first', 'the second']);
      const history = await town.json<BeadHistoryEntry[]>(['bead', 'history', made[0].id]);
      assert.equal(history.length, 1, 'created in one commit');
      assert.notEqual(await ledgerHead(town), before);
      await page.getByTestId('board-notice').waitFor({ timeout: 10_000 });

      // The third section's text is over the ledger's 1,000,000-character description limit: the
      // preview shows 3 beads, the write fails, and the two good ones are not written either.
      const head = await ledgerHead(town);
      const markdown = `# md first\nfine\n\n# md second\nfine too\n\n# md third\n${'x'.repeat(1_000_001)}\n`;
      await dropFile(page, 'too-long.md', markdown, 'text/markdown');
      await page.getByTestId('import-preview').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByTestId('import-rows').locator('li').count(), 3);
      await page.getByTestId('import-confirm').click();
      const toast = page.locator('.toast[role="alert"]');
      await toast.waitFor({ timeout: 20_000 });
      assert.match((await toast.textContent())!, /too-long\.md/);
      assert.equal(await ledgerHead(town), head, 'the ledger head did not move');
      const titlesAfter = (await town.json<Bead[]>(['bead', 'list'])).map((b) => b.title);
      assert.ok(!titlesAfter.includes('md first') && !titlesAfter.includes('md second'), 'no bead of the failed file was written');
      await page.getByTestId('import-cancel').click();
      await page.locator('.toast button').click();
    } finally {
      // A failure above must not leave the preview over the page for the next tests.
      if (await page.getByTestId('import-preview').count()) await page.getByTestId('import-cancel').click();
    }
  });

  test('keyboard only: Space picks a card up, an arrow jumps to the next column (shown as the target), Space drops', async () => {
    const b = await town.json<Bead>(['bead', 'create', '--rig', 'depot', '-t', 'moved by keyboard']);
    await page.getByTestId('nav-board').click();
    await card(page, b.id).waitFor({ timeout: 20_000 });
    assert.equal(await columnOfCard(page, b.id), 'ready');
    await card(page, b.id).focus();
    await page.keyboard.press('Space');
    await page.getByTestId('drag-overlay').waitFor({ timeout: 5000 });
    // dnd-kit's KeyboardSensor starts listening for the arrows in a timer after the pickup, and the
    // overlay can show before that timer ran: a page timer set now runs after it (timers of one delay
    // run in order), so the arrow below is not pressed into the void.
    await page.evaluate('new Promise((resolve) => setTimeout(resolve, 0))');
    await page.keyboard.press('ArrowRight');
    await waitFor('the Blocked column is the drop target', async () => /drop-over/.test((await column(page, 'blocked').getAttribute('class')) ?? ''), 5000, 20);
    await page.keyboard.press('Space');
    await waitFor('the ledger has it blocked', async () => (await town.json<Bead>(['bead', 'show', b.id])).status === 'blocked', 10_000, 100);
    await waitFor('the card in Blocked', async () => (await columnOfCard(page, b.id)) === 'blocked', 5000, 50);
  });

  test('two selected cards dragged onto a rig make a convoy; a closed card dropped on an agent is refused and says why', async () => {
    const script = '```gt-script\nwrite multi.txt x\\n\n```';
    const a = await town.json<Bead>(['bead', 'create', '--rig', 'yard', '-t', 'multi one', '-d', script]);
    const b = await town.json<Bead>(['bead', 'create', '--rig', 'yard', '-t', 'multi two', '-d', script]);
    await page.getByTestId('nav-board').click();
    await card(page, b.id).waitFor({ timeout: 20_000 });
    await card(page, a.id).getByTestId('card-select').check();
    await card(page, b.id).getByTestId('card-select').check();
    assert.match(await page.getByTestId('board-selection').innerText(), /2 selected/);
    await drag(page, card(page, a.id).locator('.card-title'), page.locator('[data-testid="target-rig"][data-rig="yard"]'));
    const convoy = await waitFor('a convoy of the two', async () => (await town.json<ConvoyStatus[]>(['convoy', 'list'])).find((c) => c.tracked.some((t) => t.id === a.id)) ?? null, 30_000, 200);
    assert.deepEqual(convoy.tracked.map((t) => t.id).sort(), [a.id, b.id].sort());
    assert.equal(convoy.rig, 'yard');
    // The two finish on their own within seconds; until their cards have moved to Done the board's
    // layout shifts under the next drag (which would then pick up another card).
    await waitFor('both convoy cards in Done', async () => (await columnOfCard(page, a.id)) === 'done' && (await columnOfCard(page, b.id)) === 'done', 60_000, 100);

    const closed = await town.json<Bead>(['bead', 'create', '--rig', 'depot', '-t', 'already closed']);
    assert.equal((await town.gt(['bead', 'close', closed.id])).code, 0);
    await waitFor('the closed card in Done', async () => (await columnOfCard(page, closed.id)) === 'done', 20_000, 50);
    const before = (await town.json<BeadHistoryEntry[]>(['bead', 'history', closed.id])).length;
    const agent = page.getByTestId('target-agent').first();
    await drag(page, card(page, closed.id).locator('.card-title'), agent);
    const toast = page.locator('.toast[role="alert"]');
    await toast.waitFor({ timeout: 5000 });
    assert.match((await toast.textContent())!, new RegExp(`Sling refused: ${closed.id} is closed`));
    assert.equal((await town.json<BeadHistoryEntry[]>(['bead', 'history', closed.id])).length, before, 'a refused drop writes nothing');
    assert.equal((await town.json<Bead>(['bead', 'show', closed.id])).status, 'closed');
    await page.locator('.toast button').click();
  });

  test('keyboard and palette: Alt+N creates a bead with a dependency and labels; the palette opens its detail', async () => {
    const blocker = await town.json<Bead>(['bead', 'create', '--rig', 'depot', '-t', 'comes first']);
    await page.keyboard.press('Alt+1');
    await page.keyboard.press('Alt+n');
    await page.getByTestId('create-dialog').waitFor({ timeout: 5000 });
    await page.keyboard.type('made from the dialog');
    await page.getByTestId('create-rig').selectOption('depot');
    await page.getByLabel('Labels').fill('ui, board');
    await page.getByLabel('Depends on').fill(blocker.id);
    await page.getByTestId('create-title').press('Enter');
    await page.getByTestId('create-dialog').waitFor({ state: 'detached', timeout: 10_000 });
    const made = await waitFor('the new bead', async () => (await town.json<Bead[]>(['bead', 'list', '--prefix', 'dp'])).find((b) => b.title === 'made from the dialog') ?? null, 10_000, 100);
    const shown = await town.json<Bead>(['bead', 'show', made.id]);
    assert.deepEqual([...shown.labels].sort(), ['board', 'ui']);
    assert.deepEqual(shown.dependencies?.map((d) => [d.dependsOnId, d.type]), [[blocker.id, 'blocks']]);
    await waitFor('its card in Blocked (its blocker is open)', async () => (await columnOfCard(page, made.id)) === 'blocked', 10_000, 50);
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').waitFor();
    await page.keyboard.type(`Open bead ${made.id}`);
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('bead-detail');
    await detail.waitFor({ timeout: 5000 });
    assert.equal(await detail.getAttribute('data-bead'), made.id);
    assert.match(await detail.getByTestId('detail-depends-on').innerText(), new RegExp(blocker.id));
    // Escape closes only the topmost thing: the palette opened over the detail first, then the detail.
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('palette-input').waitFor({ state: 'detached' });
    assert.equal(await detail.count(), 1, 'the detail stays open while Escape closes the palette over it');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
  });

  test('the bead detail of a bead changed by three authors: three commits with their authors and field changes; show as of a commit', async () => {
    const b = await town.json<Bead>(['bead', 'create', '--rig', 'depot', '-t', 'three hands', '-p', '3']);
    const ann = await gt(['bead', 'update', b.id, '--title', 'three hands, renamed'], { town: town.dir, env: { GT_AGENT: 'depot/crew/ann' } });
    assert.equal(ann.code, 0, ann.stderr);
    const mayor = await gt(['bead', 'update', b.id, '--priority', '1'], { town: town.dir, env: { GT_AGENT: 'mayor' } });
    assert.equal(mayor.code, 0, mayor.stderr);
    await page.getByTestId('nav-board').click();
    await card(page, b.id).getByTestId('card-open').click();
    const detail = page.getByTestId('bead-detail');
    await detail.waitFor();
    const entries = detail.getByTestId('history-entry');
    const commits = () => entries.evaluateAll((els) => [...new Map(els.map((e) => [e.getAttribute('data-commit'), e.getAttribute('data-author')])).values()]);
    await waitFor('three commits', async () => (await commits()).length === 3, 20_000, 100);
    // Newest first, each commit with its author.
    assert.deepEqual(await commits(), ['mayor', 'depot/crew/ann', 'overseer']);
    const byAuthor = (author: string) => detail.locator(`[data-testid="history-entry"][data-author="${author}"]`);
    assert.match(await byAuthor('mayor').locator('[data-field="priority"]').innerText(), /priority: 3 → 1/);
    assert.match(await byAuthor('depot/crew/ann').locator('[data-field="title"]').innerText(), /title: three hands → three hands, renamed/);
    assert.match(await byAuthor('overseer').first().locator('[data-field="title"]').innerText(), /title: ∅ → three hands/);
    await byAuthor('depot/crew/ann').getByTestId('history-as-of').click();
    const asOf = detail.getByTestId('detail-as-of');
    await asOf.waitFor();
    assert.match(await asOf.innerText(), /three hands, renamed/);
    assert.match(await asOf.innerText(), /P3/);
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
  });
});
