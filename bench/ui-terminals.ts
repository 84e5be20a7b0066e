// The terminal grid under load, in Chromium against `gt serve` with script agents:
//   16 terminals each streaming ~50 KB/s, against 1 streaming terminal in the same run:
//   renderer JS heap (after GC) and main-thread long tasks (> 50 ms) per minute;
//   typing echo n / p50 / p90 / p95 / p99 in a 17th terminal against the same terminal with nothing
//   else streaming, with 16 streaming in windows: while the streaming terminals' 5,000-line
//   scrollbacks fill (from the go: 15 terminals start printing together), the steady state (after
//   every streaming terminal on screen has a full scrollback: xterm's buffer length = scrollback +
//   rows, read from the page before each key), and REFILLS times (default 3) while their cleared
//   buffers fill again (xterm's clear(): filling without the go's start). Ratios against idle are printed.
//   npx tsx bench/ui-terminals.ts [seconds=60] [echoSamples=120]    (env STREAMERS=n, KBPS=50, MAXIMIZE=1, REFILLS=3)
//   Idle and with 1 streaming: echoSamples keys, then (1 streaming) the rest of the phase's seconds.
//   With 16 streaming: keys typed from the go until `seconds` have passed and at least echoSamples
//   were typed in the steady state (at most 2.5 × seconds: past that the steady state is reported as
//   not reached). Every key's sample goes to the window it was typed in.
//   Printed per window: the echo's percentiles and p95 ratio against idle, by 2-second slices, long
//   tasks per minute, the long animation frames that held them (their rendering and scripts), CPU by
//   process of this bench's tree, how many background terminals the page wrote per animation frame,
//   terminal bytes delivered to the page; per phase: CPU by process, the page's WebSocket traffic,
//   heap; and the raw echo samples (and when each key was typed), to pool runs:
//   npx tsx bench/ui-terminals.ts pool run1.log run2.log …   pools the samples printed in saved runs.
//   TRACE=1 / PROFILE=1: a devtools trace / CPU profile of the 16-terminal phase (page-profile.ts);
//   SAVE=dir also writes them there (trace.json, profile.cpuprofile: open them in devtools). The
//   trace records every setTimeout and clearTimeout, so it inflates timer-heavy code (xterm's
//   per-line scrollbar sync while a scrollback fills) far more than the rest: compare CPU untraced.
//   PROBE=1: the page's main-thread queueing delay per window (a MessageChannel message every 20 ms).
//   TRACE=echo: a trace of few categories (echo-trace.ts) of the 16-terminal phase, and per window
//   how long the page's main thread was busy right before each echo's message was handled, and with what.
//   See docs/ui.md, "Echo under load (session 11)", "(session 12): the steady state", "(session 13)" and "(session 15)".
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Bead } from '../preload/types.ts';
import { fixtureRepo } from '../test/integration/town-fixture.ts';
import { cpuByRole, printCpu } from './process-cpu.ts';
import { printProfile, printTrace, startProfile, startTrace, stopProfile } from './page-profile.ts';
import { echoWaits, startEchoTrace, stopEchoTrace } from './echo-trace.ts';
import { fromStore, launchChromium, startUiTown, waitFor, waitForReady } from '../test/e2e/ui-page.ts';

/** The sample at percentile p (the one at index ⌊p/100 · n⌋ of the sorted samples; NaN for none). */
const pct = (xs: number[], p: number): number => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
const IDLE_LABEL = 'nothing streaming';
const percentiles = (xs: number[]): string => `n=${xs.length} p50 ${pct(xs, 50).toFixed(1)} p90 ${pct(xs, 90).toFixed(1)} p95 ${pct(xs, 95).toFixed(1)} p99 ${pct(xs, 99).toFixed(1)} ms`;

if (process.argv[2] === 'pool') {
  // The raw samples of saved runs ("echo samples LABEL: [...]" lines), pooled by label.
  const byLabel = new Map<string, number[]>();
  for (const file of process.argv.slice(3)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^echo samples (.+?): (\[[^\]]*\])/gm)) {
      byLabel.set(m[1], [...(byLabel.get(m[1]) ?? []), ...(JSON.parse(m[2]) as number[])]);
    }
  }
  const idle = byLabel.get(IDLE_LABEL) ?? [];
  console.log(`pooled from ${process.argv.length - 3} runs:`);
  for (const [label, xs] of byLabel) {
    const ratio = idle.length && xs.length ? ` · p95 ${(pct(xs, 95) / pct(idle, 95)).toFixed(2)}× idle` : '';
    console.log(`  ${label.padEnd(38)} ${percentiles(xs)}${ratio}`);
  }
  process.exit(0);
}

const SECONDS = Number(process.argv[2] ?? 60);
const ECHO_SAMPLES = Number(process.argv[3] ?? 120);
const STREAMERS = Number(process.env.STREAMERS ?? 16);
/** KB/s each streaming terminal writes. */
const KBPS = Number(process.env.KBPS ?? 50);
/** MAXIMIZE=1: the echo terminal maximized, so the streaming ones are off screen (they skip rendering). */
const MAXIMIZE = process.env.MAXIMIZE === '1';
/** PROFILE=1: a CPU profile of the page while all stream, summed by function (self time), top 25. */
const PROFILE = process.env.PROFILE === '1';
/** TRACE=1: a devtools timeline trace of the page while all stream: main-thread time by event name. */
const TRACE = process.env.TRACE === '1';
/** TRACE=echo: what the page's main thread ran right before each echo was handled (echo-trace.ts). */
const TRACE_ECHO = process.env.TRACE === 'echo';
/** SAVE=dir: also writes the trace (trace.json, loadable in devtools) and the CPU profile (profile.cpuprofile) there. */
const SAVE = process.env.SAVE;
/** Keys typed on one line before it is cleared (Ctrl-U), so the typed line never wraps off the screen. */
const KEYS_PER_LINE = 20;
/** REFILLS=n (default 3): after the steady state, n more windows while the streaming terminals' cleared buffers fill again (see below). */
const REFILLS = Number(process.env.REFILLS ?? 3);
/** PROBE=1: the page's main-thread queueing delay per window (see below). */
const PROBE = process.env.PROBE === '1';

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
  // this 2-core machine more than the page under test). Each writer is started with its agent and
  // waits for its go-file itself, looking every 200 ms (so the streams start up to 200 ms apart, as
  // with the shell loop before): until session 13 the shell looked and started node at the go, and
  // the 15 node start-ups (24% of a core in the ~6 s filling window, 5% after it) fell in the window
  // the bench measures (docs/ui.md, "Echo under load (session 13)").
  const writer = (go: string): string => `const fs=require('fs');let n=0;const nl=String.fromCharCode(10);const write=()=>{const t=setInterval(()=>{let s='';for(let i=0;i<${KBPS};i++)s+=(n+' '+Math.random().toString(36).repeat(10)).slice(0,99)+nl;process.stdout.write(s);if(++n>=${SECONDS * 30})clearInterval(t)},100)};const wait=()=>fs.existsSync('${goDir}/${go}')?write():setTimeout(wait,200);wait()`;
  const stream = (go: string): string => `run ${process.execPath} -e "${writer(go)}"`;
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
          if (id !== window.__echoId) return;
          marks.arrived.push(performance.now());
          if (${TRACE_ECHO}) performance.mark('echo-arrived');
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
  const streamTerminals: string[] = [];
  for (const b of beads) streamTerminals.push(await terminalOf(b.id));
  await waitFor('the echo agent asking', () => page.evaluate(`window.gastownDebug.terminals.screenText(${JSON.stringify(echoTerminal)}).includes('ready to type')`), 120_000, 200);
  if (MAXIMIZE) await page.locator(`[data-terminal="${echoTerminal}"] [data-testid="maximize"]`).click();
  // Long tasks with their start (page time), so they can be split by window.
  await page.evaluate(`(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: false });
    // Long animation frames (> 50 ms, Chromium 123+), for what a long task was: its scripts by
    // invoker and the frame's rendering (style and layout, then paint and the rest).
    window.__loafs = [];
    try {
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) {
          const end = e.startTime + e.duration;
          window.__loafs.push({
            start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
            styleLayout: e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0,
            render: e.renderStart ? end - e.renderStart : 0,
            scripts: e.scripts.map((s) => [s.invoker || s.invokerType, s.duration, s.forcedStyleAndLayoutDuration]),
          });
        }
      }).observe({ type: 'long-animation-frame', buffered: false });
    } catch { /* no LoAF in this browser */ }
  })()`);
  // Which terminals the page's pacer wrote to xterm, by animation frame: [frame number, page time,
  // terminal id], for how many background terminals a frame carries (the registry's private write,
  // which its PaintPacer calls through; the bundle keeps the name).
  await page.evaluate(`(() => {
    const registry = window.gastownDebug.terminals;
    if (typeof registry.write !== 'function') throw new Error('TerminalRegistry has no write method any more: update the bench');
    // A frame is counted when a write asks for one (xterm asks for it anyway to draw what was
    // written): a frame loop of the bench's own would make frames on an idle page.
    window.__frame = 0;
    let asked = false;
    window.__writes = [];
    const write = registry.write;
    registry.write = function (id, data) {
      window.__writes.push([window.__frame, performance.now(), id]);
      if (!asked) { asked = true; requestAnimationFrame(() => { asked = false; window.__frame++; }); }
      return write.call(this, id, data);
    };
  })()`);
  // PROBE=1: how long a task waits for the page's main thread: a message posted to a MessageChannel
  // every 20 ms, timed until its handler runs ([page time, wait ms]); the echo's WebSocket message
  // queues the same way. It adds 50 small tasks a second.
  if (PROBE) {
    await page.evaluate(`(() => {
      window.__probe = [];
      const channel = new MessageChannel();
      let posted = 0;
      channel.port1.onmessage = () => { const now = performance.now(); window.__probe.push([posted, now - posted]); setTimeout(post, 20); };
      const post = () => { posted = performance.now(); channel.port2.postMessage(0); };
      post();
    })()`);
  }
  const cdp = await context.newCDPSession(page);
  const heapMb = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize / 1024 / 1024;
  };
  /** [start (page ms), duration ms] of every long task reported so far (the observer reports a
   *  task after it ran: windows take theirs by start time once their phase has ended). */
  const allTasks: Array<[number, number]> = [];
  type Loaf = { start: number; duration: number; blocking: number; styleLayout: number; render: number; scripts: Array<[string, number, number]> };
  const allLoafs: Loaf[] = [];
  const allWrites: Array<[number, number, string]> = [];
  const allProbes: Array<[number, number]> = [];
  const collectTasks = async (): Promise<void> => {
    allTasks.push(...await page.evaluate('window.__longTasks.splice(0)') as Array<[number, number]>);
    allWrites.push(...await page.evaluate('window.__writes.splice(0)') as Array<[number, number, string]>);
    if (PROBE) allProbes.push(...await page.evaluate('window.__probe.splice(0)') as Array<[number, number]>);
    allLoafs.push(...await page.evaluate('window.__loafs.splice(0)') as Loaf[]);
  };
  /** A long animation frame in a line: when (s after `from`), how long, its rendering, its longest scripts. */
  const loafLine = (f: Loaf, from: number): string => {
    const scripts = [...f.scripts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([who, ms, forced]) => `${who} ${ms.toFixed(0)}${forced >= 1 ? ` (forced layout ${forced.toFixed(0)})` : ''}`);
    return `at ${((f.start - from) / 1000).toFixed(2)} s ${f.duration.toFixed(0)} ms (blocking ${f.blocking.toFixed(0)}): render ${f.render.toFixed(0)} (style+layout ${f.styleLayout.toFixed(0)}), scripts ${f.scripts.reduce((t, x) => t + x[1], 0).toFixed(0)}${scripts.length ? `: ${scripts.join(', ')}` : ''}`;
  };
  const tasksIn = (from: number, to: number): Array<[number, number]> => allTasks.filter(([start]) => start >= from && start < to);
  const pageNow = async (): Promise<number> => page.evaluate('performance.now()') as Promise<number>;
  const wsBytes = async (): Promise<number> => page.evaluate('window.__wsCounts.binaryBytes') as Promise<number>;
  const wsCounts = async (): Promise<Record<string, number>> => page.evaluate('({ ...window.__wsCounts })') as Promise<Record<string, number>>;

  /** Each streaming terminal's xterm buffer: lines held, and its limit (scrollback + rows: the
   *  buffer is full and every new line drops the oldest). Read from the registry's entries, a private
   *  field of TerminalRegistry that the bundle keeps (esbuild does not rename properties). */
  type Fill = { length: number; limit: number; visible: boolean };
  const fills = async (): Promise<Fill[]> => page.evaluate(`(() => {
    const entries = window.gastownDebug.terminals.entries;
    if (!(entries instanceof Map)) throw new Error('TerminalRegistry has no entries map any more: update the bench');
    return ${JSON.stringify(streamTerminals)}.map((id) => {
      const e = entries.get(id);
      if (!e) return { length: 0, limit: 1, visible: false };
      return { length: e.term.buffer.active.length, limit: e.term.options.scrollback + e.term.rows, visible: e.visible };
    });
  })()`) as Promise<Fill[]>;
  /** Full: every streaming terminal on screen (off screen they draw nothing) holds scrollback + rows lines. */
  const allFull = (fs: Fill[]): boolean => fs.every((f) => !f.visible || f.length >= f.limit);

  // Echo: a key typed into the echo terminal until xterm shows it (the tty echoes at the prompt):
  // the screen's non-blank characters grow by one.
  /** Where each echo's time went: key press → keys sent by the page, sent → the echo's frame
   *  arrived, arrived → seen on xterm's screen. */
  type Parts = { toSend: number; toArrive: number; toSeen: number };
  /** `at`: when the key was typed (Date.now()). */
  type Sample = { ms: number; part: Parts | null; at: number };
  const echoId = JSON.stringify(echoTerminal);
  const screenLength = async (): Promise<number> => page.evaluate(`window.gastownDebug.terminals.screenText(${echoId}).replace(/\\s+/g, '').length`) as Promise<number>;
  let promptLength = 0;
  let keysOnLine = 0;
  const startTyping = async (p: Page): Promise<void> => {
    await p.locator(`[data-terminal="${echoTerminal}"] .xterm`).click();
    await p.evaluate(`window.__echoId = ${echoId}`);
    promptLength = await screenLength();
    keysOnLine = 0;
  };
  /** Ctrl-U (the tty erases the typed line), and waits until the erase is on screen; not timed. */
  const clearLine = async (p: Page): Promise<void> => {
    await p.keyboard.press('Control+u');
    await waitFor('the typed line erased', async () => (await screenLength()) <= promptLength, 10_000, 20)
      .catch(() => console.log('the typed line was not seen erased in 10 s; going on'));
    keysOnLine = 0;
  };
  /** One key: its echo time and where it went; null if not seen in 5 s. */
  const echoOnce = async (p: Page, i: number): Promise<Sample | null> => {
    if (keysOnLine >= KEYS_PER_LINE) await clearLine(p);
    const at = Date.now();
    keysOnLine++;
    const ch = 'abcdefghij'[i % 10];
    await p.evaluate(`(() => {
      const id = ${echoId};
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
    await p.keyboard.press(ch);
    await p.evaluate('window.__echoStart()');
    const ms = await p.evaluate('window.__echo') as number;
    if (ms < 0) {
      const text = await p.evaluate(`window.gastownDebug.terminals.screenText(${echoId})`) as string;
      console.log(`echo sample ${i}: not seen in 5 s; the terminal's last lines:\n${text.split('\n').filter(Boolean).slice(-3).join('\n')}`);
      return null;
    }
    const part = await p.evaluate(`(() => {
      const m = window.__echoMarks;
      const sent = m.sent.find((t) => t >= window.__echoT0);
      const arrived = sent === undefined ? undefined : m.arrived.find((t) => t >= sent);
      if (sent === undefined || arrived === undefined) return null;
      return { toSend: sent - window.__echoT0, toArrive: arrived - sent, toSeen: window.__echoSeen - arrived };
    })()`) as Parts | null;
    await new Promise((r) => setTimeout(r, 50));
    return { ms, part, at };
  };

  /** A window's figures: its samples, and what the page and the renderer did meanwhile. */
  interface Window {
    label: string;
    samples: Sample[];
    /** Page times (ms) of its start and end. */
    from: number;
    /** Date.now() at its start. */
    startedAt: number;
    to: number;
    renderer: number;
    /** CPU seconds by process role of this bench's tree in the window. */
    cpu: Map<string, number>;
    bytes: number;
  }
  const windows: Window[] = [];
  const echoOf = (w: Window): number[] => w.samples.map((s) => s.ms);
  const idleP95 = (): number => pct(echoOf(windows[0]), 95);
  const printWindow = (w: Window): void => {
    const seconds = (w.to - w.from) / 1000;
    const xs = echoOf(w);
    const tasks = tasksIn(w.from, w.to);
    const parts = w.samples.flatMap((s) => (s.part ? [s.part] : []));
    const split = (k: keyof Parts): string => `${pct(parts.map((p) => p[k]), 50).toFixed(1)} / ${pct(parts.map((p) => p[k]), 95).toFixed(1)}`;
    if (parts.length) console.log(`echo parts p50 / p95 (${parts.length} samples): key → sent ${split('toSend')} ms · sent → echo arrived ${split('toArrive')} ms · arrived → on screen ${split('toSeen')} ms`);
    // The raw samples, so runs can be pooled (`pool` above; a p95 of 40 samples is their second largest).
    console.log(`echo samples ${w.label}: ${JSON.stringify(xs.map((x) => Math.round(x * 10) / 10))}; long tasks ${JSON.stringify(tasks.map(([, d]) => Math.round(d)))}`);
    // When each key was typed (s after the window's start; in the 16-terminal phase, after the go), in the samples' order.
    const since = (x: Sample): number => x.at - w.startedAt;
    if (w.label.includes(',')) console.log(`echo times ${w.label}: ${JSON.stringify(w.samples.map((x) => Math.round(since(x) / 100) / 10))}; long tasks at ${JSON.stringify(tasks.map(([t]) => Math.round((t - w.from) / 100) / 10))} s`);
    // Echo p95 by 2-second slices of the window (the start of a window can differ from its end).
    const slices: string[] = [];
    for (let t = 0; t * 1000 < seconds * 1000 && t < 12; t += 2) {
      const ys = w.samples.filter((x) => since(x) >= t * 1000 && since(x) < (t + 2) * 1000).map((x) => x.ms);
      if (ys.length) slices.push(`${t}–${t + 2} s: n=${ys.length} p50 ${pct(ys, 50).toFixed(0)} p95 ${pct(ys, 95).toFixed(0)}`);
    }
    if (slices.length > 1 && w.label.includes(',')) console.log(`echo by time in ${w.label}: ${slices.join(' · ')}`);
    const cpuLine = [...w.cpu].filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]).map(([role, v]) => `${role} ${((100 * v) / seconds).toFixed(0)}%`).join(', ');
    console.log(`cpu in ${w.label} (100% = one core): ${cpuLine}`);
    // Background terminals written per animation frame (frames that wrote any): aligned releases make frames that draw many.
    const perFrame = new Map<number, Set<string>>();
    for (const [frame, t, id] of allWrites) {
      if (t < w.from || t >= w.to || id === echoTerminal) continue;
      perFrame.set(frame, (perFrame.get(frame) ?? new Set()).add(id));
    }
    const counts = [...perFrame.values()].map((x) => x.size);
    if (counts.length) console.log(`background terminals written per frame in ${w.label}: ${counts.length} frames (${(counts.length / seconds).toFixed(1)}/s), p50 ${pct(counts, 50)} p95 ${pct(counts, 95)} max ${Math.max(...counts)}, frames with ≥ 8: ${counts.filter((c) => c >= 8).length}`);
    const waits = allProbes.filter(([t]) => t >= w.from && t < w.to).map(([, d]) => d);
    if (waits.length) console.log(`main-thread wait (PROBE) in ${w.label}: ${percentiles(waits)}, over 16 ms ${((100 * waits.filter((d) => d > 16).length) / waits.length).toFixed(1)}%`);
    const frames = allLoafs.filter((x) => x.start >= w.from && x.start < w.to);
    const forced = frames.reduce((t, f) => t + f.scripts.reduce((u, x) => u + x[2], 0), 0);
    if (frames.length) console.log(`long animation frames (> 50 ms) in ${w.label}: ${frames.length}, ${frames.filter((f) => f.blocking > 0).length} holding a long task; forced style and layout in their scripts ${forced.toFixed(0)} ms`);
    // Only the frames that held a long task (> 50 ms): a frame can last long with its main thread idle.
    for (const f of allLoafs.filter((x) => x.start >= w.from && x.start < w.to && x.blocking > 0)) console.log(`long animation frame in ${w.label}: ${loafLine(f, w.from)}`);
    const longMax = tasks.length ? Math.max(...tasks.map(([, d]) => d)) : 0;
    console.log(`${w.label.padEnd(38)} ${seconds.toFixed(1).padStart(5)} s · echo ${percentiles(xs)} · p95 ${(pct(xs, 95) / idleP95()).toFixed(2)}× idle · long tasks ${tasks.length} = ${((60 * tasks.length) / seconds).toFixed(1)}/min (max ${longMax.toFixed(0)} ms) · renderer ${w.renderer.toFixed(1)} s = ${((100 * w.renderer) / seconds).toFixed(0)}% of a core · delivered ${(w.bytes / 1024 / seconds).toFixed(0)} KB/s`);
  };
  /** Starts a window now; end() closes it (it is printed at the end of its phase). */
  const openWindow = async (label: string): Promise<{ end: (samples: Sample[]) => Promise<Window> }> => {
    const cpu = cpuByRole();
    const startedAt = Date.now();
    if (TRACE_ECHO) await page.evaluate(`performance.mark(${JSON.stringify(`window:${label}`)})`);
    const from = await pageNow();
    const bytes0 = await wsBytes();
    return {
      end: async (samples) => {
        const byRole = cpu();
        const renderer = byRole.get('chromium renderer') ?? 0;
        const to = await pageNow();
        const bytes = (await wsBytes()) - bytes0;
        const w = { label, samples, from, startedAt, to, renderer, cpu: byRole, bytes };
        windows.push(w);
        return w;
      },
    };
  };

  /** Phase-wide figures: CPU by process, WebSocket traffic, heap, long tasks; then its windows. */
  const phase = async (label: string, body: () => Promise<void>): Promise<{ heap: number; longPerMin: number; longMax: number }> => {
    await collectTasks();
    const from = await pageNow();
    const firstWindow = windows.length;
    const cpu = cpuByRole();
    const wsBefore = await wsCounts();
    await body();
    const cpuSpent = cpu();
    const wsAfter = await wsCounts();
    const to = await pageNow();
    const seconds = (to - from) / 1000;
    const heap = await heapMb();
    await collectTasks();
    const rate = (k: string): string => ((wsAfter[k] - wsBefore[k]) / seconds).toFixed(1);
    console.log(`page WebSocket: ${rate('binaryIn')} terminal frames/s (${(((wsAfter.binaryBytes - wsBefore.binaryBytes) / seconds) / 1024).toFixed(0)} KB/s), ${rate('textIn')} JSON in/s, ${rate('textOut')} JSON out/s`);
    printCpu(cpuSpent, seconds);
    for (const w of windows.slice(firstWindow)) printWindow(w);
    const tasks = tasksIn(from, to);
    const r = { heap, longPerMin: (60 * tasks.length) / seconds, longMax: tasks.length ? Math.max(...tasks.map(([, d]) => d)) : 0 };
    console.log(`${label.padEnd(38)} heap ${heap.toFixed(1)} MB · long tasks ${r.longPerMin.toFixed(1)}/min over the phase's ${seconds.toFixed(0)} s (max ${r.longMax.toFixed(0)} ms)`);
    return r;
  };

  /** Idle and 1 streaming: ECHO_SAMPLES keys from the go, then (streaming) the rest of the phase. */
  const simplePhase = async (label: string, go: string | null): Promise<{ heap: number; longPerMin: number; longMax: number }> => phase(label, async () => {
    if (go) writeFileSync(join(goDir, go), '');
    const started = Date.now();
    const w = await openWindow(label);
    await startTyping(page);
    const samples: Sample[] = [];
    for (let i = 0; i < ECHO_SAMPLES; i++) {
      const s = await echoOnce(page, i);
      if (s) samples.push(s);
    }
    await w.end(samples);
    await clearLine(page);
    const rest = SECONDS * 1000 - (Date.now() - started);
    if (go && rest > 0) await new Promise((r) => setTimeout(r, rest));
  });

  const idle = await simplePhase(IDLE_LABEL, null);
  const one = await simplePhase('1 terminal streaming', 'one');
  // A pause between the phases (the first streamer's 'one' stream is still running: 3 × SECONDS).
  await new Promise((r) => setTimeout(r, 2000));
  if (TRACE) await startTrace(cdp);
  if (TRACE_ECHO) await startEchoTrace(cdp);
  if (PROFILE) await startProfile(cdp);
  const allLabel = `${STREAMERS} terminals streaming`;
  let fullAfter = NaN;
  const all = await phase(allLabel, async () => {
    const atStart = await fills();
    // The registry's width warm-up (width-warmup.ts, session 13), where the registry has it.
    const warm = await page.evaluate(`[...window.gastownDebug.terminals.entries.values()].map((e) => e.widths ?? 'none')`) as string[];
    console.log(`${allLabel}: character widths at the go: ${[...new Set(warm)].map((v) => `${warm.filter((x) => x === v).length} ${v}`).join(', ')}`);
    let w = await openWindow(`${allLabel}, filling`);
    writeFileSync(join(goDir, 'all'), '');
    const goAt = Date.now();
    const fullAtGo = atStart.filter((f) => f.visible && f.length >= f.limit).length;
    console.log(`${allLabel}: at the go, ${atStart.filter((f) => f.visible).length} of ${atStart.length} on screen, ${fullAtGo} already full${fullAtGo ? ' (the first streamer filled its scrollback while it streamed alone)' : ''}`);
    await startTyping(page);
    let filling: Sample[] | null = [];
    const steady: Sample[] = [];
    const fullAt = new Map<number, number>();
    for (let i = 0; ; i++) {
      const elapsed = Date.now() - goAt;
      if (filling) {
        const fs = await fills();
        fs.forEach((f, k) => { if (f.length >= f.limit && !fullAt.has(k)) fullAt.set(k, elapsed); });
        if (allFull(fs)) {
          fullAfter = elapsed / 1000;
          const limits = [...new Set(fs.map((f) => f.limit))].join(', ');
          const times = [...fullAt.values()].sort((a, b) => a - b).map((t) => (t / 1000).toFixed(1));
          if (!fs.some((f) => f.visible)) console.log(`${allLabel}: no streaming terminal on screen (off screen they draw nothing): the whole phase is steady`);
          else console.log(`${allLabel}: every streaming terminal on screen full ${fullAfter.toFixed(1)} s after the go (buffer lengths ${Math.min(...fs.map((f) => f.length))}–${Math.max(...fs.map((f) => f.length))}, limits ${limits}; each full at ${times.join(', ')} s)`);
          await w.end(filling);
          filling = null;
          w = await openWindow(`${allLabel}, steady`);
        } else if (elapsed > 2.5 * SECONDS * 1000) {
          console.log(`${allLabel}: not every scrollback full ${(elapsed / 1000).toFixed(0)} s after the go (lengths ${fs.map((f) => `${f.length}/${f.limit}${f.visible ? '' : ' off screen'}`).join(' ')}): the steady state was not reached`);
          break;
        }
      } else if (elapsed >= SECONDS * 1000 && steady.length >= ECHO_SAMPLES) break;
      else if (elapsed > 2.5 * SECONDS * 1000) break;
      const s = await echoOnce(page, i);
      if (s) (filling ?? steady).push(s);
    }
    await w.end(filling ?? steady);
    await clearLine(page);
    const fs = await fills();
    console.log(`${allLabel}: at the end, every streaming terminal on screen full: ${allFull(fs)} (lengths ${Math.min(...fs.map((f) => f.length))}–${Math.max(...fs.map((f) => f.length))})`);
    // REFILLS=n: the streaming terminals' buffers cleared (xterm's clear(), as a user's Clear does)
    // n times, each then typed into until every one is full again: the page's cost of filling a
    // scrollback (new buffer lines, a growing scrollbar) without the go's start-up (agents' writers
    // starting, streams beginning together). Each is a window "refilling"; they pool by label.
    for (let r = 0; r < REFILLS; r++) {
      await page.evaluate(`(() => {
        const entries = window.gastownDebug.terminals.entries;
        for (const id of ${JSON.stringify(streamTerminals)}) entries.get(id)?.term.clear();
      })()`);
      await new Promise((res) => setTimeout(res, 1000));
      const cleared = await fills();
      const refill = await openWindow(`${allLabel}, refilling`);
      const refillAt = Date.now();
      await startTyping(page);
      const samples: Sample[] = [];
      for (let i = 0; ; i++) {
        if (allFull(await fills())) break;
        if (Date.now() - refillAt > SECONDS * 1000) {
          console.log(`${allLabel}: refill ${r + 1} not full after ${SECONDS} s`);
          break;
        }
        const s = await echoOnce(page, i);
        if (s) samples.push(s);
      }
      await refill.end(samples);
      await clearLine(page);
      console.log(`${allLabel}: refill ${r + 1}: cleared to ${Math.min(...cleared.map((f) => f.length))}–${Math.max(...cleared.map((f) => f.length))} lines, full again ${((Date.now() - refillAt) / 1000).toFixed(1)} s later`);
    }
  });
  if (PROFILE) {
    const profile = await stopProfile(cdp);
    if (SAVE) writeFileSync(join(SAVE, 'profile.cpuprofile'), JSON.stringify(profile));
    printProfile(profile);
  }
  if (TRACE) await printTrace(cdp, 20, SAVE && join(SAVE, 'trace.json'));
  if (TRACE_ECHO) {
    const events = await stopEchoTrace(cdp);
    if (SAVE) writeFileSync(join(SAVE, 'echo-trace.json'), JSON.stringify({ traceEvents: events }));
    for (const line of echoWaits(events)) console.log(line);
  }
  const stats = await page.evaluate('window.gastownDebug.terminals.stats()') as { terminals: number; webgl: number; visible: number };
  console.log(`registry: ${stats.terminals} terminals, ${stats.visible} visible, ${stats.webgl} with WebGL`);

  console.log(`\nsummary (echo ms; long tasks > 50 ms; renderer = Chromium renderer CPU in the window, 100% = one core):`);
  console.log(`  ${'window'.padEnd(38)} ${'s'.padStart(5)} ${'n'.padStart(4)} ${'p50'.padStart(6)} ${'p90'.padStart(6)} ${'p95'.padStart(6)} ${'p99'.padStart(6)}  p95/idle  long/min  renderer`);
  for (const w of windows) {
    const xs = echoOf(w);
    const seconds = (w.to - w.from) / 1000;
    const long = tasksIn(w.from, w.to).length;
    const f = (p: number): string => pct(xs, p).toFixed(1).padStart(6);
    console.log(`  ${w.label.padEnd(38)} ${seconds.toFixed(1).padStart(5)} ${String(xs.length).padStart(4)} ${f(50)} ${f(90)} ${f(95)} ${f(99)}  ${`${(pct(xs, 95) / idleP95()).toFixed(2)}×`.padStart(8)}  ${((60 * long) / seconds).toFixed(1).padStart(8)}  ${`${((100 * w.renderer) / seconds).toFixed(0)}%`.padStart(8)}`);
  }
  console.log(`heap ${STREAMERS} vs 1: ${(all.heap / one.heap).toFixed(2)}× (${all.heap.toFixed(1)} MB; goal ≤ 250 MB; idle ${idle.heap.toFixed(1)} MB)`);
  console.log(`long tasks/min over the phase, ${STREAMERS} vs 1: ${all.longPerMin.toFixed(1)} vs ${one.longPerMin.toFixed(1)}`);
  const ratio = (label: string): string => {
    const w = windows.find((x) => x.label === label);
    return w && w.samples.length ? `${(pct(echoOf(w), 95) / idleP95()).toFixed(2)}×` : 'not measured';
  };
  console.log(`echo p95 with ${STREAMERS} streaming vs idle: while the scrollbacks fill ${ratio(`${allLabel}, filling`)} · steady state (full after ${fullAfter.toFixed(1)} s) ${ratio(`${allLabel}, steady`)} (goal ≤ 2×)`);
  const refills = windows.filter((w) => w.label === `${allLabel}, refilling`);
  if (refills.length) {
    const xs = refills.flatMap(echoOf);
    const seconds = refills.reduce((t, w) => t + (w.to - w.from) / 1000, 0);
    const tasks = refills.flatMap((w) => tasksIn(w.from, w.to).map(([, d]) => Math.round(d)));
    console.log(`refilling, ${refills.length} windows together: ${seconds.toFixed(1)} s · echo ${percentiles(xs)} · p95 ${(pct(xs, 95) / idleP95()).toFixed(2)}× idle · long tasks ${tasks.length} ${JSON.stringify(tasks)} · renderer ${((100 * refills.reduce((t, w) => t + w.renderer, 0)) / seconds).toFixed(0)}% of a core`);
  }
} finally {
  await browser.close();
  await town.cleanup();
}
