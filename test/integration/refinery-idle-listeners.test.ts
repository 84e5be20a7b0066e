// An idle Refinery's run loop sleeps between passes on its one stop signal: each sleep must take its
// abort listener away when it wakes, or they pile up for the town's lifetime (the 30-agent swarm's
// MaxListenersExceededWarning, docs/performance.md "Third pass: memory").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Refinery } from '../../main/refinery/refinery.ts';
import { JsonFileStore } from '../../main/refinery/json-file-store.ts';
import { GATE, makeRig } from './refinery-fixture.ts';

test('an idle run loop keeps at most one abort listener however many times it sleeps', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, pollMs: 10 }, new JsonFileStore(fix.storeFile));
  const inner = refinery as unknown as { processOnce(): Promise<unknown>; stopping: AbortController | null };
  const pass = inner.processOnce.bind(refinery);
  let passes = 0;
  inner.processOnce = () => { passes++; return pass(); };
  refinery.run();
  try {
    while (passes < 25) await sleep(20);
    const signal = inner.stopping!.signal;
    assert.ok(getEventListeners(signal, 'abort').length <= 1, `${getEventListeners(signal, 'abort').length} abort listeners after ${passes} passes`);
  } finally {
    await refinery.stop();
  }
});
