// The beads polecats hold, in memory (main/town/polecats/hooked-work.ts) over a real Dolt server:
// read once, then answered without a statement and equal to the ledger's own reads (the bead, and
// the Witness's list of held beads less other assignees); the town's hook and review writes seen at
// once; a bead held by someone who is not a polecat, or not held, answered null (the caller reads
// the ledger); a title changed by someone else (plain SQL + DOLT_COMMIT, as `bd` writes) answered
// once the feed delivers the commit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { HookedWork } from '../../main/town/polecats/hooked-work.ts';
import { countReads, ledgerFixture } from '../helpers/ledger-fixture.ts';
import { waitFor } from '../helpers/wait.ts';

const skip = doltAvailable();

describe('the hooked beads in memory', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const statementsOf = <T,>(read: () => Promise<T>) => countReads(t.ledger, read);

  test('own hooks held at once and equal to a read; not a polecat or not held is null; an outside edit arrives through the feed', async () => {
    const hooked = new HookedWork(t.ledger);
    const work = await t.ledger.create({ title: 'build the thing', prefix: 'hw', labels: ['area:core'] }, 'mayor');
    const crewWork = await t.ledger.create({ title: 'crew does this', prefix: 'hw' }, 'mayor');
    const started = await t.ledger.create({ title: 'started by hand', prefix: 'hw' }, 'mayor');

    const none = await statementsOf(() => hooked.get(work.id));
    assert.equal(none.value, null, 'an open bead is not held');
    assert.equal(none.statements, 1, 'the first read loads');

    // The town hooks it (a sling's write) and reports the answer: held without a read.
    const written = await t.ledger.updateMany([
      { id: work.id, patch: { status: 'hooked', assignee: 'rig1/polecats/ace', expectStatus: ['open'], metadata: { gt: { branch: 'polecat/ace/x' } } } },
      { id: crewWork.id, patch: { status: 'hooked', assignee: 'rig1/crew/max', expectStatus: ['open'] } },
      { id: started.id, patch: { status: 'in_progress', assignee: 'rig1/polecats/bo' } },
    ], 'mayor');
    hooked.written(written);
    const held = await statementsOf(() => hooked.get(work.id));
    assert.equal(held.statements, 0, 'the own write is held without a read');
    assert.deepEqual(held.value, await t.ledger.getOne(work.id), 'what is held is what the ledger reads');
    assert.equal(await hooked.get(crewWork.id), null, 'hooked to crew, not a polecat');
    assert.equal(await hooked.get('hw-nosuch'), null);
    // What the Witness's patrol lists, less the beads not held by a polecat.
    const listed = (await t.ledger.list({ statuses: ['hooked', 'in_progress'] })).filter((b) => b.assignee?.includes('/polecats/'));
    const all = await statementsOf(() => hooked.all());
    assert.equal(all.statements, 0);
    assert.deepEqual(all.value.map((b) => b.id).sort(), [started.id, work.id].sort());
    assert.deepEqual([...all.value].sort((a, b) => a.id.localeCompare(b.id)), listed.sort((a, b) => a.id.localeCompare(b.id)));

    // Answers are copies: changing one changes nothing held.
    held.value!.title = 'changed by a caller';
    assert.equal((await hooked.get(work.id))!.title, 'build the thing');

    // Someone else edits the title: answered once the feed delivers the commit.
    const feed = new BeadFeed(t.dolt.server.connection(), { pollMs: 50, idleMs: 50 });
    feed.on('event', (e) => hooked.onFeed(e));
    await feed.start();
    try {
      await t.raw.query("UPDATE issues SET title = 'build the better thing', updated_at = NOW() + INTERVAL 1 SECOND WHERE id = ?", [work.id]);
      await t.raw.query("CALL DOLT_ADD('issues')");
      await t.raw.query("CALL DOLT_COMMIT('-m', 'bd: update', '--author', 'human <human@example.com>')");
      await waitFor('the outside edit in the held bead', async () => (await hooked.get(work.id))?.title === 'build the better thing' || null, 30_000, 50);
      assert.deepEqual(await hooked.get(work.id), await t.ledger.getOne(work.id));
    } finally {
      await feed.stop();
    }

    // The bead goes to review (gt done's write): it leaves at once.
    hooked.written(await t.ledger.updateMany([
      { id: work.id, patch: { status: 'in_progress', assignee: 'rig1/refinery', expectStatus: ['hooked'], expectAssignee: 'rig1/polecats/ace' } },
    ], 'rig1/polecats/ace'));
    const gone = await statementsOf(() => hooked.get(work.id));
    assert.equal(gone.value, null);
    assert.equal(gone.statements, 0, 'left without a read');
  });
});
