// The convoy graph at 1,000 beads: first layout and render against 100 beads (growth for 10× the
// beads), the time from a ledger commit (a status change by the CLI) to the updated node in the
// DOM against the feed's own delivery time (a plain WebSocket client in this process), and long
// tasks (PerformanceObserver 'longtask') during those updates and during first renders.
//   npx tsx bench/ui-graph.ts [samples=30]
// TRACE=1 / PROFILE=1: a timeline trace / CPU profile of the page during the updates (bench/page-profile.ts);
// SHOT=file.png: a screenshot of the 1,000-bead graph as the updates began.
// Updates run on the ledger's own graph: a convoy of 1,000 beads (convoyCreateCsv, one commit) and a
// convoy tracking 500 of them (one commit): 1,002 nodes, 1,500 edges; town beads (prefix hq), so no
// polecat takes them. First renders run on a second page whose store is given made-up graphs of
// 100 beads / 150 edges and 1,000 beads / 1,500 edges (tracks + blocks), measured alike in one page.
import { webSocketClient } from './web-client.ts';
import { pct } from './ledger-bench-util.ts';
import type { Page } from 'playwright-core';
import { launchChromium, openUi, startUiTown } from '../test/e2e/ui-page.ts';
import { printProfile, printTrace, startProfile, startTrace, stopProfile } from './page-profile.ts';

const SAMPLES = Number(process.argv[2] ?? 30);
/** ROUNDS=0 skips the first-render comparison (e.g. while profiling the updates). */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const town = await startUiTown();
const browser = await launchChromium();
const now = (): number => performance.timeOrigin + performance.now();
const median = (xs: number[]): number => pct(xs, 50);

try {
  const ws = await webSocketClient(town.url);
  const client = ws.client;
  const feedSeen = new Map<string, number>();
  client.on('beadFeed', (e) => {
    const at = now();
    for (const c of e.changes) if (c.kind === 'updated') feedSeen.set(`${c.id}:${c.bead.status}`, at);
  });

  // The ledger's graph: 1,000 beads in one convoy (one commit), a second convoy tracking 500 of them
  // (one commit): 1,002 nodes, 1,500 edges.
  const t0 = Date.now();
  const csv = ['name', ...Array.from({ length: 1000 }, (_, i) => `big-${i}`)].join('\n');
  const bigConvoy = await client.convoyCreateCsv({ name: 'big', csv, titleTemplate: '{{name}}' });
  const bigBeads = bigConvoy.tracked.map((t) => t.id);
  await client.convoyCreate({ name: 'half', beads: bigBeads.filter((_, i) => i % 2 === 0) });
  console.log(`# ledger data made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const page = await openUi(browser, town.url);
  await watchLongTasks(page);
  const longTasks = async (from: number, to: number): Promise<number[]> =>
    ((await page.evaluate('window.__long')) as Array<{ at: number; ms: number }>).filter((t) => t.at >= from && t.at <= to).map((t) => t.ms);

  // The machine's own frame rate, as a baseline: the Agents view for 5 s.
  const frameGaps = (ms: number) => page.evaluate(`new Promise((resolve) => {
    const gaps = []; let last = performance.now(); const end = last + ${ms};
    const tick = (t) => { gaps.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else resolve(gaps); };
    requestAnimationFrame(tick);
  })`) as Promise<number[]>;
  const idleFrames = await frameGaps(5000);

  // Updates: the whole 1,000-bead graph on screen, one status change per sample.
  await page.getByTestId('nav-convoys').click();
  // Every node placed and the view fitted; React Flow mounts only the nodes in view.
  await page.waitForFunction(() => document.querySelector('[data-testid="graph-canvas"]')?.getAttribute('data-nodes') === '1002'
    && (window as unknown as { gastownGraph: { fits: number } }).gastownGraph.fits > 0 && document.querySelectorAll('[data-testid="graph-node"]').length > 0, undefined, { timeout: 120_000 });
  await page.waitForTimeout(1000);
  await page.evaluate(`(() => {
    window.__domSeen = {};
    new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now();
      const note = (el) => {
        if (!el.getAttribute || el.getAttribute('data-testid') !== 'graph-node') return;
        const key = el.getAttribute('data-bead') + ':' + el.getAttribute('data-status');
        if (!window.__domSeen[key]) window.__domSeen[key] = at;
      };
      for (const r of records) {
        note(r.target);
        for (const added of r.addedNodes) if (added.querySelectorAll) { note(added); added.querySelectorAll('[data-testid="graph-node"]').forEach(note); }
      }
    }).observe(document.querySelector('[data-testid="graph-canvas"]'), { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  })()`);
  // The changed beads are ones on screen (what a user watching the graph would see recoloured).
  const drawn = new Set(await page.evaluate(`[...document.querySelectorAll('[data-testid="graph-node"]')].map((e) => e.getAttribute('data-bead'))`) as string[]);
  const big = { beads: bigBeads.filter((id) => drawn.has(id)) };
  if (big.beads.length < 10) throw new Error(`only ${big.beads.length} of the big convoy's beads are on screen`);
  const feed: number[] = [];
  const dom: number[] = [];
  await page.evaluate(`(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT });
  const domCount = await page.evaluate(`[document.querySelectorAll('.react-flow__viewport *').length, document.querySelectorAll('[data-testid="graph-node"]').length]`) as number[];
  console.log(`# on screen (fitted, zoom ${await zoomOf(page)}): ${domCount[1]} of 1,002 nodes drawn, ${domCount[0]} DOM elements in the graph`);
  const cdp = await page.context().newCDPSession(page);
  if (process.env.TRACE === '1') await startTrace(cdp);
  if (process.env.PROFILE === '1') await startProfile(cdp);
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
      // The times are taken where things happen (this process, the page): polling slower only spares the page CPU.
      await new Promise((res) => setTimeout(res, 50));
    }
    if (!domAt || !feedSeen.has(key)) {
      const shown = await page.evaluate(`document.querySelector('[data-testid="graph-node"][data-bead="${id}"]')?.getAttribute('data-status') ?? 'not in the DOM'`);
      throw new Error(`${key} not seen: feed ${feedSeen.has(key)}, DOM ${!!domAt} (the node: ${String(shown)})`);
    }
    if (process.env.GRAPH_DEBUG) console.log(`# ${key}: feed ${(feedSeen.get(key)! - t0).toFixed(0)} ms, DOM ${(domAt - t0).toFixed(0)} ms`, JSON.stringify(await page.evaluate('window.gastownGraph')), JSON.stringify(await page.evaluate('window.__long.slice(-3)')));
    feed.push(Math.max(0, feedSeen.get(key)! - t0));
    dom.push(Math.max(0, domAt - t0));
  }
  const updateLong = await longTasks(updatesFrom, now());
  if (process.env.PROFILE === '1') printProfile(await stopProfile(cdp));
  if (process.env.TRACE === '1') await printTrace(cdp);
  console.log(`status change → feed (WebSocket client): p50 ${pct(feed, 50).toFixed(1)} ms  p95 ${pct(feed, 95).toFixed(1)} ms`);
  console.log(`status change → node recoloured in DOM:  p50 ${pct(dom, 50).toFixed(1)} ms  p95 ${pct(dom, 95).toFixed(1)} ms`);
  console.log(`DOM p95 − feed p95: ${(pct(dom, 95) - pct(feed, 95)).toFixed(1)} ms (goal ≤ 100 ms)`);
  console.log(`long tasks during ${SAMPLES} updates: ${updateLong.length} (max ${updateLong.length ? Math.max(...updateLong).toFixed(0) : 0} ms; goal: none over 200 ms)`);
  console.log(`viewport unchanged by the updates: ${viewportBefore === (await viewportOf(page))}`);
  const frames = (await page.evaluate('window.__frames')) as number[];
  console.log(`frame interval on the Agents view (baseline): p50 ${pct(idleFrames, 50).toFixed(0)} ms  p95 ${pct(idleFrames, 95).toFixed(0)} ms`);
  console.log(`frame interval while updating (${domCount[1]} of 1,002 nodes drawn): p50 ${pct(frames, 50).toFixed(0)} ms  p95 ${pct(frames, 95).toFixed(0)} ms  max ${Math.max(...frames).toFixed(0)} ms`);
  ws.close();

  // First layout and render, 100 beads / 150 edges against 1,000 beads / 1,500 edges: a second page
  // whose store holds a made-up bead domain (a convoy tracking N beads, N/2 blocks edges between
  // them), so both sizes are measured in the same page, the same way: layout in the worker + render.
  if (ROUNDS > 0) {
    const lab = await openUi(browser, town.url);
    await watchLongTasks(lab);
    const runs: Record<number, Array<{ ms: number; layoutMs: number; longest: number; drawn: number }>> = { 100: [], 1000: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of [100, 1000]) runs[n].push(await firstRender(lab, n, round));
    }
    const small = median(runs[100].map((r) => r.ms));
    const large = median(runs[1000].map((r) => r.ms));
    const line = (n: number, e: number, ms: number) => `first layout + render, ${n.toLocaleString('en-US')} beads / ${e.toLocaleString('en-US')} edges: ${ms.toFixed(0)} ms`
      + ` (layout in the worker ${median(runs[n].map((r) => r.layoutMs)).toFixed(0)} ms; longest main-thread task ${median(runs[n].map((r) => r.longest)).toFixed(0)} ms; ${median(runs[n].map((r) => r.drawn))} nodes drawn in view)`;
    console.log(line(100, 150, small));
    console.log(line(1000, 1500, large));
    console.log(`growth for 10× the beads: ${(large / small).toFixed(1)}× (goal ≤ 10×)`);
  }
} finally {
  await browser.close();
  await town.cleanup();
}

async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push({ at: performance.timeOrigin + e.startTime, ms: e.duration }); })
      .observe({ type: 'longtask', buffered: false });
  })()`);
}

/** A made-up graph of n beads in the page's store, then the graph view opened: until every node is placed,
 *  the view fitted and the nodes in view drawn (React Flow mounts only those). */
async function firstRender(page: Page, n: number, round: number): Promise<{ ms: number; layoutMs: number; longest: number; drawn: number }> {
  await page.getByTestId('nav-agents').click();
  return page.evaluate(`new Promise((resolve) => {
    const n = ${n}, tag = 'r${round}n${n}';
    const bead = (id, type, title) => ({ id, title, description: '', type, status: id.endsWith('3') ? 'in_progress' : 'open', priority: 2, assignee: null, owner: '', createdBy: 'bench',
      createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', closedAt: null, closeReason: '', labels: [], metadata: {} });
    const beads = {}, dependencies = {};
    const convoy = 'hq-' + tag + 'c';
    beads[convoy] = bead(convoy, 'convoy', 'made-up convoy');
    for (let i = 0; i < n; i++) {
      const id = 'hq-' + tag + 'b' + i;
      beads[id] = bead(id, 'task', 'made-up bead ' + i);
      dependencies[convoy + '>' + id] = { issueId: convoy, dependsOnId: id, type: 'tracks', createdAt: '', createdBy: 'bench' };
    }
    for (let k = 0; k < n / 2; k++) {
      const i = 1 + ((k * 7919) % (n - 1)), j = (i * 31 + 7) % i;
      const a = 'hq-' + tag + 'b' + i, b = 'hq-' + tag + 'b' + j;
      dependencies[a + '>' + b] = { issueId: a, dependsOnId: b, type: 'blocks', createdAt: '', createdBy: 'bench' };
    }
    const store = window.gastownDebug.store;
    store.setState({ beads: { beads, dependencies, comments: {} }, graphFilter: { convoy: null, rig: null, statuses: null } });
    const layouts = window.gastownGraph.layouts, fits = window.gastownGraph.fits;
    const started = performance.now();
    const from = performance.timeOrigin + started;
    document.querySelector('[data-testid="nav-convoys"]').click();
    // Done: every node placed, the view fitted, and the nodes drawn in view the same for 2 frames after.
    let counts = [];
    const look = () => {
      const shown = document.querySelectorAll('[data-testid="graph-node"]').length;
      const placed = document.querySelector('[data-testid="graph-canvas"]')?.getAttribute('data-nodes') === String(n + 1);
      if (window.gastownGraph.layouts > layouts && placed && window.gastownGraph.fits > fits) counts.push({ shown, at: performance.now() });
      const last = counts.slice(-3);
      if (last.length === 3 && shown > 0 && last.every((c) => c.shown === shown)) {
        const ms = last[0].at - started; // when the drawn set reached what it stayed
        // Long tasks are reported after they end: one more frame, then read them.
        requestAnimationFrame(() => setTimeout(() => {
          const longest = Math.max(0, ...window.__long.filter((t) => t.at >= from).map((t) => t.ms));
          resolve({ ms, layoutMs: window.gastownGraph.lastLayoutMs, longest, drawn: shown });
        }, 50));
      } else requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  })`) as Promise<{ ms: number; layoutMs: number; longest: number; drawn: number }>;
}

async function zoomOf(page: Page): Promise<string> {
  const transform = await viewportOf(page);
  return /scale\(([\d.]+)\)/.exec(transform ?? '')?.[1] ?? '?';
}

function viewportOf(page: Page): Promise<string | null> {
  return page.evaluate(`document.querySelector('.react-flow__viewport')?.style.transform ?? null`) as Promise<string | null>;
}
