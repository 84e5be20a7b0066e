// What the town's Refinery writes per landed request (real dolt sql-server, real git, the town's
// store): a request with its work bead in review lands in ONE Dolt commit authored by the refinery,
// which records the request merged and closes the bead together; a request found already in the
// target is recorded the same way; a gate that runs long has its request written `testing` first;
// the landing write builds both from the beads as it reads them (nothing read before it goes stale).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bead } from '../../preload/types.ts';
import { findDolt } from '../../main/ledger/dolt-locate.ts';
import type { Ledger } from '../../main/ledger/ledger.ts';
import { Refinery } from '../../main/refinery/refinery.ts';
import { TownMergeQueueStore } from '../../main/town/refineries/town-queue-store.ts';
import { rigWithLedger } from './refinery-ledger-fixture.ts';
import { GATE, git, goodModule, type RigFixture } from './refinery-fixture.ts';

const ACTOR = 'gastown/refinery';
const POLECAT = 'gastown/polecats/nux';

async function setUp(t: { after(fn: () => Promise<void>): void }): Promise<{ fix: RigFixture; ledger: Ledger; store: TownMergeQueueStore; landed: string[] }> {
  const { fix, ledger } = await rigWithLedger(t);
  const landed: string[] = [];
  const store = new TownMergeQueueStore(ledger, { prefix: 'gt', actor: ACTOR, rig: 'gastown' }, () => undefined, (bead) => landed.push(bead));
  return { fix, ledger, store, landed };
}

/** A work bead for `branch`, its request submitted and the bead put in review (as `gt done` does). */
async function inReview(ledger: Ledger, refinery: Refinery, branch: string): Promise<{ bead: Bead; mr: string }> {
  const bead = await ledger.create({ title: `work on ${branch}`, prefix: 'gt' }, POLECAT);
  const mr = await refinery.submit(branch, { bead: bead.id, polecat: POLECAT, title: `Merge ${branch}` });
  await ledger.update(bead.id, {
    status: 'in_progress', assignee: ACTOR,
    metadata: { gt: { polecat: POLECAT, branch, review: { mergeRequest: mr.id, since: new Date().toISOString() } } },
  }, POLECAT);
  return { bead, mr: mr.id };
}

async function commitsSince(ledger: Ledger, from: string): Promise<Array<{ committer: string; message: string }>> {
  return (await ledger.pool.query('SELECT committer, message FROM dolt_log(?, ?)', ['HEAD', `^${from}`]))[0] as Array<{ committer: string; message: string }>;
}

async function headHash(ledger: Ledger): Promise<string> {
  return ((await ledger.pool.query("SELECT HASHOF('HEAD') AS h"))[0] as Array<{ h: string }>)[0].h;
}

async function assertLanded(ledger: Ledger, bead: string, mr: string): Promise<void> {
  const work = await ledger.show(bead);
  assert.equal(work.status, 'closed', 'the work bead closed');
  assert.equal(work.assignee, POLECAT, 'who did the work is back on it');
  assert.match(work.closeReason ?? '', new RegExp(`landed: merge request ${mr}`));
  const request = await ledger.show(mr);
  assert.equal(request.status, 'closed');
  assert.equal(request.closeReason, 'merged');
  assert.equal(request.metadata.phase, 'merged');
}

test('a single request and its work bead land in one commit by the refinery; one found already in the target too', async (t) => {
  if (!findDolt()) {
    t.skip('dolt is not installed (GT_DOLT, PATH or the install cache)');
    return;
  }
  const { fix, ledger, store, landed } = await setUp(t);
  // The gate is quicker than recordTestingAfterMs whatever the load: nothing is written in flight.
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, recordTestingAfterMs: 600_000 }, store);
  const phases: string[] = [];
  refinery.on('event', (e) => { if (e.type === 'phase') phases.push(e.phase); });

  fix.branch('polecat/nux/gt-a', goodModule('a'));
  const a = await inReview(ledger, refinery, 'polecat/nux/gt-a');
  let from = await headHash(ledger);
  const first = await refinery.processOnce();
  assert.deepEqual(first.merged, [a.mr]);
  let mine = await commitsSince(ledger, from);
  assert.deepEqual(mine.map((c) => c.committer), [ACTOR], `one commit, the refinery's (${mine.map((c) => c.message.split('\n')[0]).join(' | ')})`);
  await assertLanded(ledger, a.bead.id, a.mr);
  assert.deepEqual(landed, [a.bead.id]);
  assert.deepEqual(phases, ['queued', 'batched', 'testing', 'merged'], 'every phase is still told as an event');

  // Landed by hand (the target moved to its head): the next pass records it, in one commit as well.
  const head = fix.branch('polecat/nux/gt-b', goodModule('b'));
  const b = await inReview(ledger, refinery, 'polecat/nux/gt-b');
  git(fix.repoDir, 'update-ref', 'refs/heads/main', head);
  from = await headHash(ledger);
  const second = await refinery.processOnce();
  assert.equal(second.kind, 'idle');
  assert.deepEqual(second.merged, [b.mr]);
  mine = await commitsSince(ledger, from);
  assert.deepEqual(mine.map((c) => c.committer), [ACTOR], `one commit (${mine.map((c) => c.message.split('\n')[0]).join(' | ')})`);
  await assertLanded(ledger, b.bead.id, b.mr);
});

test('a gate running longer than recordTestingAfterMs has its request written testing while it runs: two commits', async (t) => {
  if (!findDolt()) {
    t.skip('dolt is not installed (GT_DOLT, PATH or the install cache)');
    return;
  }
  const { fix, ledger, store } = await setUp(t);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: `sleep 3; ${GATE}`, timeoutMs: 60_000 }, recordTestingAfterMs: 200 }, store);
  fix.branch('polecat/nux/gt-c', goodModule('c'));
  const c = await inReview(ledger, refinery, 'polecat/nux/gt-c');
  const from = await headHash(ledger);
  const pass = refinery.processOnce();
  let seen = '';
  for (let i = 0; i < 100 && seen !== 'testing'; i++) {
    seen = String((await ledger.show(c.mr)).metadata.phase);
    if (seen !== 'testing') await sleep(50);
  }
  assert.equal(seen, 'testing', 'the ledger shows the request being tested');
  assert.equal((await refinery.queue())[0]?.phase, 'testing');
  assert.deepEqual((await pass).merged, [c.mr]);
  const mine = await commitsSince(ledger, from);
  assert.deepEqual(mine.map((x) => x.committer), [ACTOR, ACTOR], `testing, then merged with its bead (${mine.map((x) => x.message.split('\n')[0]).join(' | ')})`);
  await assertLanded(ledger, c.bead.id, c.mr);
});

test('the landing write is built from the beads as it reads them: changes made by other writers while the pass held the requests are kept; a bead closed meanwhile is left as it is', async (t) => {
  if (!findDolt()) {
    t.skip('dolt is not installed (GT_DOLT, PATH or the install cache)');
    return;
  }
  const { fix, ledger, store, landed } = await setUp(t);
  // The gate waits for the test: the pass has read its requests (and their beads) before it runs.
  const started = `${fix.root}/gate-started`;
  const go = `${fix.root}/gate-go`;
  const refinery = new Refinery({
    repoDir: fix.repoDir, workDir: fix.workDir, recordTestingAfterMs: 600_000, batchSize: 2,
    gate: { command: `touch ${started}; while [ ! -f ${go} ]; do sleep 0.05; done; ${GATE}`, timeoutMs: 60_000 },
  }, store);
  fix.branch('polecat/nux/gt-d', goodModule('d'));
  fix.branch('polecat/nux/gt-e', goodModule('e'));
  const d = await inReview(ledger, refinery, 'polecat/nux/gt-d');
  const e = await inReview(ledger, refinery, 'polecat/nux/gt-e');
  const pass = refinery.processOnce();
  for (let i = 0; i < 400 && !existsSync(started); i++) await sleep(50);
  assert.ok(existsSync(started), 'the gate started');
  // Meanwhile, other writers (bd, a human, gt done's touch of a request): d's bead and request get a
  // note each; e's bead is closed by hand.
  const dBead = await ledger.show(d.bead.id);
  await ledger.update(d.bead.id, { metadata: { ...dBead.metadata, reviewedBy: 'a human' } }, 'someone');
  const dMr = await ledger.show(d.mr);
  await ledger.update(d.mr, { metadata: { ...dMr.metadata, touchedBy: 'someone' } }, 'someone');
  await ledger.closeBead(e.bead.id, 'closed by hand', 'someone');
  writeFileSync(go, '');
  const report = await pass;
  assert.deepEqual([...report.merged].sort(), [d.mr, e.mr].sort());
  await assertLanded(ledger, d.bead.id, d.mr);
  const work = await ledger.show(d.bead.id);
  assert.equal(work.metadata.reviewedBy, 'a human', "the bead's change made during the pass is kept");
  assert.equal((work.metadata.gt as { review?: unknown }).review, null, 'and the landing cleared its review');
  const request = await ledger.show(d.mr);
  assert.equal(request.metadata.touchedBy, 'someone', "the request's change made during the pass is kept");
  const closedByHand = await ledger.show(e.bead.id);
  assert.equal(closedByHand.closeReason, 'closed by hand', 'a bead closed meanwhile is not closed again');
  assert.equal((await ledger.show(e.mr)).metadata.phase, 'merged', 'its request is recorded merged');
  assert.deepEqual(landed, [d.bead.id], 'only the bead this write closed is told as landed');
});
