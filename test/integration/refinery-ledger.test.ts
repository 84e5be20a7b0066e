// The Refinery over the real Ledger (a real dolt sql-server) and real git: merge requests are
// merge-request beads whose metadata carries the phase; rejections and conflicts become beads
// hooked to the polecat that made the branch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDolt } from '../../main/ledger/dolt-locate.ts';
import { LedgerMergeQueueStore } from '../../main/refinery/ledger-store.ts';
import { Refinery } from '../../main/refinery/refinery.ts';
import { rigWithLedger } from './refinery-ledger-fixture.ts';
import { GATE, badModule, goodModule, notesWith } from './refinery-fixture.ts';

test('merge requests as beads: merged and rejected close with their reason, follow-ups are hooked to the polecat', async (t) => {
  if (!findDolt()) {
    t.skip('dolt is not installed (GT_DOLT, PATH or the install cache)');
    return;
  }
  const { fix, ledger } = await rigWithLedger(t);

  const store = new LedgerMergeQueueStore(ledger, { prefix: 'gt', actor: 'gastown/refinery' });
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 } }, store);
  fix.branch('polecat/nux/gt-1', { ...goodModule('a'), ...notesWith(fix, 2, 'nux') });
  fix.branch('polecat/toast/gt-2', badModule('b'));
  fix.branch('polecat/ace/gt-3', { ...goodModule('c'), ...notesWith(fix, 2, 'ace') });
  const a = await refinery.submit('polecat/nux/gt-1', { polecat: 'nux', bead: 'gt-1', title: 'Add a' });
  const b = await refinery.submit('polecat/toast/gt-2', { polecat: 'toast', title: 'Add b' });
  const c = await refinery.submit('polecat/ace/gt-3', { polecat: 'ace', title: 'Add c' });
  assert.match(a.id, /^gt-/);
  assert.equal((await refinery.submit('polecat/nux/gt-1')).id, a.id, 'the same branch is not queued twice');

  const first = await refinery.processOnce();
  assert.deepEqual(first.merged, [a.id]);
  assert.deepEqual(first.rejected, [b.id]);
  assert.deepEqual(first.deferred, [c.id], 'c conflicts only with a, which was not yet on the target');
  const second = await refinery.processOnce();
  assert.deepEqual(second.conflicts, [c.id]);

  const beadA = await ledger.show(a.id);
  assert.equal(beadA.type, 'merge-request');
  assert.equal(beadA.status, 'closed');
  assert.equal(beadA.closeReason, 'merged');
  assert.equal(beadA.metadata.phase, 'merged');
  assert.equal(beadA.metadata.mergedAs, fix.head('main'));

  const beadB = await ledger.show(b.id);
  assert.equal(beadB.closeReason, 'rejected');
  const rejection = await ledger.show(String(beadB.metadata.rejectionBead));
  assert.equal(rejection.status, 'hooked');
  assert.equal(rejection.assignee, 'toast');
  assert.match(rejection.description, /b is broken/);
  assert.ok(rejection.dependencies?.some((d) => d.dependsOnId === b.id && d.type === 'discovered-from'));

  const beadC = await ledger.show(c.id);
  assert.equal(beadC.status, 'open');
  assert.equal(beadC.metadata.phase, 'conflict');
  const resolution = await ledger.show(String(beadC.metadata.resolutionBead));
  assert.equal(resolution.assignee, 'ace');
  assert.match(resolution.title, /Resolve merge conflicts/);
  assert.match(resolution.description, /NOTES\.md/);

  // Retry reopens a rejected request.
  const retried = await refinery.retry(b.id);
  assert.equal(retried.meta.phase, 'queued');
  assert.equal((await ledger.show(b.id)).status, 'open');
  const queue = await refinery.queue();
  assert.deepEqual(queue.map((q) => [q.id, q.ready]), [[b.id, true], [c.id, false]]);
  await refinery.reject(b.id, 'abandoned by the overseer');
  assert.equal((await ledger.show(b.id)).status, 'closed');
});
