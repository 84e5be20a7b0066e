// `gt done` hooks the polecat's next bead at once for a runtime that takes it in the same session
// (main/town/polecats/done.ts, docs/work-loop.md). On a real Town (Dolt, git, PTY host, script
// agents): a convoy of 3 on a rig of one polecat is done by ONE session (the script's process id is
// the same for every bead), each next bead hooked by the polecat itself in the very commit that put
// the previous one in review, and every bead lands once, on its own branch. A runtime that wants a
// fresh session per bead (nextBeadInSession false, as the LLM CLIs) is set idle at `gt done` and fed
// by the Witness: one session per bead. A polecat holding an open bead reserved for it (assigned while
// open, as the merge queue's send-back) goes idle at `gt done` instead, even when the reservation was
// made after the town last read them (its in-memory set, ReservedWork, learns it from the feed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { Bead, BeadHistoryEntry } from '../../preload/types.ts';
import type { ConvoyStatus, RigInfo } from '../../preload/requests/work-types.ts';
import { fixtureRepo, startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { assertCompletedOnce, mergeRequests } from './town-work-helpers.ts';

let t: TestTown;
before(async () => {
  t = await startTestTown({
    tickMs: 500,
    runtimes: {
      custom: [{
        name: 'script-fresh', label: 'Scripted runtime, a fresh session per bead', kind: 'script', command: 'node', firstInstructions: 'self',
        nextBeadInSession: false, patterns: { idle: ['^gt-script: (?:done|finished)'], ready: ['^gt-script: (?:scripted runtime|starting)'] },
      }],
    },
  });
});
after(async () => t?.cleanup());

/** A bead whose script appends its session's process id (the script runtime's, `$PPID` of its `run`
 *  shell) to `pids`, writes its own file, and lets the runtime commit and run gt done. */
async function pidBead(rig: string, title: string, pids: string): Promise<Bead> {
  const description = ['```gt-script', `run echo $PPID >> ${pids}`, `write ${title}.txt ${title}\\n`, '```'].join('\n');
  return t.json<Bead>(['bead', 'create', '--rig', rig, '-t', title, '-d', description]);
}

async function convoyOf(rig: RigInfo, name: string, pids: string): Promise<Bead[]> {
  const beads: Bead[] = [];
  for (const title of [`${name}1`, `${name}2`, `${name}3`]) beads.push(await pidBead(rig.name, title, pids));
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', name, ...beads.map((b) => b.id), '--rig', rig.name]);
  await waitFor(`convoy ${name} to land`, async () => (await t.json<ConvoyStatus>(['convoy', 'status', convoy.id])).status === 'closed', 180_000, 300);
  return beads;
}

const hookedBy = (history: BeadHistoryEntry[]): BeadHistoryEntry | undefined =>
  history.find((h) => h.changes.some((c) => c.field === 'status' && c.after === 'hooked'));
const putInReview = (history: BeadHistoryEntry[], rig: string): BeadHistoryEntry | undefined =>
  history.find((h) => h.changes.some((c) => c.field === 'assignee' && c.after === `${rig}/refinery`));

test('the script runtime takes its next bead in the same session: one session, each hook in the previous bead\'s done commit', async () => {
  const rig = await t.json<RigInfo>(['rig', 'add', 'chain', fixtureRepo(t.base, 'chain-src'), '--prefix', 'ch', '--max-polecats', '1', '--runtime', 'script']);
  const pids = join(t.base, 'chain-pids.txt');
  const beads = await convoyOf(rig, 'chain', pids);
  const sessions = readFileSync(pids, 'utf8').trim().split('\n');
  assert.equal(sessions.length, 3, 'each bead ran once');
  assert.equal(new Set(sessions).size, 1, `one session did all three (process ids ${sessions.join(', ')})`);
  const mrs = await mergeRequests(t, 'ch');
  const done = await Promise.all(beads.map((b, i) => assertCompletedOnce(t, rig, b, `chain${i + 1}.txt`, mrs)));
  assert.equal(new Set(done.map((d) => d.polecat)).size, 1, 'one polecat');
  const histories = await Promise.all(beads.map((b) => t.json<BeadHistoryEntry[]>(['bead', 'history', b.id])));
  for (let i = 1; i < beads.length; i++) {
    const hook = hookedBy(histories[i])!;
    const review = putInReview(histories[i - 1], rig.name)!;
    assert.equal(hook.author, done[0].polecat, `${beads[i].id} hooked by the polecat's gt done`);
    assert.equal(hook.commit, review.commit, `${beads[i].id} hooked in the commit that put ${beads[i - 1].id} in review`);
  }
  // The first bead came from the Witness's feed, as before.
  assert.equal(hookedBy(histories[0])!.author, 'town/witness');
});

test('a runtime that wants a fresh session per bead is set idle at gt done and fed again: one session per bead', async () => {
  const rig = await t.json<RigInfo>(['rig', 'add', 'fresh', fixtureRepo(t.base, 'fresh-src'), '--prefix', 'fr', '--max-polecats', '1', '--runtime', 'script-fresh']);
  const pids = join(t.base, 'fresh-pids.txt');
  const beads = await convoyOf(rig, 'fresh', pids);
  const sessions = readFileSync(pids, 'utf8').trim().split('\n');
  assert.equal(sessions.length, 3, 'each bead ran once');
  assert.equal(new Set(sessions).size, 3, `a session per bead (process ids ${sessions.join(', ')})`);
  const histories = await Promise.all(beads.map((b) => t.json<BeadHistoryEntry[]>(['bead', 'history', b.id])));
  for (const h of histories) assert.equal(hookedBy(h)!.author, 'town/witness', 'hooked by the Witness\'s feed');
});

test('a polecat holding an open bead reserved for it is not given a next bead at gt done, though the reservation came after the town last read them', async () => {
  const rig = await t.json<RigInfo>(['rig', 'add', 'resv', fixtureRepo(t.base, 'resv-src'), '--prefix', 'rv', '--max-polecats', '1', '--runtime', 'script']);
  const started = join(t.base, 'resv-started');
  const go = join(t.base, 'resv-go');
  const quick = (title: string) => t.json<Bead>(['bead', 'create', '--rig', rig.name, '-t', title, '-d', ['```gt-script', `write ${title}.txt ${title}\\n`, '```'].join('\n')]);
  const r1 = await quick('resv1');
  // r2 runs until the test lets it finish.
  const r2 = await t.json<Bead>(['bead', 'create', '--rig', rig.name, '-t', 'resv2', '-d', ['```gt-script', `run touch ${started}; while [ ! -f ${go} ]; do sleep 0.1; done`, 'write resv2.txt resv2\\n', '```'].join('\n')]);
  const r3 = await quick('resv3');
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', 'resv', r1.id, r2.id, r3.id, '--rig', rig.name]);
  await waitFor('resv2 to run', async () => existsSync(started), 120_000, 200);
  const held = await t.json<Bead>(['bead', 'show', r2.id]);
  const polecat = held.assignee!;
  // r2 came from r1's gt done (the town's set of reserved beads was read then, empty).
  assert.equal(hookedBy(await t.json<BeadHistoryEntry[]>(['bead', 'history', r2.id]))!.author, polecat, 'r2 hooked by the polecat\'s own gt done');
  // Now a bead is reserved for this polecat by a write the town's set is not told of (a human's).
  const reserved = await t.json<Bead>(['bead', 'create', '--rig', rig.name, '-t', 'reserved for nux', '-d', 'waits for its polecat']);
  await t.json<Bead>(['bead', 'update', reserved.id, '--assignee', polecat]);
  await sleep(2_500); // the feed delivers a commit within its poll interval (≤ 1 s)
  writeFileSync(go, '');
  await waitFor('convoy resv to land', async () => (await t.json<ConvoyStatus>(['convoy', 'status', convoy.id])).status === 'closed', 180_000, 300);
  const r2History = await t.json<BeadHistoryEntry[]>(['bead', 'history', r2.id]);
  const r3History = await t.json<BeadHistoryEntry[]>(['bead', 'history', r3.id]);
  assert.notEqual(hookedBy(r3History)!.commit, putInReview(r2History, rig.name)!.commit, 'r3 was not hooked by r2\'s gt done');
  assert.equal(hookedBy(r3History)!.author, 'town/witness', 'r3 fed by the Witness once the polecat was idle');
  const still = await t.json<Bead>(['bead', 'show', reserved.id]);
  assert.equal(still.status, 'open');
  assert.equal(still.assignee, polecat, 'the reserved bead is still its polecat\'s');
});
