// Bead reads in one statement on a real Dolt server (bead-rows.ts: labels joined onto a list's page or
// taken in a subquery of the bead's row; a show's dependencies and comments as JSON columns): labels
// come back complete, sorted as before (JS string order), odd characters included (Dolt leaves control
// characters unescaped in JSON), an empty label set as []; lists keep their order; a show's
// dependencies and comments equal the rows `ORDER BY created_at, id` reads, as of a past commit too;
// wisps likewise. Each read is counted in statements on the ledger's pool.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rowToComment, rowToDependency } from '../../main/ledger/bead-rows.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { countReads, ledgerFixture } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();
const LABELS = ['zeta', 'Alpha', 'beta', 'émile', 'b,c"d', 'esc\u001b[31m', 'tab\there', 'bell\u0007', '123', 'null', '😀 four'];

describe('one-statement bead reads', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const counted = <T,>(read: () => Promise<T>) => countReads(t.ledger, read);
  const rows = async (sql: string, params: unknown[] = []) => (await t.raw.query(sql, params))[0] as Array<Record<string, unknown>>;
  const storedLabels = async (table: string, id: string) => (await rows(`SELECT label FROM ${table} WHERE issue_id = ?`, [id])).map((r) => String(r.label)).sort();

  test('labels, their order and an empty set come back through list, getMany, ready, search, blocked and show', async () => {
    const solo = await t.ledger.create({ title: 'one-statement solo', prefix: 'ol', priority: 0, labels: ['solo'] }, 'mayor');
    const many = await t.ledger.create({ title: 'one-statement many', prefix: 'ol', priority: 1, labels: LABELS }, 'mayor');
    const none = await t.ledger.create({ title: 'one-statement none', prefix: 'ol', priority: 1 }, 'mayor');
    const sorted = [...LABELS].sort();
    assert.notDeepEqual(sorted, LABELS, 'the labels were written out of order');
    assert.deepEqual(await storedLabels('labels', many.id), sorted, 'every label stored');
    const want = new Map([[solo.id, ['solo']], [many.id, sorted], [none.id, []]]);
    const check = (beads: Array<{ id: string; labels: string[] }>, what: string) => {
      for (const b of beads) assert.deepEqual(b.labels, want.get(b.id), `${what}: labels of ${b.id}`);
    };

    const list = await counted(() => t.ledger.list({ prefix: 'ol' }));
    assert.deepEqual(list.value.map((b) => b.id), [solo.id, many.id, none.id], 'priority, then age');
    check(list.value, 'list');
    assert.equal(list.statements, 1);

    const byLabel = await counted(() => t.ledger.list({ label: 'Alpha' }));
    assert.deepEqual(byLabel.value.map((b) => [b.id, b.labels]), [[many.id, sorted]], 'a label filter keeps every label of the bead');
    assert.equal(byLabel.statements, 1);

    const got = await counted(() => t.ledger.getMany([none.id, 'ol-zzzzzz', many.id, solo.id]));
    assert.deepEqual(got.value.map((b) => b.id), [none.id, many.id, solo.id], 'in the order asked, missing ids left out');
    check(got.value, 'getMany');
    assert.equal(got.statements, 1);

    const ready = await counted(() => t.ledger.ready({ prefix: 'ol' }));
    assert.deepEqual(ready.value.map((b) => b.id), [solo.id, many.id, none.id]);
    check(ready.value, 'ready');
    assert.equal(ready.statements, 2, 'the page with its labels, then the hidden-children check');

    const found = await counted(() => t.ledger.search('one-statement'));
    assert.deepEqual(found.value.map((b) => b.id), [solo.id, many.id, none.id]);
    check(found.value, 'search');
    assert.equal(found.statements, 1);

    await t.ledger.addDependency(none.id, many.id, 'blocks', 'mayor');
    const blocked = await t.ledger.blocked({ prefix: 'ol' });
    assert.deepEqual(blocked.map((b) => [b.id, b.labels, b.blockedBy]), [[none.id, [], [many.id]]]);

    for (const b of [many, none, solo]) {
      const shown = await counted(() => t.ledger.show(b.id));
      assert.deepEqual(shown.value.labels, want.get(b.id), `show: labels of ${b.id}`);
      assert.equal(shown.statements, 1);
    }
  });

  test('show is one statement: dependencies and comments as the rows read them, as of a past commit too', async () => {
    const [a, b] = await t.ledger.createMany([{ title: 'dep a', prefix: 'sh' }, { title: 'dep b', prefix: 'sh' }], 'mayor');
    const x = await t.ledger.create({ title: 'shown', prefix: 'sh', labels: ['before'], dependencies: [{ dependsOnId: a.id }, { dependsOnId: b.id, type: 'related' }] }, 'mayor');
    await t.ledger.addComment(x.id, 'first \u001b[32mgreen\u001b[0m, a bell \u0007 and a "quote"\nnext line', 'refinery');
    // Two comments at the same instant: the id breaks the tie, as ORDER BY created_at, id does.
    await t.raw.query("INSERT INTO comments (id, issue_id, author, text, created_at) VALUES ('ffff0000-0000-0000-0000-000000000000', ?, 'w', 'tie f', '2020-01-01 00:00:00.000'), ('00000000-0000-0000-0000-00000000000a', ?, 'w', 'tie 0', '2020-01-01 00:00:00.000')", [x.id, x.id]);
    await t.raw.query("CALL DOLT_COMMIT('-Am', 'two comments at one instant', '--author', 'test <test@gastown.local>')");
    const past = await t.ledger.head();
    await t.ledger.addLabel(x.id, 'after', 'witness');
    await t.ledger.removeLabel(x.id, 'before', 'witness');
    await t.ledger.addComment(x.id, 'later', 'witness');
    const [c] = await t.ledger.createMany([{ title: 'dep c', prefix: 'sh' }], 'mayor');
    await t.ledger.addDependency(x.id, c.id, 'blocks', 'mayor');

    const expected = async (at = '') => ({
      labels: await storedLabels(`labels${at}`, x.id),
      dependencies: (await rows(`SELECT * FROM dependencies${at} WHERE issue_id = ? ORDER BY created_at, id`, [x.id])).map(rowToDependency),
      comments: (await rows(`SELECT * FROM comments${at} WHERE issue_id = ? ORDER BY created_at, id`, [x.id])).map(rowToComment),
    });
    const now = await counted(() => t.ledger.show(x.id));
    assert.equal(now.statements, 1);
    const { labels, dependencies, comments } = now.value;
    assert.deepEqual({ labels, dependencies, comments }, await expected());
    assert.deepEqual(dependencies?.map((d) => d.dependsOnId).sort(), [a.id, b.id, c.id].sort());
    assert.deepEqual(comments?.map((m) => m.text), ['tie 0', 'tie f', 'first \u001b[32mgreen\u001b[0m, a bell \u0007 and a "quote"\nnext line', 'later']);

    const then = await counted(() => t.ledger.show(x.id, { asOf: past }));
    assert.equal(then.statements, 1);
    assert.deepEqual({ labels: then.value.labels, dependencies: then.value.dependencies, comments: then.value.comments }, await expected(` AS OF '${past}'`));
    assert.deepEqual(then.value.labels, ['before']);
    assert.equal(then.value.dependencies?.length, 2);
    assert.equal(then.value.comments?.length, 3);

    const empty = await counted(() => t.ledger.show(c.id));
    assert.deepEqual([empty.value.labels, empty.value.dependencies, empty.value.comments, empty.statements], [[], [], [], 1]);
  });

  test('getOne: one bead light in one statement, as getMany reads it; a missing id is not_found, a malformed one invalid', async () => {
    const x = await t.ledger.create({ title: 'one', prefix: 'go', labels: ['b', 'a'], metadata: { k: 1 } }, 'mayor');
    const one = await counted(() => t.ledger.getOne(x.id));
    assert.equal(one.statements, 1);
    assert.deepEqual(one.value, (await t.ledger.getMany([x.id]))[0]);
    assert.deepEqual(one.value.labels, ['a', 'b']);
    await assert.rejects(t.ledger.getOne('go-nothere'), (e: Error & { code?: string }) => e.code === 'not_found' && /no bead go-nothere/.test(e.message));
    await assert.rejects(t.ledger.getOne('not an id'), (e: Error & { code?: string }) => e.code === 'invalid');
  });

  test('several types and statuses at once (an inbox): one statement, the others left out', async () => {
    const to = 'one/crew/reader';
    const message = await t.ledger.create({ title: 'inbox message', prefix: 'ib', type: 'message', assignee: to }, 'mayor');
    const read = await t.ledger.create({ title: 'inbox read', prefix: 'ib', type: 'message', assignee: to }, 'mayor');
    await t.ledger.closeBead(read.id, 'read', to);
    const escalation = await t.ledger.create({ title: 'inbox escalation', prefix: 'ib', type: 'escalation', assignee: to, priority: 0 }, 'mayor');
    await t.ledger.create({ title: 'inbox task', prefix: 'ib', type: 'task', assignee: to }, 'mayor');
    await t.ledger.create({ title: 'someone else\'s message', prefix: 'ib', type: 'message', assignee: 'one/crew/other' }, 'mayor');
    const unread = await counted(() => t.ledger.list({ types: ['message', 'escalation'], assignee: to, statuses: ['open', 'in_progress'] }));
    assert.deepEqual(unread.value.map((b) => b.id), [escalation.id, message.id], 'priority first; the read message, the task and the other agent\'s mail left out');
    assert.equal(unread.statements, 1);
    const all = await t.ledger.list({ types: ['message', 'escalation'], assignee: to });
    assert.deepEqual(all.map((b) => b.id).sort(), [escalation.id, message.id, read.id].sort());
    await assert.rejects(t.ledger.list({ types: ['letter' as 'message'] }), /list: types\.0: Invalid (enum value|option)/);
    await assert.rejects(t.ledger.list({ types: [] }), /list: types/);
  });

  test('wisps: a list and a show are one statement each, with their labels and comments', async () => {
    const w = await t.ledger.createWisp({ title: 'patrol', prefix: 'wp', labels: LABELS }, 'deacon');
    const bare = await t.ledger.createWisp({ title: 'bare', prefix: 'wp' }, 'deacon');
    await t.ledger.commentWisp(w.id, 'step \u001b[1mone\u001b[0m', 'deacon');
    await t.ledger.commentWisp(w.id, 'step two', 'deacon');
    const listed = await counted(() => t.ledger.listWisps({ prefix: 'wp' }));
    assert.equal(listed.statements, 1);
    assert.deepEqual(listed.value.map((b) => [b.id, b.labels]), [[bare.id, []], [w.id, await storedLabels('wisp_labels', w.id)]], 'newest change last');
    assert.deepEqual(listed.value[1].labels, [...LABELS].sort());
    const shown = await counted(() => t.ledger.showWisp(w.id));
    assert.equal(shown.statements, 1);
    assert.deepEqual(shown.value.labels, [...LABELS].sort());
    assert.deepEqual(shown.value.comments, (await rows('SELECT * FROM wisp_comments WHERE issue_id = ? ORDER BY created_at, id', [w.id])).map(rowToComment));
    assert.deepEqual(shown.value.comments?.map((m) => m.text), ['step \u001b[1mone\u001b[0m', 'step two']);
  });
});
