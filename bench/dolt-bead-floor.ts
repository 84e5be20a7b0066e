// Benchmark: what Dolt charges for the least a bead must write, with no town around it. Each bead is
// the two writes the work loop cannot do without, through the ledger as the town calls it:
//  - its polecat's `gt done` (done.ts): one write, one commit authored by that polecat: the merge
//    request created, the bead in review, the next bead hooked, the agent's record updated;
//  - its share of the Refinery's close: one write of BATCH beads and their merge requests, closed.
// No reads besides the writes' own, no feed, no Witness, no git, no PTYs. Against a baseline in the
// same run: the same writes with one commit for BATCH beads' `gt done` (one author for several
// polecats' work, which the town's guarantee forbids), so the ratio is what a commit per bead costs.
// Arms alternate over ROUNDS on one ledger of PREFILL beads. Prints Dolt's CPU per bead (from /proc),
// the bench process's, commits and wall time per bead, and Dolt's share of a core at the issue's
// 30-agent pace (3 s beads: 10 a second).
//   npx tsx bench/dolt-bead-floor.ts       (PREFILL=2000 BEADS=150 ROUNDS=2 BATCH=5)
import { Ledger } from '../main/ledger/ledger.ts';
import type { UpdateItem } from '../main/ledger/bead-update.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { cpuSeconds } from './town-bench-util.ts';

const PREFILL = Number(process.env.PREFILL ?? 2000);
const BEADS = Number(process.env.BEADS ?? 150);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const BATCH = Number(process.env.BATCH ?? 5);
const AGENTS = 30;
const PACE = 10; // beads a second: 30 agents, 3 s beads (the ideal)

const dolt = await startTempDolt();
try {
  const ledger = await Ledger.open(dolt.server.connection());
  const make = async (n: number, title: string, extra: object = {}) => {
    const out = [];
    for (let from = 0; from < n; from += 500) {
      const size = Math.min(500, n - from);
      out.push(...(await ledger.createMany(Array.from({ length: size }, (_, i) => ({ title: `${title} ${from + i}`, prefix: 'fl', labels: ['a'], ...extra })), 'bench')));
    }
    return out.map((b) => b.id);
  };
  await make(PREFILL, 'done before');
  const agents = await make(AGENTS, 'agent', { type: 'agent' });
  // Filing the work (someone must): its beads in writes of 500, as a convoy's creation writes them.
  const f0 = cpuSeconds(dolt.server.pid);
  const queue = await make(BEADS * ROUNDS * 2 + 1, 'work');
  const filing = ((cpuSeconds(dolt.server.pid) - f0) * 1000) / queue.length;
  let next = 0;
  await ledger.update(queue[0], { status: 'hooked', assignee: 'fl/polecats/p0' }, 'fl/polecats/p0');

  const polecat = (i: number) => `fl/polecats/p${i % AGENTS}`;
  /** The done write's items for one bead (done.ts): in review, the next bead hooked, the agent's record. */
  const doneItems = (bead: string, following: string, actor: string, mr: string, agent: string): UpdateItem[] => [
    { id: bead, patch: { status: 'in_progress', assignee: 'fl/refinery', expectStatus: ['open', 'hooked', 'in_progress'], metadata: { review: { mergeRequest: mr, since: new Date().toISOString() } } } },
    { id: following, patch: { status: 'hooked', assignee: actor, expectStatus: ['open'] } },
    { id: agent, patch: { metadata: { state: 'working', lastBead: bead, lastMergeRequest: mr } } },
  ];
  const request = (bead: string, actor: string) => ({
    title: `Merge polecat/${bead}`, type: 'merge-request' as const, prefix: 'fl', labels: ['gt:merge-request'],
    metadata: { rig: 'fl', branch: `polecat/${bead}`, base: 'main', bead, polecat: actor, phase: 'queued', attempts: 0 },
  });
  /** The Refinery's close of a batch: the beads and their merge requests, one write by the Refinery. */
  const close = (done: Array<{ bead: string; mr: string }>) =>
    ledger.updateMany(done.flatMap(({ bead, mr }) => [
      { id: mr, patch: { status: 'closed' as const }, closeReason: 'merged' },
      { id: bead, patch: { status: 'closed' as const }, closeReason: 'merged' },
    ]), 'fl/refinery');

  /** A commit per bead, authored by its polecat (what the town does). */
  async function perBead(i: number): Promise<{ bead: string; mr: string }[]> {
    const done = [];
    for (let k = 0; k < BATCH; k++) {
      const bead = queue[next], following = queue[++next], actor = polecat(i + k);
      const { created } = await ledger.createAndUpdate([request(bead, actor)], ([mr]) => doneItems(bead, following, actor, mr.id, agents[(i + k) % AGENTS]), actor);
      done.push({ bead, mr: created[0].id });
    }
    return done;
  }
  /** Baseline: BATCH beads' done writes in one write and one commit. */
  async function batched(i: number): Promise<{ bead: string; mr: string }[]> {
    const beads = Array.from({ length: BATCH + 1 }, (_, k) => queue[next + k]);
    next += BATCH;
    const { created } = await ledger.createAndUpdate(beads.slice(0, BATCH).map((b, k) => request(b, polecat(i + k))), (mrs) =>
      // Each bead hooks the next; only the last one's "next" is a bead not yet in this write (the
      // others are put in review by this same write, which takes them from open).
      mrs.flatMap((mr, k) => doneItems(beads[k], beads[k + 1], polecat(i + k), mr.id, agents[(i + k) % AGENTS]).filter((item, j) => j !== 1 || k === BATCH - 1)),
    'fl/polecats/batch');
    return created.map((mr, k) => ({ bead: beads[k], mr: mr.id }));
  }

  const commits = async () => Number(((await ledger.pool.query('SELECT COUNT(*) AS n FROM dolt_log'))[0] as Array<{ n: number }>)[0].n);
  const arms = { 'a commit per bead (the town)': perBead, [`a commit per ${BATCH} beads (baseline)`]: batched };
  const totals = new Map<string, { beads: number; dolt: number; node: number; wall: number; commits: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, arm] of round % 2 ? Object.entries(arms).reverse() : Object.entries(arms)) {
      const c0 = await commits();
      const d0 = cpuSeconds(dolt.server.pid), n0 = process.cpuUsage(), t0 = performance.now();
      for (let i = 0; i < BEADS; i += BATCH) await close(await arm(i));
      const wall = performance.now() - t0, n1 = process.cpuUsage(n0), d1 = cpuSeconds(dolt.server.pid);
      const t = totals.get(name) ?? { beads: 0, dolt: 0, node: 0, wall: 0, commits: 0 };
      totals.set(name, { beads: t.beads + BEADS, dolt: t.dolt + (d1 - d0) * 1000, node: t.node + (n1.user + n1.system) / 1000, wall: t.wall + wall, commits: t.commits + (await commits()) - c0 });
      console.log(`round ${round + 1}, ${name}: Dolt ${((d1 - d0) * 1000 / BEADS).toFixed(1)} ms a bead`);
    }
  }
  const per = (t: { beads: number }, v: number) => v / t.beads;
  const [town, base] = [...totals.values()];
  for (const [name, t] of totals) {
    console.log(`${name}: Dolt ${per(t, t.dolt).toFixed(1)} ms a bead, this process ${per(t, t.node).toFixed(1)} ms, ` +
      `${per(t, t.commits).toFixed(2)} commits, wall ${per(t, t.wall).toFixed(1)} ms (${t.beads} beads, ledger of ${PREFILL}+ beads)`);
  }
  console.log(`filing the work beforehand (writes of 500 beads with a label): Dolt ${filing.toFixed(1)} ms a bead`);
  console.log(`ratio, Dolt's CPU a bead: ${(per(town, town.dolt) / per(base, base.dolt)).toFixed(2)}x the baseline`);
  console.log(`at the issue's 30-agent pace (${PACE} beads a second), Dolt alone for these writes: ${(per(town, town.dolt) * PACE / 10).toFixed(1)}% of a core ` +
    `(baseline ${(per(base, base.dolt) * PACE / 10).toFixed(1)}%); the issue's goal for the whole town: 35%`);
  await ledger.close();
} finally {
  await dolt.dispose();
}
