// The Refinery in the running town: `gt up` (real Dolt, real PTYs, real git), a rig whose gate is a
// real test script, `script` polecats that write, commit and run `gt done`. Good work lands on the
// rig's target; work that breaks the gate is rejected with the gate output and the same bead comes
// back to its polecat, hooked, whose session reads the output in its prime, fixes the branch and
// lands it; a hand-made branch submitted with `gt mq submit` lands too. Events reach TownApi
// clients as `mergeQueue`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TownClient } from '../../preload/contract.ts';
import type { Bead } from '../../preload/types.ts';
import type { RigInfo } from '../../preload/requests/work-types.ts';
import type { MergeQueueEvent, MqEntry, MqRequest } from '../../preload/requests/merge-queue-types.ts';
import type { SocketClient } from '../../main/cli/socket-client.ts';
import { fixtureRepo, git, overseerConnection, startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { scriptBead } from './town-work-helpers.ts';

// The gate: no .txt file may contain BROKEN. When one does, it says which. The gate-breaking bead's
// script reads its prime: once the bead came back with the gate's FAIL line in it, it fixes the file
// (the polecat "reads the gate output and fixes its branch", deterministically).
const CHECK_SH = `#!/bin/sh
bad=$(grep -l BROKEN *.txt 2>/dev/null)
if [ -n "$bad" ]; then
  echo "FAIL: $bad contains BROKEN"
  exit 1
fi
echo "gate ok: $(ls *.txt 2>/dev/null | wc -l) files checked"
`;

let t: TestTown;
let conn: SocketClient;
let api: TownClient;
const events: MergeQueueEvent[] = [];

before(async () => {
  t = await startTestTown({ tickMs: 500 });
  conn = await overseerConnection(t);
  api = conn.client;
  api.on('mergeQueue', (e) => events.push(e));
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

const mqList = (): Promise<MqEntry[]> => t.json<MqEntry[]>(['mq', 'list', '--rig', 'shop', '--all']);
const byBead = (list: MqEntry[], bead: string): MqEntry[] => list.filter((e) => e.bead === bead);

test('gt done → refinery: good work lands, gate-breaking work is rejected and comes back to its polecat, hand-made branches land', async () => {
  const src = fixtureRepo(t.base, 'shop-src');
  writeFileSync(join(src, 'check.sh'), CHECK_SH);
  git(src, ['add', '-A']);
  git(src, ['commit', '-q', '-m', 'gate script']);
  const rig = await t.json<RigInfo>(['rig', 'add', 'shop', src, '--prefix', 'sh', '--max-polecats', '3', '--runtime', 'script', '--gate', 'sh check.sh']);
  const start = git(rig.paths.bare, ['rev-parse', rig.branch]).trim();

  const good1 = await scriptBead(t, 'shop', 'alpha', 'a.txt', 0);
  const good2 = await scriptBead(t, 'shop', 'beta', 'b.txt', 0);
  const bad = await t.json<Bead>(['bead', 'create', '--rig', 'shop', '-t', 'gamma', '-d', ['```gt-script',
    'run if gt prime | grep -q "^FAIL: c.tx[t] contains BROKEN"; then echo fixed > c.txt; else echo BROKEN > c.txt; fi',
    // Its second attempt must not finish before the test has seen the bead come back.
    'sleep 3', '```'].join('\n')]);
  for (const b of [good1, good2, bad]) assert.equal((await t.gt(['sling', b.id, 'shop'])).code, 0);

  // Both good requests land; the list shows them merged.
  const landed = await waitFor('both good requests merged', async () => {
    const list = await mqList();
    const mine = [...byBead(list, good1.id), ...byBead(list, good2.id)];
    return mine.length === 2 && mine.every((e) => e.phase === 'merged') ? mine : null;
  }, 60_000, 300);
  for (const e of landed) {
    assert.equal(e.position, null, 'finished requests have no queue position');
    assert.match(e.mergedAs ?? '', /^[0-9a-f]{40}$/);
  }

  // The bad one is rejected with the gate output, and the same bead goes back to its polecat.
  // (The bead has one request per attempt: the rejected one is looked for, not the first listed.)
  const rejected = await waitFor('the gate-breaking request rejected', async () => {
    return byBead(await mqList(), bad.id).find((e) => e.phase === 'rejected') ?? null;
  }, 60_000, 300);
  const mr = await t.json<MqRequest>(['mq', 'show', rejected.id]);
  assert.equal(mr.rig, 'shop');
  assert.match(mr.meta.reason ?? '', /gate failed \(exit 1\)/);
  assert.match(mr.meta.gateOutput ?? '', /FAIL: c\.txt contains BROKEN/);
  const badPolecat = mr.meta.polecat!;
  assert.match(badPolecat, /^shop\/polecats\//);
  assert.equal(mr.meta.rejectionBead, bad.id, 'the same bead goes back, no new one');
  const back = await t.json<Bead>(['bead', 'show', bad.id]);
  assert.equal(back.assignee, badPolecat, 'back to the polecat that made the branch');
  assert.notEqual(back.status, 'closed', 'not closed: its code has not landed');

  // Its session picks it up on the same branch, fixes it, runs gt done: the fix lands, the bead closes.
  const fixed = await waitFor('the bead fixed and landed', async () => {
    const list = await mqList();
    return byBead(list, bad.id).find((e) => e.phase === 'merged') ?? null;
  }, 60_000, 300);
  assert.notEqual(fixed.id, rejected.id, 'a new request after the rejected one');
  assert.equal(fixed.branch, mr.meta.branch, 'fixed on the rejected request\'s own branch');
  assert.equal(fixed.polecat, badPolecat);
  const fu = await waitFor('the bead to close', async () => {
    const b = await t.json<Bead>(['bead', 'show', bad.id]);
    return b.status === 'closed' ? b : null;
  }, 20_000, 200);
  assert.equal(fu.closeReason, `landed: merge request ${fixed.id} merged as ${fixed.mergedAs!.slice(0, 10)}`);
  assert.equal((await t.json<Bead[]>(['bead', 'list', '--prefix', 'sh', '--type', 'bug'])).length, 0, 'no bug bead');

  // The target: every file, and no commit of its new first-parent history fails the gate.
  assert.equal(git(rig.paths.bare, ['show', `${rig.branch}:a.txt`]), 'alpha\n');
  assert.equal(git(rig.paths.bare, ['show', `${rig.branch}:b.txt`]), 'beta\n');
  assert.equal(git(rig.paths.bare, ['show', `${rig.branch}:c.txt`]), 'fixed\n');
  const history = git(rig.paths.bare, ['rev-list', '--first-parent', `${start}..${rig.branch}`]).trim().split('\n');
  assert.equal(history.length, 3, `three landings on ${rig.branch} (a, b, the fix): ${history.length}`);
  for (const c of history) {
    const files = git(rig.paths.bare, ['ls-tree', '--name-only', c]).split('\n').filter((f) => f.endsWith('.txt'));
    for (const f of files) assert.doesNotMatch(git(rig.paths.bare, ['show', `${c}:${f}`]), /BROKEN/, `${c} on the target carries a broken ${f}`);
  }
  const subjects = git(rig.paths.bare, ['log', '--format=%s%n%b', `${start}..${rig.branch}`]);
  for (const e of [...landed, fixed]) assert.match(subjects, new RegExp(`Merge-Request: ${e.id}`));

  // A branch made by hand, pushed to the rig's repository, joins the same queue and lands.
  const hand = mkdtempSync(join(t.base, 'hand-'));
  git(t.base, ['clone', '-q', rig.paths.bare, hand]);
  writeFileSync(join(hand, 'd.txt'), 'by hand\n');
  git(hand, ['add', '-A']);
  git(hand, ['commit', '-q', '-m', 'hand-made change']);
  git(hand, ['push', '-q', 'origin', 'HEAD:refs/heads/hand/feature']);
  const submitted = await t.json<MqRequest>(['mq', 'submit', 'hand/feature', '--rig', 'shop']);
  assert.equal(submitted.meta.phase, 'queued');
  assert.equal(submitted.meta.rig, 'shop');
  await waitFor('the hand-made branch merged', async () => (await t.json<MqRequest>(['mq', 'show', submitted.id])).meta.phase === 'merged', 30_000, 200);
  assert.equal(git(rig.paths.bare, ['show', `${rig.branch}:d.txt`]), 'by hand\n');

  // The events went out with their rig.
  assert.ok(events.every((e) => e.rig === 'shop'));
  assert.ok(events.some((e) => e.type === 'landed' && e.ids.includes(submitted.id)), 'a landed event for the hand-made request');
  assert.ok(events.some((e) => e.type === 'phase' && e.id === rejected.id && e.phase === 'rejected'));
  assert.ok(events.some((e) => e.type === 'gate' && e.outcome === 'fail'));
});

test('gt mq: clear errors for an unknown rig, request or branch', async () => {
  const noRig = await t.gt(['mq', 'submit', 'x', '--rig', 'nope']);
  assert.equal(noRig.code, 1);
  assert.match(noRig.stderr, /no rig nope/);
  const noRigFlag = await t.gt(['mq', 'submit', 'x']);
  assert.equal(noRigFlag.code, 2);
  assert.match(noRigFlag.stderr, /--rig/);
  const noBranch = await t.gt(['mq', 'submit', 'never/made', '--rig', 'shop']);
  assert.equal(noBranch.code, 1);
  assert.match(noBranch.stderr, /branch never\/made exists neither/);
  const noMr = await t.gt(['mq', 'show', 'sh-zzzzz']);
  assert.equal(noMr.code, 1);
  assert.match(noMr.stderr, /no merge request sh-zzzzz/);
  const noPrefix = await t.gt(['mq', 'retry', 'qq-abcd']);
  assert.equal(noPrefix.code, 1);
  assert.match(noPrefix.stderr, /no rig has the prefix qq/);
  const listNoRig = await t.gt(['mq', 'list', '--rig', 'nope']);
  assert.equal(listNoRig.code, 1);
  assert.match(listNoRig.stderr, /no rig nope/);
});
