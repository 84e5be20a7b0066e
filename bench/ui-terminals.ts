// The terminal grid under load, in Chromium against `gt serve` with script agents:
//   16 terminals each streaming ~50 KB/s for D seconds, against 1 streaming terminal in the same run:
//   renderer JS heap (after GC) and main-thread long tasks (> 50 ms) per minute;
//   typing echo p50/p95 in a 17th terminal while the 16 stream, against the same terminal with
//   nothing else streaming. Ratios are printed.
//   npx tsx bench/ui-terminals.ts [seconds=60] [echoSamples=60]     (env STREAMERS=n, KBPS=50, MAXIMIZE=1)
//   Also printed per phase: CPU by process of this bench's tree, the page's WebSocket traffic, the
//   renderer's CPU while the echo samples were typed, and the raw echo samples (to pool runs).
//   TRACE=1 / PROFILE=1: a devtools trace / CPU profile of the 16-terminal phase (page-profile.ts);
//   SAVE=dir also writes them there (trace.json, profile.cpuprofile: open them in devtools).
//   The echo samples are typed in the phase's first ~6–10 s: with 16 streaming, while the
//   terminals' 5,000-line scrollbacks are still filling (see docs/ui.md, "Echo under load (session 11)").
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Bead } from '../preload/types.ts';
import { fixtureRepo } from '../test/integration/town-fixture.ts';
import { cpuByRole, printCpu } from './process-cpu.ts';
import { printProfile, printTrace, startProfile, startTrace, stopProfile } from './page-profile.ts';
import { fromStore, launchChromium, startUiTown, waitFor, waitForReady } from '../test/e2e/ui-page.ts';

const SECONDS = Number(process.argv[2] ?? 60);
const ECHO_SAMPLES = Number(process.argv[3] ?? 60);
const STREAMERS = Number(process.env.STREAMERS ?? 16);
/** KB/s each streaming terminal writes. */
const KBPS = Number(process.env.KBPS ?? 50);
/** MAXIMIZE=1: the echo terminal maximized, so the streaming ones are off screen (they skip rendering). */
const MAXIMIZE = process.env.MAXIMIZE === '1';
/** PROFILE=1: a CPU profile of the page while all stream, summed by function (self time), top 25. */
const PROFILE = process.env.PROFILE === '1';

/** TRACE=1: a devtools timeline trace of the page while all stream: main-thread time by event name. */
const TRACE = process.env.TRACE === '1';
/** SAVE=dir: also writes the trace (trace.json, loadable in devtools) and the CPU profile (profile.cpuprofile) there. */
const SAVE = process.env.SAVE;

const town = await startUiTown({ tickMs: 500, maxPolecats: 100 });
const browser = await launchChromium();
try {
  const goDir = join(town.base, 'go');
  mkdirSync(goDir, { recursive: true });
  const repo = fixtureRepo(town.base, 'bench-src');
  await town.json(['rig', 'add', 'bench', repo, '--prefix', 'bn', '--max-polecats', String(STREAMERS + 1), '--runtime', 'script']);
  // KBPS lines of 100 bytes every 100 ms = KBPS KB/s (default 50) of printable, changing output, for
  // 3 × SECONDS (still streaming when the phase's heap is read), once its go-file appears.
  // (Until session 4 the lines were ~50 bytes: the streams were ~26 KB/s each, not 50.)
  // one node process per streaming agent (a shell loop spawning tools 10 times a second would load
  // this 2-core machine more than the page under test).
  const writer = `let n=0;const nl=String.fromCharCode(10);const t=setInterval(()=>{let s='';for(let i=0;i<${KBPS};i++)s+=(n+' '+Math.random().toString(36).repeat(10)).slice(0,99)+nl;process.stdout.write(s);if(++n>=${SECONDS * 30})clearInterval(t)},100)`;
  const stream = (go: string): string => `run while [ ! -f ${goDir}/${go} ]; do sleep 0.2; done; ${process.execPath} -e "${writer}"`;
  const beads: Bead[] = [];
  for (let i = 0; i < STREAMERS; i++) {
    const steps = i === 0 ? [stream('one'), stream('all')] : [stream('all')];
    beads.push(await town.json<Bead>(['bead', 'create', '--rig', 'bench', '-t', `stream ${i}`, '-d', ['```gt-script', ...steps, '```'].join('\n')]));
  }
  const echoBead = await town.json<Bead>(['bead', 'create', '--rig', 'bench', '-t', 'echo', '-d', ['```gt-script', 'ask ready to type', '```'].join('\n')]);
  await town.json(['convoy', 'create', 'bench', ...beads.map((b) => b.id), echoBead.id, '--rig', 'bench']);

  const context = await browser.newContext({ viewport: { width: 2400, height: 1600 } });
  // WebSocket traffic of the page, counted (a listener per message: negligible next to the rest).
  await context.addInitScript(`(() => {
    const counts = window.__wsCounts = { binaryIn: 0, binaryBytes: 0, textIn: 0, textOut: 0 };
    // For the echo's breakdown: when the page sent keys (terminalWrite), and when frames of the
    // terminal named in window.__echoId arrived (before the app's own listener runs).
    const marks = window.__echoMarks = { sent: [], arrived: [] };
    const Original = window.WebSocket;
    class Counted extends Original {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          if (typeof e.data === 'string') { counts.textIn++; return; }
          counts.binaryIn++; counts.binaryBytes += e.data.byteLength;
          if (!window.__echoId) return;
          const bytes = new Uint8Array(e.data);
          const id = new TextDecoder().decode(bytes.subarray(1, 1 + bytes[0]));
          if (id === window.__echoId) marks.arrived.push(performance.now());
        });
      }
      send(data) {
        counts.textOut++;
        if (typeof data === 'string' && data.includes('"terminalWrite"')) marks.sent.push(performance.now());
        return super.send(data);
      }
    }
    window.WebSocket = Counted;
  })()`);
  const page = await context.newPage();
  await page.goto(town.url);
  await waitForReady(page);
  await page.getByTestId('nav-terminals').click();
  await waitFor('17 terminals', async () => (await page.getByTestId('terminal-cell').count()) === STREAMERS + 1, 400_000, 500);
  const terminalOf = async (bead: string): Promise<string> => waitFor(`the terminal of ${bead}`, () =>
    fromStore(page, (s) => Object.values(s.agents).map((a) => a as { hook: string | null; session: { terminal: string } | null }).map((a) => [a.hook, a.session?.terminal ?? null])).then((list) => list.find(([h]) => h === bead)?.[1] ?? null), 120_000, 200);
  const echoTerminal = await terminalOf(echoBead.id);
  await waitFor('the echo agent asking', () => page.evaluate(`window.gastownDebug.terminals.screenText(${JSON.stringify(echoTerminal)}).includes('ready to type')`), 120_000, 200);
  if (MAXIMIZE) await page.locator(`[data-terminal="${echoTerminal}"] [data-testid="maximize"]`).click();
  await page.evaluate(`(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: false });
  })()`);
  const cdp = await context.newCDPSession(page);
  const heapMb = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize / 1024 / 1024;
  };
  const longTasks = async (): Promise<number[]> => page.evaluate('window.__longTasks.splice(0)') as Promise<number[]>;

  // Echo: a key typed into the echo terminal until xterm shows it (the tty echoes at the prompt):
  // the screen's non-blank characters grow by one (the typed line may wrap).
  /** Where each echo's time went: key press → keys sent by the page, sent → the echo's frame
   *  arrived, arrived → seen on xterm's screen. */
  type Parts = { toSend: number; toArrive: number; toSeen: number };
  const echo = async (page: Page, samples: number, parts: Parts[] = []): Promise<number[]> => {
    await page.locator(`[data-terminal="${echoTerminal}"] .xterm`).click();
    await page.evaluate(`window.__echoId = ${JSON.stringify(echoTerminal)}`);
    const xs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const ch = 'abcdefghij'[i % 10];
      await page.evaluate(`(() => {
        const id = ${JSON.stringify(echoTerminal)};
        const before = window.gastownDebug.terminals.screenText(id).replace(/\\s+/g, '');
        window.__echoMarks.sent.length = 0;
        window.__echoMarks.arrived.length = 0;
        window.__echo = new Promise((resolve) => {
          const t0 = window.__echoT0 = performance.now();
          const check = () => {
            const last = window.gastownDebug.terminals.screenText(id).replace(/\\s+/g, '');
            if (last.length > before.length) { window.__echoSeen = performance.now(); resolve(window.__echoSeen - t0); }
            else if (performance.now() - t0 > 5000) resolve(-1);
            else requestAnimationFrame(check);
          };
          window.__echoStart = () => requestAnimationFrame(check);
        });
      })()`);
      await page.keyboard.press(ch);
      await page.evaluate('window.__echoStart()');
      const ms = await page.evaluate('window.__echo') as number;
      if (ms < 0) {
        const text = await page.evaluate(`window.gastownDebug.terminals.screenText(${JSON.stringify(echoTerminal)})`) as string;
        console.log(`echo sample ${i}: not seen in 5 s; the terminal's last lines:\n${text.split('\n').filter(Boolean).slice(-3).join('\n')}`);
        continue;
      }
      xs.push(ms);
      const part = await page.evaluate(`(() => {
        const m = window.__echoMarks;
        const sent = m.sent.find((t) => t >= window.__echoT0);
        const arrived = sent === undefined ? undefined : m.arrived.find((t) => t >= sent);
        if (sent === undefined || arrived === undefined) return null;
        return { toSend: sent - window.__echoT0, toArrive: arrived - sent, toSeen: window.__echoSeen - arrived };
      })()`) as Parts | null;
      if (part) parts.push(part);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Clear the typed line (Ctrl-U) so the prompt stays short.
    await page.keyboard.press('Control+u');
    return xs;
  };

  const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  const wsCounts = async (): Promise<Record<string, number>> => page.evaluate('({ ...window.__wsCounts })') as Promise<Record<string, number>>;
  const run = async (label: string, go: string | null): Promise<{ heap: number; longPerMin: number; longMax: number; echo: number[] }> => {
    await longTasks();
    if (go) writeFileSync(join(goDir, go), '');
    const started = Date.now();
    const cpu = cpuByRole();
    const wsBefore = await wsCounts();
    const parts: Parts[] = [];
    const echoXs = await echo(page, ECHO_SAMPLES, parts);
    // The page's CPU while the samples were typed (the phase's first seconds: with 16 streaming,
    // while their scrollbacks fill), less noisy than one p95 of 40 samples.
    const typingSeconds = (Date.now() - started) / 1000;
    const typingRenderer = cpu().get('chromium renderer') ?? 0;
    console.log(`while typing (${typingSeconds.toFixed(1)} s): chromium renderer ${typingRenderer.toFixed(2)} s = ${((100 * typingRenderer) / typingSeconds).toFixed(0)}% of a core`);
    const rest = SECONDS * 1000 - (Date.now() - started);
    if (go && rest > 0) await new Promise((r) => setTimeout(r, rest));
    const cpuSpent = cpu();
    const wsAfter = await wsCounts();
    const seconds = (Date.now() - started) / 1000;
    const heap = await heapMb();
    const tasks = await longTasks();
    const minutes = Math.max(1, Date.now() - started) / 60_000;
    const r = { heap, longPerMin: tasks.length / minutes, longMax: tasks.length ? Math.max(...tasks) : 0, echo: echoXs };
    const rate = (k: string): string => ((wsAfter[k] - wsBefore[k]) / seconds).toFixed(1);
    console.log(`page WebSocket: ${rate('binaryIn')} terminal frames/s (${(((wsAfter.binaryBytes - wsBefore.binaryBytes) / seconds) / 1024).toFixed(0)} KB/s), ${rate('textIn')} JSON in/s, ${rate('textOut')} JSON out/s`);
    printCpu(cpuSpent, seconds);
    const split = (k: keyof Parts): string => `${pct(parts.map((p) => p[k]), 50).toFixed(1)} / ${pct(parts.map((p) => p[k]), 95).toFixed(1)}`;
    if (parts.length) console.log(`echo parts p50 / p95 (${parts.length} samples): key → sent ${split('toSend')} ms · sent → echo arrived ${split('toArrive')} ms · arrived → on screen ${split('toSeen')} ms`);
    // The raw samples, so runs can be pooled (a p95 of 40 samples is their second largest: noisy).
    console.log(`echo samples ${label}: ${JSON.stringify(echoXs.map((x) => Math.round(x * 10) / 10))}; long tasks ${JSON.stringify(tasks.map(Math.round))}`);
    console.log(`${label.padEnd(22)} heap ${heap.toFixed(1)} MB · long tasks ${r.longPerMin.toFixed(1)}/min (max ${r.longMax.toFixed(0)} ms) · echo p50 ${pct(echoXs, 50).toFixed(1)} ms p95 ${pct(echoXs, 95).toFixed(1)} ms`);
    return r;
  };

  const idle = await run('nothing streaming', null);
  const one = await run('1 terminal streaming', 'one');
  // Wait for the first streamer to finish its first round before all 16 start.
  await new Promise((r) => setTimeout(r, 2000));
  if (TRACE) await startTrace(cdp);
  if (PROFILE) await startProfile(cdp);
  const all = await run(`${STREAMERS} terminals streaming`, 'all');
  if (PROFILE) {
    const profile = await stopProfile(cdp);
    if (SAVE) writeFileSync(join(SAVE, 'profile.cpuprofile'), JSON.stringify(profile));
    printProfile(profile);
  }
  if (TRACE) await printTrace(cdp, 20, SAVE && join(SAVE, 'trace.json'));
  const stats = await page.evaluate('window.gastownDebug.terminals.stats()') as { terminals: number; webgl: number; visible: number };
  console.log(`registry: ${stats.terminals} terminals, ${stats.visible} visible, ${stats.webgl} with WebGL`);
  console.log(`heap ${STREAMERS} vs 1: ${(all.heap / one.heap).toFixed(2)}× (${all.heap.toFixed(1)} MB; goal ≤ 250 MB)`);
  console.log(`long tasks/min ${STREAMERS} vs 1: ${all.longPerMin.toFixed(1)} vs ${one.longPerMin.toFixed(1)}`);
  console.log(`echo p95 with ${STREAMERS} streaming vs idle: ${(pct(all.echo, 95) / pct(idle.echo, 95)).toFixed(2)}× (goal ≤ 2×)`);
} finally {
  await browser.close();
  await town.cleanup();
}
