// The feed told of the ledger's own commits (Ledger.onCommitted → BeadFeed.ownCommit) against a real
// dolt sql-server: it delivers exactly what a feed that asks Dolt about every commit delivers (the
// same commits, authors and changes, an outsider's commit in between included), without asking for
// HEAD or for the changed tables of its own commits, nor for the log of its described ones; an
// outsider's commit after the last own one waits for the next poll (a HEAD poll, or the next own
// commit's, which reads HEAD with its parents); and a stale hint (a commit
// already delivered) never moves the feed back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { comparable, startFeedPair, type FeedPair } from '../helpers/feed-pair.ts';
import { waitFor } from '../helpers/wait.ts';
import type { OwnCommit } from '../../main/ledger/write-tx.ts';
import type { Bead } from '../../preload/types.ts';

/** The hinted feed's questions counted by shape (the first match of `shapes`, else the statement's
 *  first 30 characters); `restart()` counts from now. `see` answers the statement's shape. */
function questionCounter(shapes: RegExp) {
  const counts = new Map<string, number>();
  let start = new Map<string, number>();
  return {
    see(sql: string): string {
      const shape = shapes.exec(sql)?.[0] ?? sql.slice(0, 30);
      counts.set(shape, (counts.get(shape) ?? 0) + 1);
      return shape;
    },
    restart(): void {
      start = new Map(counts);
    },
    asked: (shape: string) => (counts.get(shape) ?? 0) - (start.get(shape) ?? 0),
  };
}

/** The first own commit hinted as usual (the feed reads the log for it: nothing delivered yet to
 *  chain from); the hints of the commits after it held back, for the test to give. */
async function firstThenHold({ ledger, hinted }: FeedPair): Promise<{ bead: Bead; held: OwnCommit[] }> {
  const held: OwnCommit[] = [];
  let holding = false;
  ledger.onCommitted((c) => (holding ? held.push(c) : hinted.ownCommit(c)));
  const bead = await ledger.create({ title: 'first' }, 'mayor');
  const first = await ledger.head();
  await waitFor('the hinted feed at the first commit', () => hinted.headSeen === first || null, 20_000);
  holding = true;
  return { bead, held };
}

test('feed: own commits are delivered as a full diff would, without HEAD or diff-summary questions', async (t) => {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  // The hinted feed's statements, counted by their first words.
  const questions = questionCounter(/HASHOF\('HEAD'\)|HASHOF\(\?\) AS p0|dolt_diff_summary|dolt_diff\(|dolt_log|AS OF/);
  const pair = await startFeedPair((sql) => { questions.see(sql); });
  const { ledger, hinted, plain, got, commits, outsider } = pair;
  try {
    ledger.onCommitted((c) => hinted.ownCommit(c));
    questions.restart();

    // Every kind of change the feed reports, from the ledger's own writes.
    const a = await ledger.create({ title: 'first', labels: ['x', 'y'] }, 'mayor');
    const b = await ledger.create({ title: 'second' }, 'gastown/polecats/nux');
    await ledger.update(a.id, { title: 'first, renamed', priority: 1 }, 'gastown/witness');
    await ledger.addLabel(b.id, 'urgent', 'mayor');
    await ledger.addDependency(a.id, b.id, 'blocks', 'mayor');
    // An outsider's commit between two of ours: delivered with its own diff, in order.
    const out = await outsider.getConnection();
    await out.query('UPDATE issues SET title = ? WHERE id = ?', ['second, by hand', b.id]);
    await out.query("CALL DOLT_ADD('issues')");
    await out.query("CALL DOLT_COMMIT('-m', 'by hand', '--author', 'outsider <outsider@example.com>')");
    out.release();
    await ledger.addComment(a.id, 'looks good', 'gastown/witness');
    await ledger.closeBead(b.id, 'done', 'gastown/refinery');
    const head = await ledger.head();

    await waitFor('the hinted feed at HEAD', () => hinted.headSeen === head, 20_000);
    await waitFor('the plain feed at HEAD', () => plain.headSeen === head, 20_000);
    assert.equal(commits.hinted.length, 8, 'seven own commits and the outsider\'s');
    assert.deepEqual(commits.hinted, commits.plain, 'the same commits, in the same order');
    assert.deepEqual(comparable(got.hinted), comparable(got.plain), 'the same events');
    assert.ok(got.hinted.some((e) => e.author.startsWith('outsider') && e.changes.some((c) => c.kind === 'updated' && c.id === b.id)));
    const { asked } = questions;
    assert.equal(asked("HASHOF('HEAD')"), 0, 'no HEAD question: every poll went up to an own commit');
    // The log only for the polls that meet a commit a description cannot stand for (the first write,
    // the blocking dependency, the comment after the outsider's commit, the close that frees a
    // blocked bead); the described ones between them from their parents' hashes.
    assert.ok(asked('dolt_log') <= 4, `the log read ${asked('dolt_log')} times`);
    assert.ok(asked('HASHOF(?) AS p0') >= 1, 'described own commits delivered from their parents\' hashes');
    assert.equal(asked('dolt_diff_summary'), 1, 'only the outsider\'s commit needed Dolt to say which tables changed');

    // An outsider's commit after the last own one waits for a HEAD poll (here a poke).
    const later = await outsider.getConnection();
    await later.query('UPDATE issues SET title = ? WHERE id = ?', ['first, by hand', a.id]);
    await later.query("CALL DOLT_ADD('issues')");
    await later.query("CALL DOLT_COMMIT('-m', 'by hand again', '--author', 'outsider <outsider@example.com>')");
    later.release();
    const outsiderHead = await ledger.head();
    await waitFor('the plain feed at the outsider\'s commit', () => plain.headSeen === outsiderHead, 20_000);
    assert.equal(hinted.headSeen, head, 'not seen without a HEAD poll');
    hinted.poke();
    await waitFor('the hinted feed at the outsider\'s commit', () => hinted.headSeen === outsiderHead, 20_000);
    assert.deepEqual(comparable(got.hinted), comparable(got.plain));

    // A stale hint (a commit delivered long ago) is checked against the log, and HEAD decides.
    const before = got.hinted.length;
    hinted.ownCommit({ hash: commits.hinted[0], tables: ['issues'] });
    await waitFor('the stale hint\'s poll', () => asked("HASHOF('HEAD')") >= 2 || null, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hinted.headSeen, outsiderHead, 'the feed did not move back');
    assert.equal(got.hinted.length, before, 'nothing delivered twice');
  } finally {
    await pair.dispose();
  }
});

test('feed: the poll after an own commit reads HEAD with its parents, so a later outsider commit comes with it', async (t) => {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  const questions = questionCounter(/HASHOF\(\?\) AS p0|HASHOF\('HEAD'\)|dolt_log/);
  const pair = await startFeedPair((sql) => { questions.see(sql); });
  const { ledger, hinted, plain, got, commits, outsider } = pair;
  try {
    const { bead: a, held } = await firstThenHold(pair);
    await ledger.update(a.id, { title: 'first, renamed' }, 'gastown/witness');
    assert.equal(held.length, 1);
    const out = await outsider.getConnection();
    await out.query('UPDATE issues SET priority = 0 WHERE id = ?', [a.id]);
    await out.query("CALL DOLT_ADD('issues')");
    await out.query("CALL DOLT_COMMIT('-m', 'by hand', '--author', 'outsider <outsider@example.com>')");
    out.release();
    const head = await ledger.head();
    await waitFor('the plain feed at the outsider\'s commit', () => plain.headSeen === head || null, 20_000);

    questions.restart();
    const { asked } = questions;
    hinted.ownCommit(held[0]);
    await waitFor('the hinted feed at the outsider\'s commit', () => hinted.headSeen === head || null, 20_000);
    assert.equal(asked('HASHOF(?) AS p0'), 1, 'one question: the own commit\'s parent, and HEAD with it');
    assert.equal(asked("HASHOF('HEAD')"), 0, 'no HEAD poll of its own');
    assert.deepEqual(commits.hinted, commits.plain, 'the same commits, in order');
    assert.deepEqual(comparable(got.hinted), comparable(got.plain), 'the same events');
    assert.ok(got.hinted.at(-1)!.author.startsWith('outsider'));
  } finally {
    await pair.dispose();
  }
});

test('feed: an own commit hinted while a poll runs: taken from its parents next, or by the poll that already reads it, never with a HEAD question', async (t) => {
  const missing = doltAvailable();
  if (missing) return t.skip(missing);
  const questions = questionCounter(/HASHOF\(\?\) AS p0|HASHOF\('HEAD'\)|dolt_log/);
  // A hint given when the hinted feed sends a statement of this shape (after it is sent).
  let hintAt: { shape: string; hint: () => void } | null = null;
  const pair = await startFeedPair((sql) => {
    const shape = questions.see(sql);
    if (hintAt?.shape === shape) {
      setImmediate(hintAt.hint);
      hintAt = null;
    }
  });
  const { ledger, hinted, plain, got, commits } = pair;
  try {
    const { bead: a, held } = await firstThenHold(pair);
    const write = async (titles: string[]) => {
      for (const title of titles) await ledger.update(a.id, { title }, 'gastown/witness');
      const head = await ledger.head();
      await waitFor('the plain feed at the last commit', () => plain.headSeen === head || null, 20_000);
      return head;
    };
    const { asked } = questions;

    // 1. Hinted while the poll before it asks for the parents (and HEAD): that poll sees the commit
    // in HEAD and leaves it; the next poll takes it from its parents, as it would any own commit.
    let head = await write(['second', 'third']);
    questions.restart();
    hintAt = { shape: 'HASHOF(?) AS p0', hint: () => hinted.ownCommit(held[1]) };
    hinted.ownCommit(held[0]);
    await waitFor('the hinted feed at the third commit', () => hinted.headSeen === head || null, 20_000);
    assert.equal(hintAt, null, 'the hint came while the first poll ran');
    assert.equal(asked('HASHOF(?) AS p0'), 2, 'each own commit delivered from its parents\' hashes');
    assert.equal(asked('dolt_log'), 0, 'the log not read');

    // 2. Hinted only after that poll has begun to read the log for it (the town's answer came too
    // late to tell it from another writer's commit): delivered there, and the hint's poll asks nothing.
    head = await write(['fourth', 'fifth']);
    questions.restart();
    hintAt = { shape: 'dolt_log', hint: () => hinted.ownCommit(held[3]) };
    hinted.ownCommit(held[2]);
    await waitFor('the hinted feed at the fifth commit', () => hinted.headSeen === head || null, 20_000);
    await new Promise((r) => setTimeout(r, 300)); // the hint's poll, if it were to ask anything
    assert.equal(hintAt, null, 'the hint came while the log was read');
    assert.equal(asked("HASHOF('HEAD')"), 0, 'no HEAD question');
    assert.equal(asked('HASHOF(?) AS p0'), 1);
    assert.equal(asked('dolt_log'), 1);
    assert.deepEqual(commits.hinted, commits.plain, 'the same commits, in order');
    assert.deepEqual(comparable(got.hinted), comparable(got.plain), 'the same events');
  } finally {
    await pair.dispose();
  }
});
