// `gt done` writes its merge request, the bead in review and the polecat's record in one commit,
// without the rig's lock (main/town/polecats/done.ts): a compare-and-set on the bead's status and
// assignee guards it. This proves, on a real Town (real Dolt, git, PTY host), that a bead taken off
// the hook meanwhile refuses the whole write (no orphan request is left to land), and that a winning
// `gt done` makes the request and the review in one commit, the request never held.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { DoneResult, SlingResult } from '../../preload/requests/work-types.ts';
import type { Town } from '../../main/town/town.ts';
import { waitFor } from '../helpers/gt.ts';
import { fixtureRepo, startInProcessTown } from './town-fixture.ts';

let town: Town;
let stop: () => Promise<void>;
const overseer = { actor: 'overseer', transport: 'in-process' as const, consumer: 'test' };
const asAgent = (actor: string) => ({ ...overseer, actor });

before(async () => {
  const t = await startInProcessTown({ tickMs: 60_000 });
  ({ town, stop } = t);
  await town.call('rigAdd', { name: 'race', source: fixtureRepo(join(t.dir, '..'), 'race-src'), prefix: 'rc', runtime: 'script', maxPolecats: 2 }, overseer);
});
after(async () => {
  await stop?.();
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

test('a gt done whose bead was taken off its hook meanwhile writes nothing: no merge request, the bead left as it is', async () => {
  const { bead, polecat, workdir } = await hookedWithWork('lost race');
  // gt done is held just before its write: it asks the Witness for a next bead there (the script
  // runtime takes one in the same session), and the test holds that call until the bead is taken.
  const witness = town.work.witness;
  const claimNext = witness.claimNext;
  let reached!: () => void;
  let go!: () => void;
  const atClaim = new Promise<void>((r) => { reached = r; });
  const proceed = new Promise<void>((r) => { go = r; });
  witness.claimNext = async (r) => {
    reached();
    await proceed;
    return claimNext.call(witness, r);
  };
  let err: Error | null;
  try {
    const outcome = (town.call('done', { cwd: workdir }, asAgent(polecat)) as Promise<DoneResult>).then(() => null, (e: Error) => e);
    await atClaim;
    // Taken behind the town's back (a `bd update --assignee` on the same server): the polecat's record
    // still names the bead, so only the write's compare-and-set on the bead's assignee can tell.
    await town.ledger.update(bead.id, { assignee: 'race/polecats/someone-else' }, 'overseer');
    go();
    err = await outcome;
  } finally {
    witness.claimNext = claimNext;
  }
  assert.ok(err instanceof Error, 'gt done refused');
  assert.match(err.message, /assigned to race\/polecats\/someone-else/);
  const mrs = (await town.ledger.list({ type: 'merge-request', prefix: 'rc' })).filter((m) => (m.metadata as { bead?: string }).bead === bead.id);
  assert.deepEqual(mrs, [], 'no request was made');
  const now = await town.ledger.show(bead.id);
  assert.equal(now.status, 'hooked');
  assert.equal(now.assignee, 'race/polecats/someone-else');
  assert.equal((await town.work.agents.get(polecat)).meta.state, 'working', 'the polecat was not set idle by the refused write');
  await town.call('unsling', { bead: bead.id }, overseer).catch(() => undefined);
});

test('a gt done that wins makes its request in the same commit as the bead in review, and the request lands', async () => {
  const { bead, polecat, workdir } = await hookedWithWork('won race');
  const r = await town.call('done', { cwd: workdir }, asAgent(polecat)) as DoneResult;
  assert.equal(r.outcome, 'in-review');
  const mr = await town.ledger.show(r.mergeRequest!);
  assert.equal((mr.metadata as { holdFor?: string }).holdFor, undefined, 'never held');
  const inReview = await town.ledger.show(bead.id);
  assert.equal(inReview.assignee, 'race/refinery');
  const made = (await town.ledger.history(mr.id)).find((h) => h.kind === 'created')!;
  const reviewed = (await town.ledger.history(bead.id)).find((h) => h.changes.some((c) => c.field === 'assignee' && c.after === 'race/refinery'))!;
  assert.equal(made.commit, reviewed.commit, 'one commit: the request and its bead in review');
  assert.equal(made.author, polecat);
  await waitFor('the bead to land', async () => (await town.ledger.show(bead.id)).status === 'closed', 120_000, 200);
  // A request recorded alone closes its bead first, then itself (town-queue-store.ts): one write later.
  await waitFor('the request recorded merged', async () => (await town.ledger.show(r.mergeRequest!)).metadata.phase === 'merged', 30_000, 100);
});

test("gt done's next bead says whether it walks a molecule (the session asks gt mol next only when it does)", async () => {
  // The rig's other polecat kept busy: a bead slung to the rig then waits for capacity, and the
  // polecat's gt done hooks it.
  const filler = await hookedWithWork('keeps the other polecat busy');
  const nextOf = async (cookOn: boolean): Promise<NonNullable<DoneResult['next']>> => {
    const { bead, polecat, workdir } = await hookedWithWork(cookOn ? 'before a molecule' : 'before a plain bead');
    const next = await town.ledger.create({ title: cookOn ? 'walks steps' : 'plain', prefix: 'rc' }, 'overseer');
    if (cookOn) await town.call('formulaCook', { name: 'mol-polecat-work', vars: {}, on: next.id }, { ...overseer, actor: 'mayor' });
    const queued = await town.call('sling', { bead: next.id, target: 'race' }, overseer) as SlingResult;
    assert.equal(queued.outcome, 'queued', `${next.id} waits for capacity`);
    const r = await town.call('done', { cwd: workdir }, asAgent(polecat)) as DoneResult;
    assert.equal(r.next?.bead, next.id, `${bead.id}'s gt done hooked ${next.id}`);
    await town.call('unsling', { bead: next.id }, overseer);
    return r.next!;
  };
  try {
    assert.equal((await nextOf(false)).walksMolecule, false, 'a plain bead walks no molecule');
    assert.equal((await nextOf(true)).walksMolecule, true, 'a bead a molecule is cooked on walks it');
  } finally {
    await town.call('unsling', { bead: filler.bead.id }, overseer).catch(() => undefined);
  }
});
