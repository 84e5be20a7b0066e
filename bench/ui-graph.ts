// The convoy graph at 1,000 beads: first layout and render against 100 beads (growth for 10× the
// beads), the time from a ledger commit (a status change by the CLI) to the updated node in the
// DOM against the feed's own delivery time (a plain WebSocket client in this process), and long
// tasks (PerformanceObserver 'longtask') during those updates and during the big first layout.
//   npx tsx bench/ui-graph.ts [samples=30]
// Data: two convoys made in one commit each (convoyCreateCsv): 100 beads + 50 blocks edges (150
// edges) and 1,000 beads + 500 blocks edges (1,500 edges). Town beads (prefix hq): no polecat takes them.
import WebSocket from 'ws';
import { makeStreamClient } from '../preload/client.ts';
import type { ServerMessage } from '../preload/wire.ts';
import type { Page } from 'playwright-core';
import { launchChromium, openUi, startUiTown } from '../test/e2e/ui-page.ts';

const SAMPLES = Number(process.argv[2] ?? 30);
const ROUNDS = 3;
const town = await startUiTown();
const browser = await launchChromium();
const now = (): number => performance.timeOrigin + performance.now();
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]): number => pct(xs, 50);

try {
  const url = new URL(town.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const ws = new WebSocket(`ws://${url.host}/api?token=${encodeURIComponent(token)}`, { origin: url.origin });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const plumbing = makeStreamClient((m) => ws.send(JSON.stringify(m)));
  ws.on('message', (data, binary) => { if (!binary) plumbing.receive(JSON.parse(String(data)) as ServerMessage); });
  const client = plumbing.client;
  const feedSeen = new Map<string, number>();
  client.on('beadFeed', (e) => {
    const at = now();
    for (const c of e.changes) if (c.kind === 'updated') feedSeen.set(`${c.id}:${c.bead.status}`, at);
  });

  /** A convoy of `n` beads and n/2 blocks edges between them (each bead i > 0 on an earlier one). */
  const makeConvoy = async (name: string, n: number): Promise<{ convoy: string; beads: string[] }> => {
    const csv = ['name', ...Array.from({ length: n }, (_, i) => `${name}-${i}`)].join('\n');
    const status = await client.convoyCreateCsv({ name, csv, titleTemplate: '{{name}}' });
    const beads = status.tracked.map((t) => t.id);
    const pairs = Array.from({ length: Math.floor(n / 2) }, (_, k) => {
      const i = 1 + ((k * 7919) % (n - 1));
      return [beads[i], beads[(i * 31 + 7) % i]] as const; // an earlier bead blocks it: no cycles
    });
    for (let k = 0; k < pairs.length; k += 8) {
      await Promise.all(pairs.slice(k, k + 8).map(([id, dependsOn]) => client.beadDepAdd({ id, dependsOn, type: 'blocks' })));
    }
    return { convoy: status.id, beads };
  };
  const t0 = Date.now();
  const small = await makeConvoy('small', 100);
  const big = await makeConvoy('big', 1000);
  console.log(`# data made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const page = await openUi(browser, town.url);
  await page.evaluate(`(() => {
    window.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push({ at: performance.timeOrigin + e.startTime, ms: e.duration }); })
      .observe({ type: 'longtask', buffered: false });
  })()`);
  const longTasks = async (from: number, to: number): Promise<number[]> =>
    ((await page.evaluate('window.__long')) as Array<{ at: number; ms: number }>).filter((t) => t.at >= from && t.at <= to).map((t) => t.ms);

  /** From switching to the graph (filtered to `convoy`) until its `nodes` nodes are in the DOM, laid out and fitted. */
  const firstRender = async (convoy: string, nodes: number): Promise<{ ms: number; layoutMs: number }> => {
    await page.getByTestId('nav-agents').click();
    await page.evaluate(`window.gastownDebug.store.setState({ graphFilter: { convoy: ${JSON.stringify(convoy)}, rig: null, statuses: null } })`);
    const r = await page.evaluate(`new Promise((resolve) => {
      const layouts = window.gastownGraph.layouts;
      const started = performance.now();
      document.querySelector('[data-testid="nav-convoys"]').click();
      const look = () => {
        const shown = document.querySelectorAll('[data-testid="graph-node"]').length;
        if (window.gastownGraph.layouts > layouts && shown >= ${nodes}) resolve({ ms: performance.now() - started, layoutMs: window.gastownGraph.lastLayoutMs });
        else requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    })`) as { ms: number; layoutMs: number };
    return r;
  };

  const smallRuns: Array<{ ms: number; layoutMs: number }> = [];
  const bigRuns: Array<{ ms: number; layoutMs: number }> = [];
  let bigLong: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    smallRuns.push(await firstRender(small.convoy, 101));
    const from = now();
    bigRuns.push(await firstRender(big.convoy, 1001));
    bigLong = bigLong.concat(await longTasks(from, now()));
  }
  const s = median(smallRuns.map((r) => r.ms));
  const b = median(bigRuns.map((r) => r.ms));
  console.log(`first layout + render, 100 beads / 150 edges:    ${s.toFixed(0)} ms (layout in the worker ${median(smallRuns.map((r) => r.layoutMs)).toFixed(0)} ms)`);
  console.log(`first layout + render, 1,000 beads / 1,500 edges: ${b.toFixed(0)} ms (layout in the worker ${median(bigRuns.map((r) => r.layoutMs)).toFixed(0)} ms)`);
  console.log(`growth for 10× the beads: ${(b / s).toFixed(1)}× (goal ≤ 10×)`);
  console.log(`long tasks during the 1,000-bead first renders: ${bigLong.length} (max ${bigLong.length ? Math.max(...bigLong).toFixed(0) : 0} ms)`);

  // Updates: the whole 1,000-bead graph on screen, one status change per sample.
  await page.evaluate(`window.gastownDebug.store.setState({ graphFilter: { convoy: null, rig: null, statuses: null } })`);
  await page.waitForFunction(`document.querySelectorAll('[data-testid="graph-node"]').length >= 1102`, undefined, { timeout: 60_000 });
  await page.evaluate(`(() => {
    window.__domSeen = {};
    new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now();
      for (const r of records) {
        const el = r.target;
        if (el.getAttribute && el.getAttribute('data-testid') === 'graph-node') {
          const key = el.getAttribute('data-bead') + ':' + el.getAttribute('data-status');
          if (!window.__domSeen[key]) window.__domSeen[key] = at;
        }
      }
    }).observe(document.querySelector('[data-testid="graph-canvas"]'), { subtree: true, attributes: true, attributeFilter: ['data-status'] });
  })()`);
  const feed: number[] = [];
  const dom: number[] = [];
  const updatesFrom = now();
  const viewportBefore = await viewportOf(page);
  for (let i = 0; i < SAMPLES; i++) {
    const id = big.beads[(i * 37) % big.beads.length];
    const status = i % 2 ? 'blocked' : 'in_progress';
    const key = `${id}:${status}`;
    const r = await town.gt(['bead', 'update', id, '--status', status, '--json']);
    if (r.code !== 0) throw new Error(r.stderr);
    const t0 = now();
    const deadline = Date.now() + 10_000;
    let domAt: number | undefined;
    while (Date.now() < deadline) {
      domAt = (await page.evaluate(`window.__domSeen[${JSON.stringify(key)}]`)) as number | undefined;
      if (domAt && feedSeen.has(key)) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    if (!domAt || !feedSeen.has(key)) throw new Error(`${key} not seen`);
    feed.push(Math.max(0, feedSeen.get(key)! - t0));
    dom.push(Math.max(0, domAt - t0));
  }
  const updateLong = await longTasks(updatesFrom, now());
  console.log(`status change → feed (WebSocket client): p50 ${pct(feed, 50).toFixed(1)} ms  p95 ${pct(feed, 95).toFixed(1)} ms`);
  console.log(`status change → node recoloured in DOM:  p50 ${pct(dom, 50).toFixed(1)} ms  p95 ${pct(dom, 95).toFixed(1)} ms`);
  console.log(`DOM p95 − feed p95: ${(pct(dom, 95) - pct(feed, 95)).toFixed(1)} ms (goal ≤ 100 ms)`);
  console.log(`long tasks during ${SAMPLES} updates: ${updateLong.length} (max ${updateLong.length ? Math.max(...updateLong).toFixed(0) : 0} ms; goal: none over 200 ms)`);
  console.log(`viewport unchanged by the updates: ${viewportBefore === (await viewportOf(page))}`);
  ws.close();
} finally {
  await browser.close();
  await town.cleanup();
}

function viewportOf(page: Page): Promise<string | null> {
  return page.evaluate(`document.querySelector('.react-flow__viewport')?.style.transform ?? null`) as Promise<string | null>;
}
