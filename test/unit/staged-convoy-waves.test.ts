// Staged convoys' pure parts: which convoy bead is staged (preload/staged-convoys.ts) and the wave
// labels the convoy graph shows for it (renderer/views/convoys/graph-waves.ts, through the shared
// computeWaves of preload/waves.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Bead, Dependency } from '../../preload/types.ts';
import { isStagedConvoy, stagedNote } from '../../preload/staged-convoys.ts';
import { stagedWaveLabels } from '../../renderer/views/convoys/graph-waves.ts';

const bead = (id: string, extra: Partial<Bead> = {}): Bead => ({
  id, title: id, description: '', type: 'task', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'x',
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', closedAt: null, closeReason: '', labels: [], metadata: {}, ...extra,
});
const dep = (issueId: string, dependsOnId: string, type: Dependency['type']): Dependency => ({ issueId, dependsOnId, type, createdAt: '', createdBy: 'x' });
const byId = (...beads: Bead[]): Record<string, Bead> => Object.fromEntries(beads.map((b) => [b.id, b]));
const edges = (...deps: Dependency[]): Record<string, Dependency> => Object.fromEntries(deps.map((d) => [`${d.issueId}>${d.dependsOnId}>${d.type}`, d]));
const staged = (id: string): Bead => bead(id, { type: 'convoy', status: 'deferred', metadata: { staged: { at: '2026-01-01T00:00:00Z', by: 'mayor' } } });

test('a staged convoy is a deferred convoy bead with a staging note', () => {
  assert.deepEqual(stagedNote(staged('hq-c')), { at: '2026-01-01T00:00:00Z', by: 'mayor' });
  assert.equal(isStagedConvoy(bead('hq-c', { type: 'convoy' })), false, 'an open convoy is launched');
  assert.equal(isStagedConvoy(bead('hq-c', { type: 'convoy', status: 'deferred' })), false, 'deferred by hand, not staged');
  assert.equal(isStagedConvoy({ ...staged('hq-c'), status: 'open' }), false, 'launched: the status decides');
  assert.equal(isStagedConvoy({ ...staged('hq-c'), type: 'task' }), false, 'only convoys are staged');
});

test('the graph labels a staged convoy and its beads by wave; closed beads and blockers are left out', () => {
  const beads = byId(
    staged('hq-cv'), bead('a'), bead('b'), bead('c'), bead('d'), bead('done', { status: 'closed' }), bead('outside'),
    bead('hq-open', { type: 'convoy' }), bead('e'),
  );
  const labels = stagedWaveLabels(beads, edges(
    dep('hq-cv', 'a', 'tracks'), dep('hq-cv', 'b', 'tracks'), dep('hq-cv', 'c', 'tracks'), dep('hq-cv', 'd', 'tracks'), dep('hq-cv', 'done', 'tracks'),
    dep('b', 'a', 'blocks'), dep('c', 'a', 'blocks'), dep('d', 'b', 'blocks'), dep('d', 'c', 'blocks'),
    dep('a', 'done', 'blocks'), // closed: does not order
    dep('c', 'outside', 'blocks'), // outside the set: does not order
    dep('hq-open', 'e', 'tracks'), // a launched convoy: no labels
  ));
  assert.deepEqual(Object.fromEntries(labels), {
    'hq-cv': 'staged · 3 waves', a: 'Wave 1/3', b: 'Wave 2/3', c: 'Wave 2/3', d: 'Wave 3/3',
  });
});

test('a cycle among a staged convoy\'s beads labels the convoy, not its beads; no staged convoy, no labels', () => {
  const beads = byId(staged('hq-cv'), bead('a'), bead('b'));
  const labels = stagedWaveLabels(beads, edges(dep('hq-cv', 'a', 'tracks'), dep('hq-cv', 'b', 'tracks'), dep('a', 'b', 'blocks'), dep('b', 'a', 'blocks')));
  assert.deepEqual(Object.fromEntries(labels), { 'hq-cv': 'staged · cycle' });
  assert.equal(stagedWaveLabels(byId(bead('a'), bead('hq-c', { type: 'convoy' })), edges(dep('hq-c', 'a', 'tracks'))).size, 0);
});
