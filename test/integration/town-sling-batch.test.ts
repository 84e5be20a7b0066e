// The Witness's feed hooks a rig's picks together (PolecatService.slingBatch): one acquisition of the
// rig's lock and one commit for every hook and its polecat marked working; capacity still decided
// bead by bead (beyond it: `full`); a bead that cannot be slung falls back to `sling` and its error.
// A real Town in this process (real Dolt, git, PTY host).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { Town } from '../../main/town/town.ts';
import { fixtureRepo, startInProcessTown } from './town-fixture.ts';

let town: Town;
let stop: () => Promise<void>;
const overseer = { actor: 'overseer', transport: 'in-process' as const, consumer: 'test' };

before(async () => {
  // The Witness's own patrols are kept out of the way: this test calls the batch itself.
  const t = await startInProcessTown({ tickMs: 600_000 });
  ({ town, stop } = t);
  await town.call('rigAdd', { name: 'pack', source: fixtureRepo(join(t.dir, '..'), 'pack-src'), prefix: 'pk', runtime: 'script', maxPolecats: 2 }, overseer);
});
after(async () => {
  await stop?.();
});

test('four picks on a rig of two: two hooked in one commit, two full; a closed bead gets sling\'s error', async () => {
  const sleeper = ['```gt-script', 'sleep 600', '```'].join('\n');
  const beads: Bead[] = [];
  for (let i = 0; i < 4; i++) beads.push(await town.ledger.create({ title: `batch ${i}`, description: sleeper, prefix: 'pk' }, 'overseer'));
  const closed = await town.ledger.create({ title: 'already done', prefix: 'pk' }, 'overseer');
  await town.ledger.closeBead(closed.id, 'done', 'overseer');
  const commits = async (): Promise<Array<{ committer: string; message: string }>> =>
    ((await town.ledger.pool.query('SELECT committer, message FROM dolt_log'))[0] as Array<{ committer: string; message: string }>);
  const before = (await commits()).length;

  const results = await town.work.polecats.slingBatch('pack', [...beads.map((b) => ({ bead: b.id })), { bead: closed.id }], 'town/witness');
  const outcome = results.map((r) => (r.status === 'fulfilled' ? (r.value.full ? 'full' : r.value.outcome) : 'error'));
  assert.deepEqual(outcome, ['hooked', 'hooked', 'full', 'full', 'error']);
  const refused = results[4];
  assert.equal(refused.status, 'rejected');
  assert.match((refused as PromiseRejectedResult).reason.message, /is closed/);

  const hooked = results.slice(0, 2).map((r) => (r as PromiseFulfilledResult<{ agent: string | null }>).value.agent);
  assert.equal(new Set(hooked).size, 2, 'two polecats, one bead each');
  for (const [i, agent] of hooked.entries()) {
    const b = await town.ledger.show(beads[i].id);
    assert.equal(b.status, 'hooked');
    assert.equal(b.assignee, agent);
    assert.equal((await town.work.context.agents.get(agent!)).meta.state, 'working');
  }
  for (const b of beads.slice(2)) assert.equal((await town.ledger.show(b.id)).status, 'open', 'beyond capacity: untouched');
  const all = await commits(); // newest first
  const hooks = all.slice(0, all.length - before).filter((c) => c.committer === 'town/witness' && c.message.includes(beads[0].id));
  assert.equal(hooks.length, 1, 'one commit hooked them');
  assert.match(hooks[0].message, new RegExp(beads[1].id), 'the same commit hooked the second');
});
