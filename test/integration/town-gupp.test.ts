// GUPP and bad input: a polecat's session killed mid-work is restarted and finishes its bead; sling
// and done refuse what they must refuse, with clear errors, losing nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, ConvoyStatus, HookInfo, RigInfo, SlingResult } from '../../preload/requests/work-types.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig, assertCompletedOnce, mergeRequests, scriptBead } from './town-work-helpers.ts';

let t: TestTown;
let rig: RigInfo;
before(async () => {
  t = await startTestTown({ tickMs: 500, respawnBaseMs: 200 });
  rig = await addRig(t, 'yard', 'yd', 2);
});
after(async () => t?.cleanup());

test('a polecat session killed mid-work is restarted by GUPP and finishes the bead', async () => {
  // Long enough to be killed mid-work even when the calls before the kill are slow (a loaded machine).
  const bead = await scriptBead(t, 'yard', 'survive a kill', 'kill.txt', 25);
  const slung = await t.json<SlingResult>(['sling', bead.id, 'yard']);
  assert.equal(slung.outcome, 'hooked');
  const hook = await t.json<HookInfo>(['hook', '--agent', slung.agent!]);
  assert.equal(hook.bead?.id, bead.id);
  const first = await waitFor('the session to run', async () => (await t.json<AgentInfo>(['agent', 'show', slung.agent!])).session, 20_000);
  process.kill(first.pid, 'SIGKILL');
  const second = await waitFor('GUPP to start a new session', async () => {
    const a = await t.json<AgentInfo>(['agent', 'show', slung.agent!]);
    return a.session && a.session.terminal !== first.terminal ? a.session : null;
  }, 30_000, 100);
  assert.notEqual(second.pid, first.pid);
  await waitFor('the bead to close', async () => (await t.json<Bead>(['bead', 'show', bead.id])).status === 'closed', 120_000, 200);
  await assertCompletedOnce(t, rig, bead, 'kill.txt', await mergeRequests(t, 'yd'));
  const agent = await t.json<AgentInfo>(['agent', 'show', slung.agent!]);
  assert.equal(agent.state, 'idle');
  assert.ok(agent.history!.respawns >= 1);
});

test('bad input: closed, missing, already hooked, missing rig; gt done outside a polecat worktree', async () => {
  const closed = await t.json<Bead>(['bead', 'create', '--rig', 'yard', '-t', 'closed one']);
  await t.gt(['bead', 'close', closed.id]);
  const r1 = await t.gt(['sling', closed.id, 'yard']);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /is closed/);
  const r2 = await t.gt(['sling', 'yd-zzzzz', 'yard']);
  assert.match(r2.stderr, /no bead yd-zzzzz/);
  const r3 = await t.gt(['sling', 'not an id']);
  assert.equal(r3.code, 2);
  // Long enough to still be hooked at the second sling below on a loaded machine (a 3 s bead could be
  // in review by then: "already in_progress by yard/refinery").
  const open = await scriptBead(t, 'yard', 'held one', 'held.txt', 20);
  const r4 = await t.gt(['sling', open.id, 'nowhere']);
  assert.match(r4.stderr, /no rig or polecat named nowhere/);
  assert.equal((await t.json<Bead>(['bead', 'show', open.id])).status, 'open', 'a refused sling changes nothing');
  const ok = await t.json<SlingResult>(['sling', open.id, 'yard']);
  const r5 = await t.gt(['sling', open.id, 'yard']);
  assert.match(r5.stderr, new RegExp(`already hooked by ${ok.agent}`));
  // gt done as the overseer, and as the polecat but outside its worktree.
  const d1 = await t.gt(['done']);
  assert.equal(d1.code, 2);
  assert.match(d1.stderr, /runs inside a polecat/);
  const d2 = await t.gt(['done'], { GT_AGENT: ok.agent! });
  assert.match(d2.stderr, /must run inside .* worktree/);
  // A convoy CSV with a malformed row: its line number, and nothing created.
  // Counted as tasks: a polecat's merge request may be written meanwhile (the held one finishing).
  const tasks = async (): Promise<number> => (await t.json<Bead[]>(['bead', 'list', '--type', 'task'])).length;
  const before = await tasks();
  const csv = join(t.base, 'bad.csv');
  writeFileSync(csv, 'name,what\nalpha,"one"\nbeta,two,extra\n');
  const c1 = await t.gt(['convoy', 'create', 'bad', '--csv', csv, '--title-template', 'Do {{name}}']);
  assert.equal(c1.code, 2);
  assert.match(c1.stderr, /CSV line 3: 3 fields, the header has 2/);
  assert.equal(await tasks(), before, 'nothing created');
  const good = join(t.base, 'good.csv');
  writeFileSync(good, 'name,what\nalpha,"one, with comma"\nbeta,two\n');
  const conv = await t.json<ConvoyStatus>(['convoy', 'create', 'fromcsv', '--csv', good, '--title-template', 'Do {{name}}', '--description-template', '{{what}}', '--rig', 'yard']);
  assert.deepEqual(conv.tracked.map((x) => x.title), ['Do alpha', 'Do beta']);
  await waitFor('held one to finish', async () => (await t.json<Bead>(['bead', 'show', open.id])).status === 'closed', 120_000, 200);
});
