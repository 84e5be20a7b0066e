// createAndUpdate and expectAssignee (real Dolt): a bead made and others changed to name it in ONE
// commit authored by the actor (what `gt done` writes: its merge request and the bead in review), all
// or nothing — a failed compare-and-set refuses the create too; and the compare-and-set on a bead's
// assignee refuses a write when somebody else holds the bead.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/errors.ts';
import { ledgerFixture } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();

describe('createAndUpdate and expectAssignee', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const log = async (): Promise<Array<{ committer: string; message: string }>> => {
    const [rows] = await t.raw.query('SELECT committer, message FROM dolt_log');
    return rows as Array<{ committer: string; message: string }>;
  };
  const count = async (): Promise<number> => {
    const [rows] = await t.raw.query('SELECT COUNT(*) AS n FROM issues');
    return Number((rows as Array<{ n: number }>)[0].n);
  };

  test('a request made and the bead naming it, in one commit by the actor', async () => {
    const work = await t.ledger.create({ title: 'work', prefix: 'cu', status: 'hooked', assignee: 'rig/polecats/a' }, 'tester');
    const before = (await log()).length;
    const { created, updated } = await t.ledger.createAndUpdate(
      [{ title: 'Merge it', type: 'merge-request', prefix: 'cu', labels: ['gt:merge-request'], metadata: { bead: work.id } }],
      ([mr]) => [{ id: work.id, patch: { status: 'in_progress', assignee: 'rig/refinery', expectStatus: ['hooked'], expectAssignee: 'rig/polecats/a', metadata: { review: mr.id } } }],
      'rig/polecats/a',
    );
    const commits = await log();
    assert.equal(commits.length, before + 1, 'one commit');
    assert.equal(commits[0].message, `update ${created[0].id} ${work.id}`);
    assert.match(commits[0].committer, /rig\/polecats\/a/);
    assert.equal(created[0].type, 'merge-request');
    assert.deepEqual(created[0].labels, ['gt:merge-request']);
    assert.deepEqual(updated[0].metadata, { review: created[0].id });
    const mr = await t.ledger.show(created[0].id);
    assert.equal(mr.title, 'Merge it');
    assert.equal(mr.createdBy, 'rig/polecats/a');
    assert.equal((await t.ledger.show(work.id)).assignee, 'rig/refinery');
  });

  test('a refused compare-and-set writes nothing: no bead made, no commit', async () => {
    const work = await t.ledger.create({ title: 'taken', prefix: 'cu', status: 'hooked', assignee: 'rig/polecats/b' }, 'tester');
    const [commits, beads] = [(await log()).length, await count()];
    await assert.rejects(
      t.ledger.createAndUpdate(
        [{ title: 'Merge it', type: 'merge-request', prefix: 'cu' }],
        ([mr]) => [{ id: work.id, patch: { status: 'in_progress', expectStatus: ['hooked'], expectAssignee: 'rig/polecats/a', metadata: { review: mr.id } } }],
        'rig/polecats/a',
      ),
      (e: unknown) => e instanceof TownError && e.code === 'conflict' && /assigned to rig\/polecats\/b, expected rig\/polecats\/a/.test(e.message),
    );
    assert.equal((await log()).length, commits, 'no commit');
    assert.equal(await count(), beads, 'no bead made');
    assert.equal((await t.ledger.show(work.id)).status, 'hooked');
  });

  test('expectAssignee null means nobody holds it', async () => {
    const free = await t.ledger.create({ title: 'free', prefix: 'cu' }, 'tester');
    const taken = await t.ledger.update(free.id, { status: 'hooked', assignee: 'rig/polecats/c', expectStatus: ['open'], expectAssignee: null }, 'tester');
    assert.equal(taken.assignee, 'rig/polecats/c');
    await assert.rejects(t.ledger.update(free.id, { assignee: 'rig/polecats/d', expectAssignee: null }, 'tester'), /assigned to rig\/polecats\/c, expected nobody/);
    await assert.rejects(t.ledger.update(free.id, { expectAssignee: 'rig/polecats/c' }, 'tester'), /nothing to update/);
  });

  test('labels added with a status change land in the same commit, with their events; a refused write adds none', async () => {
    const held = await t.ledger.create({ title: 'held', prefix: 'cu', status: 'in_progress', labels: ['keep'] }, 'tester');
    const before = (await log()).length;
    const after = await t.ledger.update(held.id, { status: 'blocked', expectStatus: ['in_progress'], addLabels: ['gt:needs-human', 'keep'] }, 'rig/refinery');
    assert.equal((await log()).length, before + 1, 'one commit');
    assert.equal(after.status, 'blocked');
    assert.deepEqual(after.labels, ['gt:needs-human', 'keep']);
    const [events] = await t.raw.query("SELECT comment FROM events WHERE issue_id = ? AND event_type = 'label_added' ORDER BY comment", [held.id]);
    assert.deepEqual((events as Array<{ comment: string }>).map((e) => e.comment), ['Added label: gt:needs-human', 'Added label: keep'], 'keep was added once, at create');
    await assert.rejects(t.ledger.update(held.id, { status: 'open', expectStatus: ['in_progress'], addLabels: ['gt:follow-up'] }, 'rig/refinery'), /is blocked, expected in_progress/);
    assert.deepEqual((await t.ledger.show(held.id)).labels, ['gt:needs-human', 'keep']);
    await assert.rejects(t.ledger.update(held.id, { addLabels: ['  '] }, 'tester'), (e: unknown) => e instanceof TownError && e.code === 'invalid');
  });
});
