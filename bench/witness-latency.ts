// Detection latency of each Witness case against its configured threshold: how long after the
// threshold passed the Witness acted (goal: within one patrol interval). Short thresholds, the
// scripted runtime, a real town in this process.
//   npx tsx bench/witness-latency.ts         (PATROL_MS=1000 by default)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:net';
import type { EventName, TownEvents } from '../preload/contract.ts';
import type { Bead } from '../preload/types.ts';
import type { RigInfo, SlingResult } from '../preload/requests/work-types.ts';
import type { SupervisionEvent } from '../preload/requests/supervision-types.ts';
import { initTown, Town } from '../main/town/town.ts';
import { readSecrets } from '../main/town/config.ts';
import { listenOnSocket } from '../main/api/socket-server.ts';
import { OVERSEER } from './town-bench-util.ts';

const PATROL_MS = Number(process.env.PATROL_MS ?? 1000);
const T = { stalledMs: 6_000, guppMs: 10_000, idleMs: 2_000 };
const base = mkdtempSync(join(tmpdir(), 'gt-bench-witness-'));
const dir = join(base, 'town');
initTown(dir);
mkdirSync(join(dir, 'settings'), { recursive: true });
writeFileSync(join(dir, 'settings', 'supervision.json'), JSON.stringify({ witnessPatrolMs: PATROL_MS, deaconPatrolMs: 1000, ...T }));
writeFileSync(join(dir, 'settings', 'work.json'), JSON.stringify({ tickMs: 1000 }));
const repo = join(base, 'src');
mkdirSync(repo);
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main'], { env });
writeFileSync(join(repo, 'README.md'), '# bench\n');
execFileSync('git', ['-C', repo, 'add', '-A'], { env });
execFileSync('git', ['-C', repo, 'commit', '-q', '-m', 'init'], { env });
const town = await Town.start({ dir });
const server: Server = await listenOnSocket(town, town.paths.socket, readSecrets(town.paths).apiToken);
const call = <R>(name: string, args: unknown) => town.call(name, args, OVERSEER) as Promise<R>;
const events: SupervisionEvent[] = [];
const states = new Map<string, Array<{ state: string; at: number }>>();
town.onEvent(<E extends EventName>(name: E, payload: TownEvents[E]) => {
  if (name === 'supervision') events.push(payload as SupervisionEvent);
  if (name === 'agentStatus') {
    const p = payload as TownEvents['agentStatus'];
    states.set(p.agent, [...(states.get(p.agent) ?? []), { state: p.state, at: p.at }]);
  }
});
await call<RigInfo>('rigAdd', { name: 'lat', source: repo, prefix: 'la', runtime: 'script', maxPolecats: 8 });
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
  const bead = await call<Bead>('beadCreate', { title: lines[0], prefix: 'la', description: ['```gt-script', ...lines, '```'].join('\n') });
  const r = await call<SlingResult>('sling', { bead: bead.id, target: 'lat' });
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
await new Promise<void>((r) => server.close(() => r()));
await town.stop();
rmSync(base, { recursive: true, force: true });
