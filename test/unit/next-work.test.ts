// pickWork (main/town/supervisors/next-work.ts), the feed's order shared by the Witness and `gt done`,
// with its reads injected: queued slings first in the order they were queued, then convoys' ready
// beads in tracked order; a reserved (assigned) bead, a bead in flight and a full rig are skipped,
// and a convoy bound to a rig with no free slot is not read at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead } from '../../preload/types.ts';
import type { RigInfo } from '../../preload/requests/work-types.ts';
import { pickWork, type OpenConvoy, type WorkReads } from '../../main/town/supervisors/next-work.ts';

const rig = (name: string, prefix: string): RigInfo => ({
  name, prefix, source: '/src', branch: 'main', gate: null, runtime: null, maxPolecats: 4, setupCommand: null, copyFiles: [],
  bead: `hq-${name}`, createdAt: '2026-01-01T00:00:00Z',
  paths: { root: '', bare: '', canonical: '', refinery: '', polecats: '', crew: '' },
});
const bead = (id: string, extra: Partial<Bead> = {}): Bead => ({
  id, title: id, description: '', type: 'task', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 't',
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', closedAt: null, closeReason: '', labels: [], metadata: {}, ...extra,
});
const convoy = (id: string, tracked: string[], meta: Record<string, unknown>): OpenConvoy => ({ convoy: bead(id, { type: 'convoy', metadata: meta }), tracked });

function reads(queued: Bead[], ready: Bead[]): WorkReads & { readyCalls: string[][] } {
  const readyCalls: string[][] = [];
  return {
    readyCalls,
    queued: async () => queued,
    ready: async (ids) => {
      readyCalls.push(ids);
      return ready.filter((b) => ids.includes(b.id));
    },
  };
}

const rigs = new Map([['a', rig('a', 'aa')], ['b', rig('b', 'bb')]]);

test('queued slings first, oldest queued first; then convoy beads in tracked order', async () => {
  const r = reads(
    [bead('aa-q2', { metadata: { gt: { rig: 'a', queuedAt: '2026-01-02T00:00:00Z' } } }), bead('aa-q1', { metadata: { gt: { rig: 'a', queuedAt: '2026-01-01T00:00:00Z', runtime: 'script' } } })],
    [bead('aa-3'), bead('aa-1'), bead('aa-2')],
  );
  const picks = await pickWork(r, rigs, [convoy('hq-c1', ['aa-1', 'aa-2', 'aa-3'], { rig: 'a', runtime: 'script' })], { town: 4, rigs: new Map([['a', 4]]) }, new Set());
  assert.deepEqual(picks.map((p) => p.bead), ['aa-q1', 'aa-q2', 'aa-1', 'aa-2']);
  assert.deepEqual(picks[0], { bead: 'aa-q1', rig: 'a', runtime: 'script', convoy: undefined });
  assert.deepEqual(picks[2], { bead: 'aa-1', rig: 'a', runtime: 'script', convoy: 'hq-c1' });
});

test('a reserved bead (assigned), a bead in flight and a rig without room are skipped', async () => {
  const r = reads([], [bead('aa-1', { assignee: 'a/polecats/x' }), bead('aa-2'), bead('aa-3'), bead('bb-1')]);
  const picks = await pickWork(r, rigs, [convoy('hq-c1', ['aa-1', 'aa-2', 'aa-3', 'bb-1'], {})], { town: 5, rigs: new Map([['a', 1], ['b', 0]]) }, new Set(['aa-2']));
  assert.deepEqual(picks.map((p) => p.bead), ['aa-3'], 'aa-1 is reserved, aa-2 in flight, bb-1 has no room on rig b');
});

test('one slot: one pick; a convoy bound to a full rig is not read', async () => {
  const r = reads([], [bead('aa-1'), bead('aa-2'), bead('bb-1')]);
  const picks = await pickWork(r, rigs, [convoy('hq-cb', ['bb-1'], { rig: 'b' }), convoy('hq-ca', ['aa-1', 'aa-2'], { rig: 'a' })], { town: 1, rigs: new Map([['a', 1]]) }, new Set());
  assert.deepEqual(picks.map((p) => p.bead), ['aa-1']);
  assert.deepEqual(r.readyCalls, [['aa-1', 'aa-2']], 'the convoy of rig b (no slot) was not read');
});

test('no slot in the town: nothing is read', async () => {
  const r = reads([bead('aa-q', { metadata: { gt: { rig: 'a' } } })], [bead('aa-1')]);
  let queuedRead = false;
  const picks = await pickWork({ ...r, queued: async () => { queuedRead = true; return []; } }, rigs, [convoy('hq-c', ['aa-1'], {})], { town: 0, rigs: new Map([['a', 3]]) }, new Set());
  assert.deepEqual(picks, []);
  assert.equal(queuedRead, false);
  assert.deepEqual(r.readyCalls, []);
});
