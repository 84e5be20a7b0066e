// The Refinery on real git repositories with a real gate command (node check.mjs): batches,
// bisection, conflicts, flaky gates. The store is the plain JSON-file implementation of the
// MergeQueueStore interface; git and the gate are real.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Refinery } from '../../main/refinery/refinery.ts';
import { JsonFileStore } from '../../main/refinery/json-file-store.ts';
import type { RefineryEvent } from '../../main/refinery/types.ts';
import { GATE, badModule, gatePasses, git, goodModule, makeRig, notesWith } from './refinery-fixture.ts';

function collect(r: Refinery): RefineryEvent[] {
  const events: RefineryEvent[] = [];
  r.on('event', (e) => events.push(e));
  return events;
}

test('8 requests, 2 gate-breakers, 1 conflict: 5 land in queue order, culprits rejected, conflict gets a resolution bead', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const store = new JsonFileStore(fix.storeFile);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, batchSize: 4 }, store);
  const events = collect(refinery);
  const start = fix.head('main')!;

  const specs: Array<[string, Record<string, string>]> = [
    ['r1', { ...goodModule('r1'), ...notesWith(fix, 3, 'r1 was here') }],
    ['r2', goodModule('r2')],
    ['r3', badModule('r3')],
    ['r4', goodModule('r4')],
    ['r5', goodModule('r5')],
    ['r6', { ...goodModule('r6'), ...notesWith(fix, 3, 'r6 disagrees') }],
    ['r7', badModule('r7')],
    ['r8', goodModule('r8')],
  ];
  const ids = new Map<string, string>();
  for (const [name, files] of specs) {
    fix.branch(`polecat/${name}/work`, files);
    const mr = await refinery.submit(`polecat/${name}/work`, { polecat: name, title: `work of ${name}` });
    ids.set(name, mr.id);
  }
  const queue = await refinery.queue();
  assert.deepEqual(queue.map((q) => q.branch), specs.map(([n]) => `polecat/${n}/work`), 'the visible queue is in submit order');

  let passes = 0;
  while ((await store.listOpen()).some((m) => m.meta.phase === 'queued') && passes++ < 10) await refinery.processOnce();

  const byName = async (n: string) => (await store.get(ids.get(n)!))!;
  for (const n of ['r1', 'r2', 'r4', 'r5', 'r8']) assert.equal((await byName(n)).meta.phase, 'merged', `${n} merged`);
  for (const n of ['r3', 'r7']) {
    const mr = await byName(n);
    assert.equal(mr.meta.phase, 'rejected', `${n} rejected`);
    assert.ok(mr.closed);
    assert.match(mr.meta.gateOutput ?? '', new RegExp(`${n} is broken`), `${n} carries the gate output`);
  }
  const r6 = await byName('r6');
  assert.equal(r6.meta.phase, 'conflict');
  assert.deepEqual(r6.meta.conflictFiles, ['NOTES.md']);
  const db = await store.all();
  const resolution = db.followUps.find((f) => f.id === r6.meta.resolutionBead)!;
  assert.equal(resolution.kind, 'conflict');
  assert.equal(resolution.assignee, 'r6', 'slung back to the polecat that made it');
  assert.match(resolution.description, /NOTES\.md/);
  for (const n of ['r3', 'r7']) {
    const fu = db.followUps.find((f) => f.id === (db.requests.find((r) => r.id === ids.get(n))!.meta.rejectionBead))!;
    assert.equal(fu.kind, 'rejection');
    assert.equal(fu.assignee, n);
    assert.match(fu.description, new RegExp(`${n} is broken`));
  }

  // Landed in queue order, each as one first-parent merge, with the request's own commit inside.
  const end = fix.head('main')!;
  const firstParent = git(fix.repoDir, 'rev-list', '--reverse', '--first-parent', `${start}..${end}`).split('\n');
  const landedOrder = firstParent.map((c) => /Merge polecat\/(r\d)\/work/.exec(git(fix.repoDir, 'log', '-1', '--format=%s', c))?.[1]);
  assert.deepEqual(landedOrder, ['r1', 'r2', 'r4', 'r5', 'r8']);
  for (const n of ['r1', 'r2', 'r4', 'r5', 'r8']) {
    const branchHead = fix.head(`polecat/${n}/work`)!;
    assert.equal(git(fix.repoDir, 'merge-base', '--is-ancestor', branchHead, end), '', `${n}'s commit is in main`);
    assert.equal((await byName(n)).meta.mergedAs && firstParent.includes((await byName(n)).meta.mergedAs!), true);
  }
  for (const n of ['r3', 'r6', 'r7']) {
    assert.throws(() => git(fix.repoDir, 'merge-base', '--is-ancestor', fix.head(`polecat/${n}/work`)!, end), `${n} is not in main`);
  }
  // Every commit of the new history (merges and the requests' own commits) passes the gate.
  const everyCommit = git(fix.repoDir, 'rev-list', `${start}..${end}`).split('\n');
  assert.equal(everyCommit.length, 10);
  for (const c of everyCommit) assert.ok(gatePasses(fix, c), `gate passes on ${c}`);

  // Every phase was emitted as an event.
  const phasesSeen = new Set(events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase));
  for (const p of ['queued', 'batched', 'testing', 'merged', 'rejected', 'conflict']) assert.ok(phasesSeen.has(p), `phase ${p} emitted`);
  assert.ok(events.some((e) => e.type === 'landed'));

  // The conflicting branch is fixed by its polecat: it re-enters the queue by itself and lands.
  git(fix.clone, 'fetch', '-q', 'rig', 'main', 'polecat/r6/work');
  git(fix.clone, 'checkout', '-q', '-B', 'polecat/r6/work', 'rig/polecat/r6/work');
  try {
    git(fix.clone, 'merge', '-q', 'rig/main');
  } catch {
    writeFileSync(join(fix.clone, 'NOTES.md'), git(fix.repoDir, 'show', 'main:NOTES.md').replace('r1 was here', 'r1 was here, and r6 too'));
    git(fix.clone, 'commit', '-q', '-am', 'r6: resolve conflict with main');
  }
  git(fix.clone, 'push', '-q', 'rig', 'polecat/r6/work');
  const q2 = await refinery.queue();
  assert.equal(q2.find((q) => q.id === ids.get('r6'))!.ready, true, 'changed branch is ready again');
  const rep = await refinery.processOnce();
  assert.deepEqual(rep.merged, [ids.get('r6')]);
  assert.equal((await byName('r6')).meta.phase, 'merged');
  assert.equal(git(fix.workDir, 'status', '--porcelain'), '', 'refinery worktree is clean');
});

test('a flaky gate (fails once, then passes) lands the batch and records it as flaky', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const counter = join(fix.root, 'flaky-count');
  writeFileSync(counter, '0');
  // First run fails, every later run passes.
  const gate = `n=$(cat ${counter}); echo $((n+1)) > ${counter}; if [ "$n" = 0 ]; then echo 'flaky network test failed' >&2; exit 1; fi; ${GATE}`;
  const store = new JsonFileStore(fix.storeFile);
  // A gate quicker than recordTestingAfterMs: `testing` is an event, not a record (whatever the load).
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: gate, timeoutMs: 60_000 }, recordTestingAfterMs: 600_000 }, store);
  const events = collect(refinery);
  fix.branch('crew/a', goodModule('a'));
  fix.branch('crew/b', goodModule('b'));
  const a = await refinery.submit('crew/a');
  const b = await refinery.submit('crew/b');
  const rep = await refinery.processOnce();
  assert.equal(rep.flaky, true);
  assert.equal(rep.gateRuns, 2);
  assert.deepEqual(rep.merged, [a.id, b.id]);
  assert.deepEqual(rep.rejected, []);
  for (const id of [a.id, b.id]) {
    const mr = (await store.get(id))!;
    assert.equal(mr.meta.phase, 'merged');
    assert.equal(mr.meta.flakyRuns, 1);
    assert.match(mr.meta.gateOutput ?? '', /flaky network test failed/);
  }
  const history = (await store.all()).history.filter((h) => h.id === a.id).map((h) => h.phase);
  assert.deepEqual(history, ['queued', 'flaky', 'merged'], 'batched and testing were not written');
  assert.deepEqual(events.filter((e) => e.type === 'phase' && e.id === a.id).map((e) => e.type === 'phase' && e.phase), ['queued', 'batched', 'testing', 'flaky', 'merged'], 'but every phase was told');
});

test('queue order: priority first, then age; retries sink but do not starve', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const store = new JsonFileStore(fix.storeFile);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, batchSize: 1 }, store);
  fix.branch('low', goodModule('low'));
  fix.branch('urgent', goodModule('urgent'));
  const low = await refinery.submit('low', { priority: 3 });
  const urgent = await refinery.submit('urgent', { priority: 0 });
  assert.deepEqual((await refinery.queue()).map((q) => q.id), [urgent.id, low.id]);
  const rep = await refinery.processOnce();
  assert.deepEqual(rep.merged, [urgent.id], 'the urgent request lands first with batch size 1');
  assert.equal(((await refinery.queue()).find((q) => q.id === low.id))!.position, 1);
  await assert.rejects(refinery.submit('no/such/branch'), /exists neither/);
  await assert.rejects(refinery.submit('--upload-pack=evil'), /not a valid branch name/);
  await assert.rejects(refinery.retry('mr-nope'), /no merge request/);
});

test('gathering: requests that arrive within gatherMs of the first land in one batch; a full batch or the time up goes at once', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const store = new JsonFileStore(fix.storeFile);
  let clock = Date.now();
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, batchSize: 3, gatherMs: 5_000, now: () => clock }, store);
  const events = collect(refinery);
  for (const n of ['g1', 'g2', 'g3', 'g4']) fix.branch(`polecat/${n}/work`, goodModule(n));
  const start = fix.head('main');

  const g1 = await refinery.submit('polecat/g1/work');
  clock = Date.parse(g1.createdAt) + 1_000;
  const waiting = await refinery.processOnce();
  assert.equal(waiting.kind, 'gather');
  assert.equal(waiting.waitMs, 4_000, 'the rest of the window after the oldest request');
  assert.equal(fix.head('main'), start, 'nothing merged, no gate run');
  assert.equal(events.filter((e) => e.type === 'gate').length, 0);

  const g2 = await refinery.submit('polecat/g2/work');
  assert.equal((await refinery.processOnce()).kind, 'gather', 'two of three: still gathering');
  const g3 = await refinery.submit('polecat/g3/work');
  const full = await refinery.processOnce();
  assert.equal(full.kind, 'batch', 'a full batch goes at once');
  assert.deepEqual([...full.merged].sort(), [g1.id, g2.id, g3.id].sort(), 'the three land together');
  assert.equal(full.gateRuns, 1, 'one gate run for the three');

  // A request alone: it waits its window, then goes alone.
  const g4 = await refinery.submit('polecat/g4/work');
  clock = Date.parse(g4.createdAt) + 4_999;
  assert.equal((await refinery.processOnce()).kind, 'gather');
  clock = Date.parse(g4.createdAt) + 5_000;
  const alone = await refinery.processOnce();
  assert.equal(alone.kind, 'batch');
  assert.deepEqual(alone.merged, [g4.id]);
});
