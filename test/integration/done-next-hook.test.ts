// gt done's hook of the polecat's next bead (done.ts, nextHookItem), on a real Dolt: the bead is
// picked from what the Witness's read saw (no read of it in gt done), and the hook is built in the
// write from the bead as the write reads it. A bead another writer changed after the pick is hooked
// with that change kept; one taken meanwhile (assigned, hooked), or moved to another runtime, is
// refused, and nothing is written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bead } from '../../preload/types.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/errors.ts';
import { nextHookItem } from '../../main/town/polecats/done.ts';
import { workNote } from '../../main/town/polecats/work-beads.ts';
import { ledgerFixture } from '../helpers/ledger-fixture.ts';

const skip = doltAvailable();
const ACTOR = 'r/polecats/nux';

describe('gt done: the next bead hooked from the write\'s own read', { skip: skip ?? false }, () => {
  const t = ledgerFixture();
  const runtimeOf = (b: Bead) => workNote(b).runtime ?? 'script';
  const convoyOf = (b: Bead) => workNote(b).convoy ?? null;
  /** Hooks `picked` as gt done does; whether the hook's build refused it. */
  async function hook(picked: Bead): Promise<{ refused: boolean | null; written: Bead[] | TownError }> {
    let refused: boolean | null = null;
    const item = nextHookItem(picked, { actor: ACTOR, rig: 'r', branch: `polecat/nux/${picked.id}`, runtime: runtimeOf(picked), convoy: convoyOf(picked) }, runtimeOf, convoyOf, (r) => { refused = r; });
    const written = await t.ledger.updateMany([item], ACTOR).catch((e: TownError) => e);
    return { refused, written };
  }

  test('a bead changed after the pick is hooked with the change kept; its labels as the write read them', async () => {
    const [x] = await t.ledger.createMany([{ title: 'next', prefix: 'nh', metadata: { gt: { rig: 'r' } } }], 'overseer');
    const [picked] = await t.ledger.getMany([x.id]);
    await t.ledger.update(x.id, { metadata: { gt: { rig: 'r' }, note: 'from a human' }, addLabels: ['gt:queued'] }, 'someone');
    const { refused, written } = await hook(picked);
    assert.equal(refused, false);
    assert.ok(Array.isArray(written), `hooked (${String(written)})`);
    const now = await t.ledger.show(x.id);
    assert.equal(now.status, 'hooked');
    assert.equal(now.assignee, ACTOR);
    assert.equal(now.metadata.note, 'from a human', 'the change made after the pick is kept');
    assert.equal(workNote(now).polecat, ACTOR);
    assert.deepEqual(written[0].labels, ['gt:queued'], 'the answer carries the labels the write read');
  });

  test('a bead assigned, hooked or moved to another runtime after the pick is refused and nothing is written', async () => {
    const [a, h, r] = await t.ledger.createMany([{ title: 'a', prefix: 'nh' }, { title: 'h', prefix: 'nh' }, { title: 'r', prefix: 'nh' }], 'overseer');
    const picked = await t.ledger.getMany([a.id, h.id, r.id]);
    // Reserved for another polecat while still open (the merge queue's send-back), hooked by a sling,
    // and put on another runtime: each since the pick was read.
    await t.ledger.update(a.id, { assignee: 'r/polecats/other' }, 'someone');
    await t.ledger.update(h.id, { status: 'hooked', assignee: 'r/polecats/other' }, 'someone');
    await t.ledger.update(r.id, { metadata: { gt: { runtime: 'claude' } } }, 'someone');
    for (const p of picked) {
      const before = await t.ledger.show(p.id);
      const { refused, written } = await hook(p);
      assert.equal(refused, true, `${p.title}: refused`);
      assert.ok(written instanceof TownError && written.code === 'conflict', `${p.title}: a conflict (${String(written)})`);
      const after = await t.ledger.show(p.id);
      assert.equal(after.updatedAt, before.updatedAt, `${p.title}: not written`);
      assert.notEqual(after.assignee, ACTOR);
    }
  });
});
