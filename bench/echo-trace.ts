// What the page's main thread ran while a typed key's echo waited to be handled, from a Chromium
// trace of few categories (no timer-install events, which inflate timer-heavy code: docs/ui.md,
// "Echo under load (session 13)"). For ui-terminals.ts, TRACE=echo.
//
// The page marks (performance.mark, category blink.user_timing) `echo-arrived` where its first
// WebSocket message listener sees the echo's frame, and `window:<label>` where each measuring window
// opens. For each echo, the main thread's tasks are read back from the task that handled it: the
// tasks that ran back to back before it (gaps under GAP_US) are the busy run it may have queued
// behind; each task is classed by what ran inside it. Pure: trace events in, lines out.
//   npx tsx bench/echo-trace.ts <echo-trace.json>   reads a saved trace (ui-terminals.ts TRACE=echo SAVE=dir)
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CDPSession } from 'playwright-core';
import { collectTrace } from './page-profile.ts';

/** Categories: top-level tasks (with where they were posted from), the timeline's events that say
 *  what a task was (frames, timer callbacks, event dispatch), user timing marks, the scheduler. */
export const ECHO_TRACE_CATEGORIES = 'toplevel,devtools.timeline,blink.user_timing,scheduler';

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; src_func?: string; src_file?: string; data?: { type?: string; functionName?: string; url?: string } };
}

/** Two tasks closer than this are one busy run of the main thread. */
const GAP_US = 1000;
/** How far back from an echo's task a busy run is followed at most. */
const LOOKBACK_US = 200_000;

const FRAME_EVENTS = new Set(['BeginMainThreadFrame', 'FireAnimationFrame', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'UpdateLayer', 'ScheduleStyleRecalculation']);

export async function startEchoTrace(cdp: CDPSession): Promise<void> {
  await cdp.send('Tracing.start', { categories: ECHO_TRACE_CATEGORIES, transferMode: 'ReportEvents' });
}

export function stopEchoTrace(cdp: CDPSession): Promise<TraceEvent[]> {
  return collectTrace<TraceEvent>(cdp);
}

interface Task {
  ts: number;
  end: number;
  kind: string;
}

/** The tasks printed before each window's slowest echo. */
const LAST_TASKS = 12;

/** What a task was, by the events inside it: a frame, a timer's callback, a dispatched event, or where it was posted from. */
function classify(task: TraceEvent, inside: TraceEvent[]): string {
  if (inside.some((e) => FRAME_EVENTS.has(e.name))) return 'frame (rAF, style, layout, paint)';
  const timer = inside.find((e) => e.name === 'TimerFire');
  if (timer) {
    const fn = inside.find((e) => e.name === 'FunctionCall')?.args?.data?.functionName;
    return `timer ${fn || '(anonymous)'}`;
  }
  const dispatch = inside.find((e) => e.name === 'EventDispatch');
  if (dispatch) return `event ${dispatch.args?.data?.type ?? '?'}`;
  const fn = inside.find((e) => e.name === 'FunctionCall')?.args?.data?.functionName;
  if (fn !== undefined) return `script ${fn || '(anonymous)'}`;
  return `task ${task.args?.src_func ?? task.name}`;
}

/** Lines describing, per window, the busy run of the main thread before each echo was handled. */
export function echoWaits(events: TraceEvent[]): string[] {
  const marks = events.filter((e) => e.cat?.includes('blink.user_timing') && (e.name === 'echo-arrived' || e.name.startsWith('window:')));
  if (!marks.length) return ['echo trace: no marks (was the page traced?)'];
  const pid = marks[0].pid;
  const main = events.find((e) => e.pid === pid && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return ['echo trace: no renderer main thread'];
  const onMain = events.filter((e) => e.pid === pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
  // Top-level tasks: the outermost events named as tasks.
  const taskNames = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);
  const tasks: Task[] = [];
  let lastEnd = -Infinity;
  let cursor = 0;
  for (const e of onMain) {
    if (!taskNames.has(e.name) || e.ts < lastEnd) continue;
    const end = e.ts + e.dur!;
    while (cursor < onMain.length && onMain[cursor].ts < e.ts) cursor++;
    const inside: TraceEvent[] = [];
    for (let i = cursor; i < onMain.length && onMain[i].ts < end; i++) if (onMain[i] !== e) inside.push(onMain[i]);
    tasks.push({ ts: e.ts, end, kind: classify(e, inside) });
    lastEnd = end;
  }
  const windows = marks.filter((m) => m.name.startsWith('window:')).sort((a, b) => a.ts - b.ts);
  const byWindow = new Map<string, Array<{ busy: number; parts: Map<string, number>; last: Task[]; at: number }>>();
  for (const mark of marks.filter((m) => m.name === 'echo-arrived')) {
    const label = [...windows].reverse().find((w) => w.ts <= mark.ts)?.name.slice('window:'.length) ?? '(before any window)';
    // The task that handled the echo, then the busy run before it.
    let i = tasks.findIndex((t) => t.ts <= mark.ts && mark.ts <= t.end);
    if (i < 0) continue;
    const handled = tasks[i];
    const parts = new Map<string, number>();
    let start = handled.ts;
    while (i > 0 && start - tasks[i - 1].end < GAP_US && handled.ts - tasks[i - 1].ts < LOOKBACK_US) {
      i--;
      parts.set(tasks[i].kind, (parts.get(tasks[i].kind) ?? 0) + (tasks[i].end - tasks[i].ts));
      start = tasks[i].ts;
    }
    const list = byWindow.get(label) ?? [];
    const last = tasks.slice(Math.max(0, tasks.indexOf(handled) - LAST_TASKS), tasks.indexOf(handled));
    list.push({ busy: handled.ts - start, parts, last, at: handled.ts });
    byWindow.set(label, list);
  }
  const lines: string[] = [];
  const pct = (xs: number[], p: number): number => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
  for (const [label, list] of byWindow) {
    const busy = list.map((x) => x.busy / 1000);
    lines.push(`echo trace, ${label}: ${list.length} echoes; main thread busy right before the echo's task p50 ${pct(busy, 50).toFixed(1)} p90 ${pct(busy, 90).toFixed(1)} p95 ${pct(busy, 95).toFixed(1)} max ${Math.max(...busy).toFixed(1)} ms`);
    // What the longest tenth of the busy runs were made of.
    const slow = [...list].sort((a, b) => b.busy - a.busy).slice(0, Math.max(1, Math.ceil(list.length / 10)));
    const total = new Map<string, number>();
    for (const x of slow) for (const [k, us] of x.parts) total.set(k, (total.get(k) ?? 0) + us);
    const sum = [...total.values()].reduce((a, b) => a + b, 0);
    const top = [...total].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, us]) => `${k} ${(us / 1000).toFixed(0)} ms (${((100 * us) / sum).toFixed(0)}%)`);
    lines.push(`  the longest ${slow.length} busy runs: ${top.join(' · ')}`);
    // The last tasks before that echo (ms before it, how long, what): whether the thread
    // was still handling WebSocket messages right before it, or held by something else.
    lines.push(`  the ${LAST_TASKS} tasks before the echo after the longest: ${slow[0].last.map((t) => `${((t.ts - slow[0].at) / 1000).toFixed(1)}: ${t.kind} ${((t.end - t.ts) / 1000).toFixed(1)}`).join(' · ')}`);
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const saved = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { traceEvents: TraceEvent[] };
  for (const line of echoWaits(saved.traceEvents)) console.log(line);
}
