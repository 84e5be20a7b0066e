// Commit → DOM: a bead created from the CLI until the page shows it, p50/p95, against the feed's own
// delivery time (the same commit arriving at a plain WebSocket client in this process) in the same
// run. Both are measured from the moment the CLI command returned (its commit made).
//   npx tsx bench/ui-commit-to-dom.ts [samples=30]
import { webSocketClient } from './web-client.ts';
import { pct } from './ledger-bench-util.ts';
import { launchChromium, openUi, startUiTown } from '../test/e2e/ui-page.ts';

const SAMPLES = Number(process.argv[2] ?? 30);
const town = await startUiTown();
const browser = await launchChromium();
try {
  const ws = await webSocketClient(town.url);
  const feedSeen = new Map<string, number>();
  ws.client.on('beadFeed', (e) => {
    const at = performance.timeOrigin + performance.now();
    for (const c of e.changes) if (c.kind === 'created') feedSeen.set(c.bead.title, at);
  });

  const page = await openUi(browser, town.url);
  await page.getByTestId('nav-feed').click();
  await page.evaluate(`(() => {
    window.__domSeen = {};
    new MutationObserver(() => {
      const at = performance.timeOrigin + performance.now();
      for (const li of document.querySelectorAll('[data-testid="feed-list"] li')) {
        const m = /“(bench-[0-9]+)”/.exec(li.textContent || '');
        if (m && !window.__domSeen[m[1]]) window.__domSeen[m[1]] = at;
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  })()`);

  const feed: number[] = [];
  const dom: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const title = `bench-${i}`;
    const r = await town.gt(['bead', 'create', '--title', title, '--json']);
    if (r.code !== 0) throw new Error(r.stderr);
    const t0 = performance.timeOrigin + performance.now();
    const deadline = Date.now() + 10_000;
    let domAt: number | undefined;
    while (Date.now() < deadline) {
      domAt = (await page.evaluate(`window.__domSeen[${JSON.stringify(title)}]`)) as number | undefined;
      if (domAt && feedSeen.has(title)) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    if (!domAt || !feedSeen.has(title)) throw new Error(`${title} not seen`);
    // Seen before the CLI returned (its output flushes after the commit) counts as 0.
    feed.push(Math.max(0, feedSeen.get(title)! - t0));
    dom.push(Math.max(0, domAt - t0));
  }
  console.log(`feed delivery (WebSocket client): p50 ${pct(feed, 50).toFixed(1)} ms  p95 ${pct(feed, 95).toFixed(1)} ms`);
  console.log(`page DOM shows it:                p50 ${pct(dom, 50).toFixed(1)} ms  p95 ${pct(dom, 95).toFixed(1)} ms`);
  console.log(`DOM p95 − feed p95: ${(pct(dom, 95) - pct(feed, 95)).toFixed(1)} ms (goal ≤ 50 ms)`);
  ws.close();
} finally {
  await browser.close();
  await town.cleanup();
}
