// Dolt commits, SQL statements, feed polls and the ledger's growth on disk per bead, counted exactly:
// BEADS script beads (1 s each) worked by AGENTS polecats through the whole loop (sling, session,
// `gt done`, the Refinery's merge, convoy landing), from the convoy's creation to its landing. Unlike the swarm's per-bead
// figures (a time window, beads in flight at its end), nothing is left half done, so the counts
// do not depend on the machine's load: use it to compare two versions of the town.
// PREFILL=N first adds N closed beads (the ledger of a town that has worked a while): the per-bead
// figures against a run without it show what grows with the ledger's size.
//   npx tsx bench/town-commits-per-bead.ts        (BEADS=8 AGENTS=2 PREFILL=0 by default)
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { ConvoyStatus } from '../preload/requests/work-types.ts';
import { benchTown, cpuSeconds, scriptDescription } from './town-bench-util.ts';
import { traceBeads } from './bead-timeline.ts';

const BEADS = Number(process.env.BEADS ?? 8);
const AGENTS = Number(process.env.AGENTS ?? 2);
const PREFILL = Number(process.env.PREFILL ?? 0);
const b = await benchTown({ maxPolecats: AGENTS, settings: { tickMs: 1000 } });
const timeline = traceBeads(b);
let polls = 0;
const feed = b.town.feed as unknown as { poll(): Promise<void> };
const poll = feed.poll.bind(feed);
feed.poll = () => { polls++; return poll(); };
const one = async <T>(sql: string, params: unknown[] = []) => ((await b.town.ledger.pool.query(sql, params))[0] as T[])[0];
// Statements by shape (the first words of the SQL, literals cut), from the ledger's and the feed's pools.
// With each shape, the wall time its statements took (asked → answered, Dolt's work and the round trip).
const shapes = new Map<string, { n: number; ms: number }>();
function count(sql: unknown, where: string): () => void {
  const shape = `${where} ${String(sql).replace(/\s+/g, ' ').replace(/'[^']*'/g, '?').slice(0, 70)}`;
  const entry = shapes.get(shape) ?? { n: 0, ms: 0 };
  shapes.set(shape, entry);
  entry.n++;
  const t0 = performance.now();
  return () => { entry.ms += performance.now() - t0; };
}
type Queryable = { query(...a: unknown[]): unknown; execute?(...a: unknown[]): unknown; getConnection?(): Promise<Queryable> };
function watch(pool: Queryable, where: string): void {
  for (const m of ['query', 'execute'] as const) {
    const f = pool[m]?.bind(pool);
    if (f) {
      pool[m] = (...a: unknown[]) => {
        // A write's round trip may carry several statements (write-tx.ts): each is counted, and the
        // trip's time goes to the last one, the statement whose answer was awaited.
        const statements = String(typeof a[0] === 'object' ? (a[0] as { sql: string }).sql : a[0]).split(';\n');
        for (const held of statements.slice(0, -1)) count(held, where)();
        const end = count(statements[statements.length - 1], where);
        const answer = f(...a);
        if (answer instanceof Promise) answer.then(end, end);
        return answer;
      };
    }
  }
  const get = pool.getConnection?.bind(pool);
  if (get) pool.getConnection = async () => { const c = await get(); if (!(c as { watched?: boolean }).watched) { watch(c, `${where}/tx`); (c as { watched?: boolean }).watched = true; } return c; };
}
watch(b.town.ledger.pool as unknown as Queryable, 'ledger');
// (An older town in an A/B run writes on its one pool.)
const writePool = (b.town.ledger as Partial<typeof b.town.ledger>).writePool;
if (writePool) watch(writePool as unknown as Queryable, 'ledger/write');
const questions = async () => Number((await one<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Questions'")).Value);

try {
  // In batches of 10,000, the most one request takes.
  for (let from = 0; from < PREFILL; from += 10_000) {
    const n = Math.min(10_000, PREFILL - from);
    await b.town.ledger.createMany(Array.from({ length: n }, (_, i) => ({ title: `done ${from + i}`, prefix: 'bn', status: 'closed' as const, description: scriptDescription(`old${from + i}.txt`, `old ${from + i}`, 1) })), 'overseer');
  }
  await new Promise((r) => setTimeout(r, 3000)); // the rig's first patrols
  const beads = await b.town.ledger.createMany(Array.from({ length: BEADS }, (_, i) => ({ title: `c ${i}`, prefix: 'bn', description: scriptDescription(`c${i}.txt`, `bead ${i}`, 1) })), 'overseer');
  const from = (await one<{ h: string }>("SELECT HASHOF('HEAD') AS h")).h;
  const q0 = await questions();
  // The ledger's folder on disk (Dolt's journal grows by the chunks each commit writes; a GC in the
  // window shrinks it, and then the figure says so by going down).
  const ledgerBytes = () => Number(execFileSync('du', ['-sb', b.town.paths.doltData]).toString().split('\t')[0]);
  const bytes0 = ledgerBytes();
  const p0 = polls;
  // CPU seconds of the town's process and of Dolt over the same span (noisy under load; the counts above are exact).
  const nodeCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const cpu0 = { node: nodeCpu(), dolt: cpuSeconds(b.town.dolt.pid) };
  watch((b.town.feed as unknown as { pool: Queryable }).pool, 'feed');
  shapes.clear();
  const t0 = performance.now();
  // Landed = the convoy bead closed, as the feed reports it (no polling of our own to count).
  let convoyId = '';
  const landed = new Promise<void>((resolve) => b.town.feed.on('event', (e) => { if (e.changes.some((c) => c.kind === 'closed' && c.id === convoyId)) resolve(); }));
  convoyId = (await b.call<ConvoyStatus>('convoyCreate', { name: 'count', beads: beads.map((x) => x.id), rig: 'bench' })).id;
  await landed;
  const seconds = (performance.now() - t0) / 1000;
  const [rows] = await b.town.ledger.pool.query('SELECT committer, message FROM dolt_log(?, ?)', ['HEAD', `^${from}`]);
  const by = new Map<string, number>();
  for (const r of rows as Array<{ committer: string; message: string }>) {
    const key = `${r.committer.replace(/\/polecats\/[^/]+$/, '/polecats/*')}: ${r.message.split(' ')[0]}`;
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  const commits = (rows as unknown[]).length;
  console.log(`${BEADS} beads${PREFILL ? ` (after ${PREFILL} closed ones)` : ''}, ${AGENTS} agents, convoy landed in ${seconds.toFixed(0)} s (machine load ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  const cpu = { node: nodeCpu() - cpu0.node, dolt: cpuSeconds(b.town.dolt.pid) - cpu0.dolt };
  console.log(`per bead: ${(commits / BEADS).toFixed(2)} Dolt commits, ${((await questions() - q0) / BEADS).toFixed(0)} SQL statements, ${((polls - p0) / BEADS).toFixed(1)} feed polls`);
  const grown = ledgerBytes() - bytes0;
  console.log(`ledger on disk: ${grown >= 0 ? '+' : ''}${(grown / BEADS / 1024).toFixed(1)} KB a bead (${(grown / commits / 1024).toFixed(1)} KB a commit)`);
  console.log(`CPU per bead: Dolt ${((cpu.dolt / BEADS) * 1000).toFixed(1)} ms, the town's process ${((cpu.node / BEADS) * 1000).toFixed(1)} ms (bench wrappers included)`);
  for (const [k, n] of [...by].sort((x, y) => y[1] - x[1])) console.log(`  ${(n / BEADS).toFixed(2)}/bead  ${k}`);
  for (const line of timeline.report()) console.log(line);
  const total = [...shapes.values()].reduce((sum, e) => sum + e.ms, 0);
  console.log(`statements per bead by shape (top 30 by time; per bead: count, ms asked → answered, share of all ${(total / BEADS).toFixed(0)} ms):`);
  for (const [k, e] of [...shapes].sort((x, y) => y[1].ms - x[1].ms).slice(0, 30)) {
    console.log(`  ${(e.n / BEADS).toFixed(1).padStart(6)} ${(e.ms / BEADS).toFixed(1).padStart(7)} ms ${(100 * e.ms / total).toFixed(1).padStart(5)}%  ${k}`);
  }
} finally {
  await b.close();
}
