// `gt done` takes the rig's lock only for its last write (main/town/polecats/done.ts): its git work
// and the merge request's creation run before. This proves the two guarantees around that window on
// a real Town (real Dolt, git, PTY host): a request created there is held (the Refinery's pass does
// not batch it), and when the hook is taken meanwhile (an unsling), `gt done` refuses and closes the
// request it made: no orphan request is left to land. A `gt done` that wins releases the hold.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { DoneResult, RigInfo, SlingResult } from '../../preload/requests/work-types.ts';
import { Town } from '../../main/town/town.ts';
import { gt, tempTownDir, waitFor } from '../helpers/gt.ts';
import { fixtureRepo } from './town-fixture.ts';

let town: Town;
let rig: RigInfo;
let cleanup: () => void;
const overseer = { actor: 'overseer', transport: 'in-process' as const, consumer: 'test' };
const asAgent = (actor: string) => ({ ...overseer, actor });

before(async () => {
  const t = tempTownDir();
  cleanup = t.cleanup;
  assert.equal((await gt(['init'], { town: t.dir })).code, 0);
  mkdirSync(join(t.dir, 'settings'), { recursive: true });
  writeFileSync(join(t.dir, 'settings', 'work.json'), JSON.stringify({ tickMs: 60_000 }));
  town = await Town.start({ dir: t.dir });
  rig = await town.call('rigAdd', { name: 'race', source: fixtureRepo(join(t.dir, '..'), 'race-src'), prefix: 'rc', runtime: 'script', maxPolecats: 2 }, overseer) as RigInfo;
});
after(async () => {
  await town?.stop();
  cleanup?.();
});

/** A bead slung to a polecat whose scripted agent sleeps (it never reaches gt done by itself), with a commit in its worktree. */
async function hookedWithWork(title: string): Promise<{ bead: Bead; polecat: string; workdir: string }> {
  const description = ['```gt-script', 'sleep 600', '```'].join('\n');
  const bead = await town.ledger.create({ title, description, prefix: 'rc' }, 'overseer');
  const slung = await town.call('sling', { bead: bead.id, target: 'race' }, overseer) as SlingResult;
  assert.equal(slung.outcome, 'hooked');
  writeFileSync(join(slung.workdir!, `${bead.id}.txt`), `${title}\n`); // committed by gt done's leftovers step
  return { bead, polecat: slung.agent!, workdir: slung.workdir! };
}

const openRequestsFor = async (bead: string): Promise<Bead[]> =>
  (await town.ledger.list({ type: 'merge-request', prefix: 'rc' })).filter((m) => (m.metadata as { bead?: string }).bead === bead && m.status !== 'closed');

test('a gt done that loses its hook while waiting for the rig lock closes the request it made; the Refinery never batched it', async () => {
  const { bead, polecat, workdir } = await hookedWithWork('lost race');
  const { refinery } = await town.refineries.refinery('race');
  let outcome: Promise<unknown> = Promise.resolve();
  await town.work.context.locks.run(`rig:${rig.name}`, async () => {
    // gt done runs up to the rig's lock: git work done, its request created (held).
    outcome = (town.call('done', { cwd: workdir }, asAgent(polecat)) as Promise<DoneResult>).then(() => 'answered', (e: Error) => e);
    const [held] = await waitFor('the held request', async () => {
      const mrs = await openRequestsFor(bead.id);
      return mrs.length ? mrs : null;
    }, 60_000, 100);
    assert.equal((held.metadata as { holdFor?: string }).holdFor, bead.id);
    // A whole Refinery pass with the request in its queue: it is not batched.
    await refinery.processOnce();
    const after = await town.ledger.show(held.id);
    assert.equal(after.status, 'open');
    assert.equal((after.metadata as { phase: string }).phase, 'queued', 'a held request is not batched');
    // The race: the work is taken off the polecat's hook (unsling takes the bead's lock, not the rig's).
    await town.call('unsling', { bead: bead.id }, overseer);
  });
  const err = await outcome;
  assert.ok(err instanceof Error, 'gt done refused');
  assert.match(err.message, /no longer on .*hook|expected/);
  assert.deepEqual(await openRequestsFor(bead.id), [], 'no open request left behind');
  const mrs = (await town.ledger.list({ type: 'merge-request', prefix: 'rc' })).filter((m) => (m.metadata as { bead?: string }).bead === bead.id);
  assert.equal(mrs.length, 1);
  assert.equal((mrs[0].metadata as { phase: string }).phase, 'rejected');
  assert.equal((await town.ledger.show(bead.id)).status, 'open', 'the bead stays unslung');
});

test('a gt done that wins releases the hold in its in-review write, and the request lands', async () => {
  const { bead, polecat, workdir } = await hookedWithWork('won race');
  const r = await town.call('done', { cwd: workdir }, asAgent(polecat)) as DoneResult;
  assert.equal(r.outcome, 'in-review');
  const mr = await town.ledger.show(r.mergeRequest!);
  assert.equal((mr.metadata as { holdFor?: string }).holdFor, undefined, 'released');
  const inReview = await town.ledger.show(bead.id);
  assert.equal(inReview.assignee, 'race/refinery');
  await waitFor('the bead to land', async () => (await town.ledger.show(bead.id)).status === 'closed', 120_000, 200);
  // A request recorded alone closes its bead first, then itself (town-queue-store.ts): one write later.
  await waitFor('the request recorded merged', async () => (await town.ledger.show(r.mergeRequest!)).metadata.phase === 'merged', 30_000, 100);
});
