// A bead whose merge request keeps failing the gate does not bounce between the gate and its polecat
// forever: sent back `reworkCap` times, the next failure holds it for a human (status blocked,
// unassigned, gt:needs-human, the last gate account kept) with one high escalation from the Refinery;
// slinging it again starts a new count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { SlingResult } from '../../preload/requests/work-types.ts';
import type { EscalationInfo } from '../../preload/requests/supervision-types.ts';
import { fixtureRepo, startTestTown, waitFor, type TestTown } from './town-fixture.ts';

let t: TestTown;
before(async () => {
  t = await startTestTown({ tickMs: 300 }, { announceMail: false });
  mkdirSync(join(t.dir, 'settings'), { recursive: true });
  writeFileSync(join(t.dir, 'settings', 'refinery.json'), JSON.stringify({ reworkCap: 1, pollMs: 500 }));
  await t.restart();
  const repo = fixtureRepo(t.base, 'never-src');
  // The gate passes on the target and fails on any branch that adds attempt.txt: the polecat's
  // work can never land (a gate failing on the target too would be the target's fault, not the bead's).
  await t.json(['rig', 'add', 'never', repo, '--prefix', 'nv', '--max-polecats', '1', '--runtime', 'script', '--gate', 'test ! -f attempt.txt || { echo "gate says no"; exit 1; }']);
});
after(async () => t?.cleanup());

test('sent back once (the cap), then held for a human with a high escalation', async () => {
  const script = ['```gt-script', 'write attempt.txt $(date +%s%N)\\n', '```'].join('\n');
  const bead = await t.json<Bead>(['bead', 'create', '--rig', 'never', '-t', 'never passes the gate', '-d', script]);
  const slung = await t.json<SlingResult>(['sling', bead.id, 'never']);
  const held = await waitFor('the bead to be held', async () => {
    const b = await t.json<Bead>(['bead', 'show', bead.id]);
    return b.status === 'blocked' ? b : null;
  }, 180_000, 300);
  const note = (held.metadata as { gt?: { reworks?: number; rework?: { detail: string } } }).gt!;
  assert.equal(note.reworks, 2, 'the second failure is past the cap of 1');
  assert.match(note.rework!.detail, /gate says no/, 'the last gate account is kept');
  assert.equal(held.assignee, null);
  assert.ok(held.labels.includes('gt:needs-human'));
  const mrs = await t.json<Bead[]>(['bead', 'list', '--type', 'merge-request', '--prefix', 'nv', '--status', 'closed']);
  assert.equal(mrs.filter((m) => (m.metadata as { bead?: string }).bead === bead.id).length, 2, 'two merge requests: the first attempt and the rework');

  const esc = await waitFor('the escalation', async () => (await t.json<EscalationInfo[]>(['escalate', 'list'])).find((e) => e.message.includes(bead.id)) ?? null, 20_000, 300);
  assert.equal(esc.severity, 'high');
  assert.equal(esc.source, 'refinery');
  assert.match(esc.message, /failed the merge queue 2 times/);
  // Held: nothing takes it up again by itself.
  await new Promise((r) => setTimeout(r, 2_000));
  const still = await t.json<Bead>(['bead', 'show', bead.id]);
  assert.equal(still.status, 'blocked');
  assert.equal((await t.json<EscalationInfo[]>(['escalate', 'list'])).filter((e) => e.message.includes(bead.id)).length, 1, 'one escalation');
  assert.ok(slung.agent);
});
