// Where a page's time goes, for the UI benches: a devtools timeline trace (renderer main-thread time
// by event name) and a CPU profile (self time by function), both through a CDP session.
//   const cdp = await page.context().newCDPSession(page); await startTrace(cdp); …; await printTrace(cdp);
//   await startProfile(cdp); …; printProfile(await stopProfile(cdp));
import { writeFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tid: number; pid: number; args?: { name?: string; data?: { functionName?: string; url?: string } } }
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
export interface CpuProfile { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }

export async function startTrace(cdp: CDPSession): Promise<void> {
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
}

/** Ends a trace started with `Tracing.start` (transferMode ReportEvents) and returns its events. */
export async function collectTrace<T = TraceEvent>(cdp: CDPSession): Promise<T[]> {
  const events: T[] = [];
  // CDP events by name (playwright's types list only its own events).
  const session = cdp as unknown as { on(name: string, fn: (e: never) => void): void; once(name: string, fn: () => void): void };
  session.on('Tracing.dataCollected', (e: { value: T[] }) => events.push(...e.value));
  const done = new Promise<void>((r) => session.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.end');
  await done;
  return events;
}

/** Ends the trace; prints inclusive time by event name for the renderer's main thread and its compositor and raster threads. */
export async function printTrace(cdp: CDPSession, top = 20, saveTo?: string): Promise<void> {
  const events = await collectTrace(cdp);
  if (saveTo) writeFileSync(saveTo, JSON.stringify({ traceEvents: events }));
  const threads = events.filter((e) => e.name === 'thread_name' && /CrRendererMain|Compositor|Raster|TileWorker|VizCompositor/i.test(e.args?.name ?? ''));
  for (const thread of threads) {
    const byName = new Map<string, { us: number; count: number }>();
    for (const e of events) {
      if (e.pid !== thread.pid || e.tid !== thread.tid || e.ph !== 'X' || !e.dur) continue;
      const n = byName.get(e.name) ?? { us: 0, count: 0 };
      n.us += e.dur;
      n.count++;
      byName.set(e.name, n);
    }
    if (!byName.size) continue;
    console.log(`trace: ${thread.args?.name} (pid ${thread.pid}), inclusive time by event (nested events overlap), and how many:`);
    for (const [name, n] of [...byName].sort((a, b) => b[1].us - a[1].us).slice(0, top)) console.log(`  ${(n.us / 1e3).toFixed(0).padStart(7)} ms ${String(n.count).padStart(7)}×  ${name}`);
    if (/CrRendererMain/.test(thread.args?.name ?? '')) printLongTasks(events.filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X' && e.dur));
  }
}

/** The main thread's tasks by length, and what the longest spent their time on. */
function printLongTasks(events: TraceEvent[], top = 8): void {
  const tasks = events.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur! - a.dur!);
  const over = (ms: number): number => tasks.filter((t) => t.dur! > ms * 1000).length;
  console.log(`  tasks: ${tasks.length}, over 16 ms ${over(16)}, over 33 ms ${over(33)}, over 50 ms ${over(50)}`);
  for (const task of tasks.slice(0, top)) {
    const inside = events.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur! <= task.ts + task.dur!);
    const byName = new Map<string, number>();
    for (const e of inside) {
      const label = e.name === 'FunctionCall' && e.args?.data?.functionName ? `FunctionCall ${e.args.data.functionName}` : e.name;
      byName.set(label, (byName.get(label) ?? 0) + e.dur!);
    }
    const parts = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, us]) => `${n} ${(us / 1e3).toFixed(0)}`).join(', ');
    console.log(`  ${(task.dur! / 1e3).toFixed(0).padStart(5)} ms task: ${parts}`);
  }
}

export async function startProfile(cdp: CDPSession): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
}

export async function stopProfile(cdp: CDPSession): Promise<CpuProfile> {
  return (await cdp.send('Profiler.stop')).profile as CpuProfile;
}

/** Self time by function, the top `top`. */
export function printProfile(profile: CpuProfile, top = 25): void {
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i] ?? 0));
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0;
    total += us;
    const file = n.callFrame.url.split('/').pop() ?? '';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  console.log(`profile: ${(total / 1e6).toFixed(1)} s sampled; self time by function:`);
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(us / 1e3).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
}
