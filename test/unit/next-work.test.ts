// next-work.ts: pickWork, the feed's order shared by the Witness and `gt done`,
// with its reads injected: queued slings first in the order they were queued, then convoys' ready
// beads in tracked order; a reserved (assigned) bead, a bead in flight and a full rig are skipped,
// and a convoy bound to a rig with no free slot is not read at all. Also: `gt done`'s claims sharing
// their reads (ClaimReads), a convoy's finished prefix (FinishedPrefix), the free slots (freeSlots),
// and whether a convoy still has work (convoyUnfinished).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead } from '../../preload/types.ts';
import type { RigInfo } from '../../preload/requests/work-types.ts';
import { CLAIM_FRESH_MS, ClaimReads, convoyUnfinished, FinishedPrefix, freeSlots, pickWork, PREFIX_TRUST_MS, READY_CHUNK, type OpenConvoy, type WorkPick, type WorkReads } from '../../main/town/supervisors/next-work.ts';

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

function reads(queued: Bead[], ready: Bead[]): WorkReads & { readyCalls: string[][]; queuedBeads: Bead[]; readyBeads: Bead[] } {
  const readyCalls: string[][] = [];
  return {
    readyCalls, queuedBeads: queued, readyBeads: ready,
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
  // Each pick carries the bead as its read saw it (gt done builds its next hook from it, then again in the write).
  assert.deepEqual(picks[0], { bead: 'aa-q1', rig: 'a', runtime: 'script', convoy: undefined, read: r.queuedBeads.find((b) => b.id === 'aa-q1') });
  assert.deepEqual(picks[2], { bead: 'aa-1', rig: 'a', runtime: 'script', convoy: 'hq-c1', read: r.readyBeads.find((b) => b.id === 'aa-1') });
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

// ClaimReads: `gt done`'s claims of one rig share their reads.
const pick = (id: string): WorkPick => ({ bead: id, rig: 'a' });

test('claims arriving together share one read and get different picks, in order', async () => {
  const held = new Set<string>();
  const claims = new ClaimReads((b) => held.has(b));
  let reads = 0;
  let open!: (v: WorkPick[]) => void;
  const read = () => { reads++; return new Promise<WorkPick[]>((r) => { open = r; }); };
  // Each claim's pick is marked held as it is chosen (the Witness's slinging entry).
  const claim = () => claims.next('a', read, (p) => { held.add(p.bead); return p.bead; });
  const all = Promise.all([claim(), claim(), claim()]);
  open([pick('aa-1'), pick('aa-2'), pick('aa-3'), pick('aa-4')]);
  assert.deepEqual(await all, ['aa-1', 'aa-2', 'aa-3']);
  assert.equal(reads, 1, 'one read for three claims');
});

test('candidates used up: the claim reads again once; a stale read is not reused', async () => {
  let now = 1000;
  const held = new Set<string>();
  const claims = new ClaimReads((b) => held.has(b), () => now);
  const served: string[][] = [];
  const readOf = (ids: string[]) => async () => { served.push(ids); return ids.map(pick); };
  const hold = (p: WorkPick) => { held.add(p.bead); return p; };
  const keep = (p: WorkPick) => p;
  await claims.next('a', readOf(['aa-1']), hold);
  // Fresh, but its one candidate is held: a second read, whose first free pick is taken.
  const second = await claims.next('a', readOf(['aa-1', 'aa-2']), hold);
  assert.equal(second?.bead, 'aa-2');
  assert.equal(served.length, 2);
  // Nothing free in a fresh read and its re-read: null, after one more read only.
  held.add('aa-2');
  assert.equal(await claims.next('a', readOf(['aa-1', 'aa-2']), hold), null);
  assert.equal(served.length, 3);
  // A pick handed out and released since (hooked) is not offered again by the same read.
  now += CLAIM_FRESH_MS + 1;
  held.clear();
  const chained = await claims.next('a', readOf(['aa-3', 'aa-4']), keep);
  assert.equal(chained?.bead, 'aa-3');
  assert.equal((await claims.next('a', readOf(['never read']), keep))?.bead, 'aa-4', 'the fresh read serves, its next pick');
  assert.equal(served.length, 4);
  // Past CLAIM_FRESH_MS the finished read's candidates are not offered: a new read answers.
  now += CLAIM_FRESH_MS + 1;
  held.clear();
  assert.equal((await claims.next('a', readOf(['aa-9']), keep))?.bead, 'aa-9');
  assert.equal(served.length, 5);
  // A failed read is no pick (the caller goes idle), and the next claim reads again.
  now += CLAIM_FRESH_MS + 1;
  assert.equal(await claims.next('a', async () => { throw new Error('dolt away'); }, keep), null);
  assert.equal((await claims.next('a', readOf(['aa-7']), keep))?.bead, 'aa-7');
});

// FinishedPrefix: a big convoy's leading chunks found all finished are not read again.
test('a convoy\'s finished prefix grows chunk by chunk from the start, expires, and resets when the convoy changes', () => {
  let now = 0;
  const prefix = new FinishedPrefix(() => now);
  const tracked = 3 * READY_CHUNK + 5;
  assert.equal(prefix.from('c', tracked), 0);
  prefix.finished('c', tracked, READY_CHUNK);
  assert.equal(prefix.from('c', tracked), 0, 'a finished chunk after an unread one does not count');
  prefix.finished('c', tracked, 0);
  prefix.finished('c', tracked, READY_CHUNK);
  assert.equal(prefix.from('c', tracked), 2 * READY_CHUNK);
  assert.equal(prefix.from('c', tracked + 1), 0, 'the convoy tracks another bead: read from the start');
  prefix.finished('c', tracked, 0);
  now += PREFIX_TRUST_MS + 1;
  assert.equal(prefix.from('c', tracked), 0, 'expired');
  prefix.finished('c', tracked, 0);
  prefix.forget('c');
  assert.equal(prefix.from('c', tracked), 0);
});

test('convoyUnfinished: chunk by chunk past the prefix, a chunk with a held bead answered from memory, the start read again before a convoy lands', async () => {
  const ids = Array.from({ length: 2 * READY_CHUNK + 3 }, (_, i) => `aa-${i}`);
  const status = new Map<string, Bead['status']>(ids.map((id) => [id, 'closed']));
  const held = new Set<string>();
  const calls: string[] = [];
  const r = {
    held: async (chunk: string[]) => { calls.push(`held ${chunk[0]}`); return chunk.some((id) => held.has(id)); },
    beads: async (chunk: string[]) => { calls.push(`read ${chunk[0]}`); return chunk.filter((id) => status.has(id)).map((id) => ({ status: status.get(id)! })); },
  };
  const prefix = new FinishedPrefix(() => 0);
  // The second chunk has a bead a polecat holds: the first chunk is read (finished: the prefix grows), the second is not.
  status.set(`aa-${READY_CHUNK + 1}`, 'in_progress');
  held.add(`aa-${READY_CHUNK + 1}`);
  assert.equal(await convoyUnfinished(r, prefix, 'c', ids), true);
  assert.deepEqual(calls, ['held aa-0', 'read aa-0', `held aa-${READY_CHUNK}`]);
  assert.equal(prefix.from('c', ids.length), READY_CHUNK);
  // Not held (in review, say) but unfinished: read, and the answer is the same.
  held.clear();
  calls.length = 0;
  assert.equal(await convoyUnfinished(r, prefix, 'c', ids), true);
  assert.deepEqual(calls, [`held aa-${READY_CHUNK}`, `read aa-${READY_CHUNK}`]);
  // Everything closed: the chunks past the prefix, then all of them again from the start; a missing bead counts as done.
  status.set(`aa-${READY_CHUNK + 1}`, 'closed');
  status.delete('aa-2');
  calls.length = 0;
  assert.equal(await convoyUnfinished(r, prefix, 'c', ids), false);
  assert.deepEqual(calls.filter((c) => c.startsWith('read')), [`read aa-${READY_CHUNK}`, `read aa-${2 * READY_CHUNK}`, 'read aa-0', `read aa-${READY_CHUNK}`, `read aa-${2 * READY_CHUNK}`]);
  // Without a memory of held beads every chunk is read, as before.
  status.set('aa-0', 'hooked');
  assert.equal(await convoyUnfinished({ beads: r.beads }, new FinishedPrefix(() => 0), 'c', ids), true);
});

test('pickWork starts a convoy past its finished prefix', async () => {
  const tracked = Array.from({ length: READY_CHUNK + 2 }, (_, i) => `aa-${i}`);
  const r = reads([], [bead('aa-1'), bead(`aa-${READY_CHUNK + 1}`)]);
  const picks = await pickWork(r, rigs, [{ ...convoy('hq-c', tracked, { rig: 'a' }), from: READY_CHUNK }], { town: 1, rigs: new Map([['a', 1]]) }, new Set());
  assert.deepEqual(picks.map((p) => p.bead), [`aa-${READY_CHUNK + 1}`]);
  assert.deepEqual(r.readyCalls, [tracked.slice(READY_CHUNK)], 'the prefix is not read');
});

test('free slots: working polecats and slings in flight count against the caps; gt done\'s claims do not', () => {
  const two = new Map([['a', { ...rig('a', 'aa'), maxPolecats: 3 }], ['b', { ...rig('b', 'bb'), maxPolecats: 2 }]]);
  const working = [{ rig: 'a' }, { rig: 'a' }, { rig: 'b' }];
  // A sling in flight to a: a's last slot is taken. Two claims by a's working polecats: nothing more.
  const free = freeSlots(two, 10, working, [{ rig: 'a' }, { rig: 'a', claim: true }, { rig: 'a', claim: true }]);
  assert.deepEqual([...free.rigs], [['a', 0], ['b', 1]]);
  assert.equal(free.town, 10 - 3 - 1);
  // Were the claims counted, a polecat gone idle in b would not be fed while they wait for their write.
  assert.deepEqual([...freeSlots(two, 4, working, [{ rig: 'b', claim: true }]).rigs], [['a', 1], ['b', 1]]);
  assert.equal(freeSlots(two, 4, working, [{ rig: 'b', claim: true }]).town, 1);
});
