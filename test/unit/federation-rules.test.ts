// The pure cores of federation: the ledger's merge rules and the commons' claim rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveChildCounter, resolveIssue, resolveWith, LEDGER_RULES, type Row } from '../../main/town/federation/merge-rules.ts';
import { autoClaimable, claimRefusal, commonsRules, resolveClaimAttempt, resolveTown, resolveWanted } from '../../main/town/federation/claim-rules.ts';
import { splitConflict } from '../../main/town/federation/dolt-sync.ts';

const bead = (over: Row = {}): Row => ({
  id: 'hq-abc', title: 'Fix it', description: '', status: 'open', priority: 2, assignee: null, updated_at: '2026-01-01 10:00:00.000',
  closed_at: null, close_reason: '', started_at: null, metadata: '{}', is_blocked: 0, ...over,
});

test('issues: the furthest status wins, with its closing fields, whichever side has it', () => {
  const base = bead();
  const ours = bead({ status: 'in_progress', started_at: '2026-01-01 11:00:00.000', updated_at: '2026-01-01 12:00:00.000' });
  const theirs = bead({ status: 'closed', closed_at: '2026-01-01 11:30:00.000', close_reason: 'done', updated_at: '2026-01-01 11:30:00.000' });
  for (const [o, t] of [[ours, theirs], [theirs, ours]]) {
    const r = resolveIssue({ base, ours: o, theirs: t });
    assert.equal(r.action, 'write');
    if (r.action !== 'write') return;
    assert.equal(r.row.status, 'closed');
    assert.equal(r.row.closed_at, '2026-01-01 11:30:00.000');
    assert.equal(r.row.close_reason, 'done');
    assert.equal(r.row.updated_at, '2026-01-01 12:00:00.000', 'the later updated_at');
  }
});

test('issues: a field changed on both sides takes the later change; on one side, that change', () => {
  const base = bead();
  const ours = bead({ title: 'ours title', priority: 1, updated_at: '2026-01-01 12:00:00.000' });
  const theirs = bead({ title: 'their title', assignee: 'rig/polecats/a', updated_at: '2026-01-01 11:00:00.000' });
  const r = resolveIssue({ base, ours, theirs });
  assert.ok(r.action === 'write');
  assert.equal(r.row.title, 'ours title', 'later change');
  assert.equal(r.row.priority, 1, 'only ours changed it');
  assert.equal(r.row.assignee, 'rig/polecats/a', 'only theirs changed it');
  const flipped = resolveIssue({ base, ours: theirs, theirs: ours });
  assert.ok(flipped.action === 'write');
  assert.deepEqual(flipped.row, r.row, 'both towns reach the same row');
});

test('issues: metadata merges key by key; is_blocked is left to the ledger', () => {
  const base = bead({ metadata: '{"a":1}' });
  const ours = bead({ metadata: '{"a":1,"ours":true}', is_blocked: 1, updated_at: '2026-01-01 12:00:00.000' });
  const theirs = bead({ metadata: { a: 2, theirs: true }, updated_at: '2026-01-01 11:00:00.000' });
  const r = resolveIssue({ base, ours, theirs });
  assert.ok(r.action === 'write');
  assert.deepEqual(JSON.parse(String(r.row.metadata)), { a: 2, ours: true, theirs: true });
  assert.equal(r.row.is_blocked, 1);
});

test('issues: a row deleted on one side and changed on the other is kept, with a note', () => {
  const changed = bead({ title: 'changed' });
  const kept = resolveIssue({ base: bead(), ours: null, theirs: changed });
  assert.ok(kept.action === 'write' && kept.row.title === 'changed' && /kept the change/.test(kept.note ?? ''));
  const ours = resolveIssue({ base: bead(), ours: changed, theirs: null });
  assert.equal(ours.action, 'keep-ours');
});

test('child counters take the larger; a table without a rule is unresolved', () => {
  const r = resolveChildCounter({ base: null, ours: { parent_id: 'hq-a', last_child: 3 }, theirs: { parent_id: 'hq-a', last_child: 5 } });
  assert.ok(r.action === 'write' && r.row.last_child === 5);
  assert.equal(resolveChildCounter({ base: null, ours: { parent_id: 'hq-a', last_child: 7 }, theirs: { parent_id: 'hq-a', last_child: 5 } }).action, 'keep-ours');
  const u = resolveWith(LEDGER_RULES, 'config', { base: null, ours: { key: 'k', value: 'a' }, theirs: { key: 'k', value: 'b' } });
  assert.equal(u.action, 'unresolved');
});

const item = (over: Row = {}): Row => ({
  id: 'w-1', title: 'Wanted', status: 'open', claimed_by: null, claimed_at: null, completed_ref: null, completed_at: null,
  posted_by: 'town-a', updated_at: '2026-01-01 10:00:00.000', ...over,
});

test('claim race: the claim already on the commons (theirs) stands; ours is lost', () => {
  const base = item();
  const ours = item({ status: 'claimed', claimed_by: 'town-c', claimed_at: '2026-01-01 10:00:01.000', updated_at: '2026-01-01 10:00:01.000' });
  const theirs = item({ status: 'claimed', claimed_by: 'town-b', claimed_at: '2026-01-01 10:00:02.000', updated_at: '2026-01-01 10:00:02.000' });
  const r = resolveWanted({ base, ours, theirs }, 'town-c');
  assert.ok(r.action === 'write');
  assert.equal(r.row.claimed_by, 'town-b');
  assert.equal(r.row.claimed_at, '2026-01-01 10:00:02.000');
  assert.equal(r.lost, 'w-1');
  // The winner, seeing the same conflict the other way round (not possible after a fast-forward push, but stable):
  const other = resolveWanted({ base, ours: theirs, theirs: ours }, 'town-b');
  assert.ok(other.action === 'write');
  assert.equal(other.lost, 'w-1', 'whoever is second to the commons loses');
});

test('claim race: status only moves forward; completion by the claimant survives a stale side', () => {
  const base = item({ status: 'claimed', claimed_by: 'town-b' });
  const ours = item({ status: 'claimed', claimed_by: 'town-b', title: 'retitled', updated_at: '2026-01-01 12:00:00.000' });
  const theirs = item({ status: 'completed', claimed_by: 'town-b', completed_ref: 'gt://town-b/hq-x', completed_at: '2026-01-01 11:00:00.000', updated_at: '2026-01-01 11:00:00.000' });
  const r = resolveWanted({ base, ours, theirs }, 'town-a');
  assert.ok(r.action === 'write');
  assert.equal(r.row.status, 'completed');
  assert.equal(r.row.completed_ref, 'gt://town-b/hq-x');
  assert.equal(r.row.title, 'retitled');
  assert.equal(r.lost, undefined);
  const w = resolveWanted({ base: item(), ours: item({ status: 'withdrawn' }), theirs: item({ status: 'claimed', claimed_by: 'town-b' }) }, 'town-a');
  assert.ok(w.action === 'write' && w.row.status === 'withdrawn');
});

test('commonsRules collects lost claims; claim attempts and towns only move forward', () => {
  const lost: string[] = [];
  const rules = commonsRules('town-c', lost);
  rules.wanted({ base: item(), ours: item({ status: 'claimed', claimed_by: 'town-c' }), theirs: item({ status: 'claimed', claimed_by: 'town-b' }) });
  assert.deepEqual(lost, ['w-1']);
  const a = resolveClaimAttempt({ base: null, ours: { wanted_id: 'w-1', town: 'c', outcome: 'claimed' }, theirs: { wanted_id: 'w-1', town: 'c', outcome: 'lost' } });
  assert.ok(a.action === 'write' && a.row.outcome === 'lost');
  const t = resolveTown({ base: null, ours: { handle: 'x', accepted: 1, accepted_by: 'a' }, theirs: { handle: 'x', accepted: 0, accepted_by: '' } });
  assert.ok(t.action === 'write' && t.row.accepted === 1);
});

test('trust: untrusted entries are never auto-claimable and a claim of one needs --untrusted', () => {
  const accepted = new Set(['town-a', 'town-b']);
  const entries = [
    { id: 'w-1', status: 'open', postedBy: 'town-a', claimedBy: null },
    { id: 'w-2', status: 'open', postedBy: 'stranger', claimedBy: null },
    { id: 'w-3', status: 'claimed', postedBy: 'town-a', claimedBy: 'town-c' },
    { id: 'w-4', status: 'open', postedBy: 'town-b', claimedBy: null },
  ];
  assert.deepEqual(autoClaimable(entries, accepted, 'town-b').map((e) => e.id), ['w-1']);
  assert.match(claimRefusal(entries[1], accepted, 'town-b', false) ?? '', /untrusted/);
  assert.equal(claimRefusal(entries[1], accepted, 'town-b', true), null);
  assert.match(claimRefusal(entries[2], accepted, 'town-b', false) ?? '', /claimed by town-c/);
  assert.match(claimRefusal(null, accepted, 'town-b', false) ?? '', /no such/);
});

test('splitConflict: a removed side is null, columns lose their prefix', () => {
  const c = splitConflict({
    from_root_ish: 'x', base_id: 'a', base_v: 1, our_id: 'a', our_v: 2, our_diff_type: 'modified',
    their_id: null, their_v: null, their_diff_type: 'removed', dolt_conflict_id: 'q',
  });
  assert.deepEqual(c.base, { id: 'a', v: 1 });
  assert.deepEqual(c.ours, { id: 'a', v: 2 });
  assert.equal(c.theirs, null);
});

test('status bar remotes summary: none, never synced, ok, failing', async () => {
  const { remotesSummary } = await import('../../renderer/state/federation-slice.ts');
  const info = (remotes: Array<{ push: { ok: boolean } | null; pull: { ok: boolean } | null }>) => ({
    identity: 't', serving: null, remoteUser: null, remotePasswordSet: false, commons: null,
    remotes: remotes.map((r, i) => ({ name: `r${i}`, url: 'file:///x', push: r.push && { ...r.push, at: 1, message: '' }, pull: r.pull && { ...r.pull, at: 1, message: '' } })),
  });
  assert.equal(remotesSummary(null), '');
  assert.equal(remotesSummary(info([])), '');
  assert.equal(remotesSummary(info([{ push: null, pull: null }])), 'Remotes: 1 never synced');
  assert.equal(remotesSummary(info([{ push: { ok: true }, pull: null }, { push: null, pull: null }])), 'Remotes: 2 ok');
  assert.equal(remotesSummary(info([{ push: { ok: true }, pull: { ok: false } }])), 'Remotes: 1 failing');
});
