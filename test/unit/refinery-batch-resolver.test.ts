// The batch-then-bisect search as pure logic: a model "repository" where a tip is the list of
// requests merged so far and the gate fails when a culprit is in it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBatch, GateStopped, type ResolverOps, type StackBuild } from '../../main/refinery/batch-resolver.ts';
import type { GateResult } from '../../main/refinery/types.ts';

const result = (pass: boolean, output = ''): GateResult => ({ outcome: pass ? 'pass' : 'fail', exitCode: pass ? 0 : 1, output, durationMs: 0 });

function model(culprits: Set<string>, opts: { failFirst?: number; targetRed?: boolean; conflicts?: Set<string> } = {}) {
  let runs = 0;
  const gated: string[] = [];
  const ops: ResolverOps<string> = {
    async build(onto, items) {
      const b: StackBuild<string> = { items: [], tips: [], deferred: [], conflicts: [], broken: [] };
      let tip = onto;
      for (const it of items) {
        if (opts.conflicts?.has(it)) {
          b.conflicts.push({ item: it, files: [`${it}.txt`] });
          continue;
        }
        tip = `${tip}+${it}`;
        b.items.push(it);
        b.tips.push(tip);
      }
      return b;
    },
    async gate(tip) {
      runs++;
      gated.push(tip);
      if (opts.failFirst && runs <= opts.failFirst) return result(false, 'flake');
      if (opts.targetRed) return result(false, 'target broken');
      const bad = tip.split('+').slice(1).filter((x) => culprits.has(x));
      return result(bad.length === 0, bad.map((b) => `${b} broke it`).join('\n'));
    },
  };
  return { ops, gated, runs: () => runs };
}

test('a green batch lands in one gate run', async () => {
  const m = model(new Set());
  const r = await resolveBatch('T', ['a', 'b', 'c', 'd'], m.ops, true);
  assert.deepEqual(r.landed, ['a', 'b', 'c', 'd']);
  assert.equal(r.landTip, 'T+a+b+c+d');
  assert.equal(r.gateRuns, 1);
  assert.equal(r.mergedAs.get('c'), 'T+a+b+c');
});

test('fail once then pass is flaky: everything lands, the first failure is kept', async () => {
  const m = model(new Set(), { failFirst: 1 });
  const r = await resolveBatch('T', ['a', 'b'], m.ops, true);
  assert.deepEqual(r.landed, ['a', 'b']);
  assert.equal(r.flaky?.output, 'flake');
  assert.equal(r.gateRuns, 2);
  assert.deepEqual(r.culprits, []);
});

test('every culprit set among 8 requests is found exactly; what lands always passed the gate', async () => {
  const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  for (let mask = 0; mask < 1 << items.length; mask++) {
    const culprits = new Set(items.filter((_, i) => mask & (1 << i)));
    const m = model(culprits);
    const r = await resolveBatch('T', items, m.ops, true);
    assert.deepEqual(r.culprits.map((c) => c.item), items.filter((i) => culprits.has(i)), `mask ${mask}`);
    assert.deepEqual(r.landed, items.filter((i) => !culprits.has(i)));
    for (const c of r.culprits) assert.match(c.result.output, new RegExp(`${c.item} broke it`));
    if (r.landTip) assert.ok(m.gated.includes(r.landTip) && !r.landTip.split('+').some((x) => culprits.has(x)), 'landed tip was gated green');
    if (culprits.size === 0) assert.equal(r.gateRuns, 1);
  }
});

test('one culprit in 4 costs the failing run, one retry and log2(4)+1 searches', async () => {
  const r = await resolveBatch('T', ['a', 'b', 'c', 'd'], model(new Set(['c'])).ops, true);
  assert.deepEqual(r.landed, ['a', 'b', 'd']);
  assert.equal(r.landTip, 'T+a+b+d');
  assert.equal(r.gateRuns, 5);
});

test('a red target blames nobody', async () => {
  const r = await resolveBatch('T', ['a', 'b'], model(new Set(), { targetRed: true }).ops, false);
  assert.equal(r.targetRed?.output, 'target broken');
  assert.deepEqual(r.culprits, []);
  assert.equal(r.landTip, null);
  assert.deepEqual(r.deferred, ['a', 'b']);
});

test('conflicts are reported and the rest still lands', async () => {
  const r = await resolveBatch('T', ['a', 'b', 'c'], model(new Set(), { conflicts: new Set(['b']) }).ops, true);
  assert.deepEqual(r.landed, ['a', 'c']);
  assert.deepEqual(r.conflicts, [{ item: 'b', files: ['b.txt'] }]);
});

test('a gate that cannot run stops the batch', async () => {
  const ops: ResolverOps<string> = {
    build: model(new Set()).ops.build,
    gate: async () => ({ outcome: 'unavailable', exitCode: 127, output: 'not found', durationMs: 0 }),
  };
  await assert.rejects(resolveBatch('T', ['a'], ops, true), GateStopped);
});
