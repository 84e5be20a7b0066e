// Detection latency of each Witness case against its configured threshold: how long after the
// threshold passed the Witness acted (goal: within one patrol interval). Short thresholds, the
// scripted runtime, a real town in this process.
//   npx tsx bench/witness-latency.ts         (PATROL_MS=1000 by default)
import type { EventName, TownEvents } from '../preload/contract.ts';
import type { Bead } from '../preload/types.ts';
import type { SlingResult } from '../preload/requests/work-types.ts';
import type { SupervisionEvent } from '../preload/requests/supervision-types.ts';
import { benchTown } from './town-bench-util.ts';

const PATROL_MS = Number(process.env.PATROL_MS ?? 1000);
const T = { stalledMs: 6_000, guppMs: 10_000, idleMs: 2_000 };
const { town, rig, call, close } = await benchTown({ maxPolecats: 8, supervision: { witnessPatrolMs: PATROL_MS, deaconPatrolMs: 1000, ...T } });
const events: SupervisionEvent[] = [];
const states = new Map<string, Array<{ state: string; at: number }>>();
town.onEvent(<E extends EventName>(name: E, payload: TownEvents[E]) => {
  if (name === 'supervision') events.push(payload as SupervisionEvent);
  if (name === 'agentStatus') {
    const p = payload as TownEvents['agentStatus'];
    states.set(p.agent, [...(states.get(p.agent) ?? []), { state: p.state, at: p.at }]);
  }
});
const wait = async <X>(what: string, f: () => X | undefined, ms = 120_000): Promise<X> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
async function sling(lines: string[]): Promise<{ bead: Bead; agent: string }> {
  const bead = await call<Bead>('beadCreate', { title: lines[0], prefix: rig.prefix, description: ['```gt-script', ...lines, '```'].join('\n') });
  const r = await call<SlingResult>('sling', { bead: bead.id, target: rig.name });
  return { bead, agent: r.agent! };
}
const cases = [
  { name: 'stalled (hang)', lines: ['hang'], kind: 'stalled-nudge', threshold: T.stalledMs, from: 'output' },
  { name: 'GUPP violation (busy, bead unchanged)', lines: ['run while true; do echo tick; sleep 0.5; done'], kind: 'gupp-nudge', threshold: T.guppMs, from: 'start' },
  { name: 'idle with work hooked', lines: ['idle', 'write x.txt x\\n'], kind: 'idle-nudge', threshold: T.idleMs, from: 'idle' },
  { name: 'waiting for input', lines: ['ask proceed?'], kind: 'waiting', threshold: 0, from: 'waiting' },
] as const;
const slung = await Promise.all(cases.map((c) => sling([...c.lines])));
console.log(`witness patrol ${PATROL_MS} ms; thresholds stalled ${T.stalledMs} ms, GUPP ${T.guppMs} ms, idle ${T.idleMs} ms`);
for (const [i, c] of cases.entries()) {
  const { bead, agent } = slung[i];
  const ev = await wait(c.name, () => events.find((e) => e.bead === bead.id && e.kind === c.kind));
  const session = town.work.sessions.get(agent);
  const history = states.get(agent) ?? [];
  const before = history.filter((h) => h.at <= ev.at);
  let since: number;
  if (c.from === 'start') since = Date.parse(session?.startedAt ?? '') || ev.at;
  else if (c.from === 'output') since = before.filter((h) => h.state === 'working').at(-1)?.at ?? (Date.parse(session?.startedAt ?? '') || ev.at);
  else since = before.filter((h) => h.state === (c.from === 'idle' ? 'idle' : 'waiting-for-input')).at(-1)?.at ?? ev.at;
  const late = ev.at - since - c.threshold;
  console.log(`${c.name.padEnd(38)} acted ${late} ms after its threshold (${late <= PATROL_MS ? 'within' : 'beyond'} one patrol interval)`);
}
await close();
