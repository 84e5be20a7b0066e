// Pure parts of the Board: column classification, what a move between columns writes, sling drop
// decisions (refusals and confirmations), and dropped-file detection and parsing (Markdown, CSV, JSONL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead, Dependency } from '../../preload/types.ts';
import { boardColumns, columnOf, moveTo, openBlockers } from '../../renderer/board/board-columns.ts';
import { slingDecision, type RosterAgent } from '../../renderer/board/board-drops.ts';
import { checkFile, importKind, MAX_IMPORT_BYTES, parseJsonlBeads, parseMarkdownBeads, previewImport } from '../../renderer/board/file-import.ts';
import { shownBead } from '../../renderer/state/board-slice.ts';

const bead = (id: string, over: Partial<Bead> = {}): Bead => ({
  id, title: id, description: '', type: 'task', status: 'open', priority: 2, assignee: null, owner: '', createdBy: 'x',
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', closedAt: null, closeReason: '', labels: [], metadata: {}, ...over,
});
const review = { gt: { review: { mergeRequest: 'yd-mr1', since: '2026-01-01T00:00:00Z' } } };
const dep = (issueId: string, dependsOnId: string, type: Dependency['type'] = 'blocks'): Dependency => ({ issueId, dependsOnId, type, createdAt: '', createdBy: '' });

test('columns: ready, blocked (by status or an open blocker), in progress, in review, done; non-work beads are off the board', () => {
  assert.equal(columnOf(bead('a')), 'ready');
  assert.equal(columnOf(bead('a'), ['b']), 'blocked');
  assert.equal(columnOf(bead('a', { status: 'blocked' })), 'blocked');
  assert.equal(columnOf(bead('a', { status: 'deferred' })), 'blocked');
  assert.equal(columnOf(bead('a', { status: 'hooked', assignee: 'yard/polecats/nux' })), 'in-progress');
  assert.equal(columnOf(bead('a', { status: 'in_progress', assignee: 'yard/polecats/nux' })), 'in-progress');
  assert.equal(columnOf(bead('a', { status: 'in_progress', assignee: 'yard/refinery', metadata: review })), 'in-review');
  // Held by the refinery without a review note: not in review.
  assert.equal(columnOf(bead('a', { status: 'in_progress', assignee: 'yard/refinery' })), 'in-progress');
  assert.equal(columnOf(bead('a', { status: 'closed' })), 'done');
  assert.equal(columnOf(bead('a', { status: 'pinned' })), null);
  for (const type of ['agent', 'rig', 'convoy', 'merge-request', 'message', 'escalation'] as const) assert.equal(columnOf(bead('a', { type })), null, type);
});

test('open blockers: only blocks edges to beads not closed; columns sorted by priority then age', () => {
  const beads = { a: bead('a'), b: bead('b'), c: bead('c', { status: 'closed' }), d: bead('d', { priority: 0, createdAt: '2026-02-01T00:00:00Z' }) };
  const deps = { 1: dep('a', 'b'), 2: dep('b', 'c'), 3: dep('d', 'a', 'related') };
  const blockers = openBlockers(beads, deps);
  assert.deepEqual(blockers.get('a'), ['b']);
  assert.equal(blockers.get('b'), undefined);
  const cols = boardColumns(beads, blockers);
  assert.deepEqual(cols.ready.map((b) => b.id), ['d', 'b']);
  assert.deepEqual(cols.blocked.map((b) => b.id), ['a']);
  assert.deepEqual(cols.done.map((b) => b.id), ['c']);
});

test('moves: a compare-and-set on the status seen; review and blocked-by-dependency refusals; hooked work back to ready is an unsling', () => {
  assert.deepEqual(moveTo(bead('a'), 'done'), { kind: 'update', status: 'closed', expectStatus: ['open'] });
  assert.deepEqual(moveTo(bead('a', { status: 'blocked' }), 'ready'), { kind: 'update', status: 'open', expectStatus: ['blocked'] });
  assert.deepEqual(moveTo(bead('a'), 'ready'), { kind: 'none' });
  assert.equal(moveTo(bead('a'), 'in-review').kind, 'refuse');
  const inReview = moveTo(bead('a', { status: 'in_progress', assignee: 'yard/refinery', metadata: review }), 'done');
  assert.equal(inReview.kind, 'refuse');
  assert.match((inReview as { reason: string }).reason, /merge queue/);
  const blocked = moveTo(bead('a'), 'ready', ['b']);
  assert.equal(blocked.kind, 'refuse', 'an open bead with an open blocker is blocked: a drag cannot make it ready');
});

test('moves: a dependency-blocked bead cannot be made ready by a drag', () => {
  const m = moveTo(bead('a', { status: 'blocked' }), 'ready', ['b']);
  assert.equal(m.kind, 'refuse');
  assert.match((m as { reason: string }).reason, /blocked by b/);
  assert.deepEqual(moveTo(bead('a', { status: 'hooked', assignee: 'yard/polecats/nux' }), 'ready'), { kind: 'unsling' });
});

const idle: RosterAgent = { id: 'yard/polecats/nux', role: 'polecat', rig: 'yard', state: 'idle', hook: null };

test('sling drops: refusals for a closed bead, work in review or held, an agent at capacity, several beads on one agent', () => {
  const none = () => [];
  const reason = (d: ReturnType<typeof slingDecision>) => (d.kind === 'refuse' ? d.reason : '');
  assert.match(reason(slingDecision([bead('a', { status: 'closed' })], { kind: 'agent', agent: idle }, none)), /a is closed/);
  assert.match(reason(slingDecision([bead('a', { status: 'in_progress', assignee: 'yard/refinery', metadata: review })], { kind: 'rig', rig: 'yard' }, none)), /in review/);
  assert.match(reason(slingDecision([bead('a', { status: 'hooked', assignee: 'yard/polecats/ace' })], { kind: 'any' }, none)), /already hooked by yard\/polecats\/ace/);
  assert.match(reason(slingDecision([bead('a')], { kind: 'agent', agent: { ...idle, hook: 'yd-9' } }, none)), /at capacity: yd-9/);
  assert.match(reason(slingDecision([bead('a'), bead('b')], { kind: 'agent', agent: idle }, none)), /one hook at a time/);
  assert.match(reason(slingDecision([bead('a', { type: 'rig' })], { kind: 'any' }, none)), /not work/);
});

test('sling drops: one bead to an agent or any polecat; several to a rig make a convoy; an open blocker asks first', () => {
  assert.deepEqual(slingDecision([bead('a')], { kind: 'agent', agent: idle }, () => []), { kind: 'sling', beads: ['a'], target: idle.id, convoy: false, confirm: null });
  assert.deepEqual(slingDecision([bead('a')], { kind: 'any' }, () => []), { kind: 'sling', beads: ['a'], target: null, convoy: false, confirm: null });
  assert.deepEqual(slingDecision([bead('a'), bead('b')], { kind: 'rig', rig: 'yard' }, () => []), { kind: 'sling', beads: ['a', 'b'], target: 'yard', convoy: true, confirm: null });
  const d = slingDecision([bead('a')], { kind: 'rig', rig: 'yard' }, (id) => (id === 'a' ? ['b'] : []));
  assert.equal(d.kind, 'sling');
  assert.match((d as { confirm: string }).confirm, /a is blocked by b .*anyway\?/);
});

test('optimistic cards: shown until the store\'s bead changes', () => {
  const b = bead('a');
  const pending = { a: { bead: { ...b, status: 'closed' as const }, base: b.updatedAt } };
  assert.equal(shownBead({ a: b }, pending, 'a')?.status, 'closed');
  assert.equal(shownBead({ a: { ...b, updatedAt: '2026-01-02T00:00:00Z', status: 'deferred' } }, pending, 'a')?.status, 'deferred');
});

test('file drops: kind by name; refusals for other kinds, too large, empty and binary files', () => {
  assert.equal(importKind('plan.MD'), 'markdown');
  assert.equal(importKind('rows.csv'), 'csv');
  assert.equal(importKind('issues.jsonl'), 'jsonl');
  assert.equal(importKind('shot.png'), null);
  assert.match(checkFile('shot.png', 10)!, /shot\.png is not a Markdown .* nothing was imported/);
  assert.match(checkFile('big.csv', MAX_IMPORT_BYTES + 1)!, /big\.csv is too large/);
  assert.match(checkFile('e.md', 0)!, /empty/);
  assert.equal(checkFile('ok.md', 10), null);
  const bin = previewImport('x.csv', 4, 'a\u0000b');
  assert.equal(bin.ok, false);
  assert.match((bin as { error: string }).error, /binary/);
});

test('Markdown: one bead per top-level heading, else per top-level list item', () => {
  const byHeading = parseMarkdownBeads('intro\n## First\nbody one\n### sub\nmore\n## Second\n```\n## not a heading\n```\n');
  assert.deepEqual(byHeading.map((b) => b.title), ['First', 'Second']);
  assert.equal(byHeading[0].description, 'body one\n### sub\nmore');
  assert.match(byHeading[1].description, /## not a heading/);
  const byItem = parseMarkdownBeads('- [ ] Fix the parser\n  it drops quotes\n  - nested stays\n* Write docs\n1. Third\n');
  assert.deepEqual(byItem.map((b) => b.title), ['Fix the parser', 'Write docs', 'Third']);
  assert.equal(byItem[0].description, 'it drops quotes\n- nested stays');
  assert.throws(() => parseMarkdownBeads('just prose\n'), /no top-level heading or list item/);
});

test('CSV: the convoy parser, a title column, errors with line numbers', () => {
  const ok = previewImport('jobs.csv', 40, 'title,description\nA,one\n"B, quoted",two\n');
  assert.ok(ok.ok);
  const p = (ok as { preview: { kind: string; name: string; titleTemplate: string; beads: Array<{ title: string }> } }).preview;
  assert.equal(p.kind, 'csv');
  assert.equal(p.name, 'jobs');
  assert.equal(p.titleTemplate, '{{title}}');
  assert.deepEqual(p.beads.map((b) => b.title), ['A', 'B, quoted']);
  const firstColumn = previewImport('f.csv', 20, 'file,why\nsrc/a.ts,slow\n');
  assert.equal((firstColumn as { preview: { titleTemplate: string } }).preview.titleTemplate, '{{file}}');
  const bad = previewImport('bad.csv', 20, 'a,b\n1,2\n3\n');
  assert.equal(bad.ok, false);
  assert.match((bad as { error: string }).error, /bad\.csv: CSV line 3: 1 fields, the header has 2; nothing was imported/);
  const emptyTitle = previewImport('e.csv', 20, 'title,x\n"",1\n');
  assert.match((emptyTitle as { error: string }).error, /line 2: the title column is empty/);
});

test('JSONL: objects with id and title, else the line is named', () => {
  assert.deepEqual(parseJsonlBeads('{"id":"a-1","title":"A"}\n\n{"id":"a-2","title":"B","status":"open"}\n'), [{ id: 'a-1', title: 'A' }, { id: 'a-2', title: 'B' }]);
  assert.throws(() => parseJsonlBeads('{"id":"a-1","title":"A"}\nnope\n'), /line 2 is not JSON/);
  assert.throws(() => parseJsonlBeads('[1]\n'), /line 1 is not a JSON object/);
  assert.throws(() => parseJsonlBeads('{"title":"x"}\n'), /line 1 has no "id"/);
  assert.throws(() => parseJsonlBeads('\n'), /no bead/);
});

test('keyboard drag: an arrow key jumps to the nearest drop target that way', async () => {
  const { nextTarget, directionOf } = await import('../../renderer/board/keyboard-targets.ts');
  const rects = [
    { id: 'col:ready', left: 0, top: 0, width: 200, height: 800 },
    { id: 'col:blocked', left: 210, top: 0, width: 200, height: 800 },
    { id: 'agent:a', left: 1200, top: 100, width: 200, height: 30 },
    { id: 'agent:b', left: 1200, top: 140, width: 200, height: 30 },
  ];
  assert.equal(directionOf('ArrowRight'), 'right');
  assert.equal(nextTarget({ x: 100, y: 115 }, rects, 'right', 'col:ready')?.id, 'col:blocked');
  assert.equal(nextTarget({ x: 310, y: 115 }, rects, 'right', 'col:blocked')?.id, 'agent:a');
  assert.equal(nextTarget({ x: 1300, y: 115 }, rects, 'down', 'agent:a')?.id, 'agent:b');
  assert.equal(nextTarget({ x: 100, y: 115 }, rects, 'left', 'col:ready'), null);
});

test('store: a move shows at once, and a refused compare-and-set rolls it back with a message naming why', async () => {
  const { createStore } = await import('zustand/vanilla');
  const { boardActions, emptyBoardSlice, shownBead: shown } = await import('../../renderer/state/board-slice.ts');
  const { beadDomainFrom } = await import('../../renderer/state/bead-changes.ts');
  const b = bead('yd-1', { status: 'blocked' });
  const store = createStore(() => ({ ...emptyBoardSlice(), beads: beadDomainFrom([b], []), lastError: null as string | null }));
  const calls: unknown[] = [];
  let answer: (v: unknown) => void = () => undefined;
  let refuse: (e: Error) => void = () => undefined;
  const client = { beadUpdate: (args: unknown) => { calls.push(args); return new Promise((res, rej) => { answer = res; refuse = rej; }); } };
  const actions = boardActions(client as never, store as never);
  const refused = actions.moveBead(b, 'ready');
  assert.deepEqual(calls, [{ id: 'yd-1', status: 'open', expectStatus: ['blocked'] }]);
  assert.equal(shown(store.getState().beads.beads, store.getState().board.pending, 'yd-1')?.status, 'open', 'optimistic');
  refuse(new Error('yd-1 is deferred, expected blocked'));
  assert.equal(await refused, 'refused');
  assert.equal(shown(store.getState().beads.beads, store.getState().board.pending, 'yd-1')?.status, 'blocked', 'rolled back');
  assert.match(store.getState().lastError!, /Move of yd-1 refused: yd-1 is deferred, expected blocked/);
  const moved = actions.moveBead(b, 'done');
  answer({ ...b, status: 'closed', updatedAt: '2026-01-02T00:00:00Z' });
  assert.equal(await moved, 'moved');
  assert.equal(store.getState().beads.beads['yd-1'].status, 'closed', 'the reply is kept');
  assert.deepEqual(store.getState().board.pending, {});
});
