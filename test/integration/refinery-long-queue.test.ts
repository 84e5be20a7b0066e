// A long queue is drained in bigger batches (queue-order.ts batchSizeFor), and over the Ledger a
// batch's phases are one write each (LedgerMergeQueueStore.recordMany), its passage through the
// pass (batched, testing on a quick gate) none: real dolt sql-server, real git.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDolt } from '../../main/ledger/dolt-locate.ts';
import { LedgerMergeQueueStore } from '../../main/refinery/ledger-store.ts';
import { Refinery } from '../../main/refinery/refinery.ts';
import { rigWithLedger } from './refinery-ledger-fixture.ts';
import { GATE, git, goodModule } from './refinery-fixture.ts';

test('ten requests with batchSize 2 and maxBatchSize 8: eight land in one gate run and one commit, then the last two', async (t) => {
  if (!findDolt()) {
    t.skip('dolt is not installed (GT_DOLT, PATH or the install cache)');
    return;
  }
  const { fix, ledger } = await rigWithLedger(t);
  const commits = async (): Promise<Array<{ committer: string; message: string }>> =>
    ((await ledger.pool.query('SELECT committer, message FROM dolt_log'))[0] as Array<{ committer: string; message: string }>);

  const store = new LedgerMergeQueueStore(ledger, { prefix: 'gt', actor: 'gastown/refinery' });
  // The gate is quicker than recordTestingAfterMs whatever the load: `testing` is not written.
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, batchSize: 2, maxBatchSize: 8, recordTestingAfterMs: 600_000 }, store);
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    fix.branch(`polecat/p${i}/gt-${i}`, goodModule(`m${i}`));
    ids.push((await refinery.submit(`polecat/p${i}/gt-${i}`, { title: `Add m${i}` })).id);
  }
  const before = (await commits()).length;
  const first = await refinery.processOnce();
  assert.equal(first.merged.length, 8, 'the long queue went in one batch of maxBatchSize');
  assert.equal(first.gateRuns, 1);
  const all = await commits(); // newest first
  const mine = all.slice(0, all.length - before).filter((c) => c.committer === 'gastown/refinery');
  assert.equal(mine.length, 1, `merged: one commit for the batch (${mine.map((c) => c.message.split('\n')[0]).join(' | ')})`);
  for (const id of first.merged) {
    const b = await ledger.show(id);
    assert.equal(b.status, 'closed');
    assert.equal(b.closeReason, 'merged');
    assert.equal(b.metadata.phase, 'merged');
  }
  const second = await refinery.processOnce();
  assert.equal(second.merged.length, 2, 'two left: the configured size');
  assert.deepEqual([...first.merged, ...second.merged].sort(), [...ids].sort());
  for (let i = 0; i < 10; i++) assert.match(git(fix.repoDir, 'show', `main:src/m${i}.mjs`), new RegExp(`// m${i}`));
});
