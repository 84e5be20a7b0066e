// Must-show: a bead is done when its code has landed. A convoy of 3 on a rig whose gate is a real
// script: the first lands and closes; the second breaks the gate, comes back to its own polecat
// hooked with the gate output in its prime, is fixed by the script agent's second attempt (which
// reads its prime), lands and closes; the third, blocked by the second, starts only after the second
// landed, on a branch whose base contains the fix; the convoy lands last; no extra bead is made.
// A request that conflicts sends its bead back too, with the conflicting files in its prime.
// And `gt done` with nothing committed is refused; `--no-changes` closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead, BeadHistoryEntry } from '../../preload/types.ts';
import type { AgentInfo, ConvoyStatus, DoneResult, RigInfo, SlingResult } from '../../preload/requests/work-types.ts';
import type { MqRequest } from '../../preload/requests/merge-queue-types.ts';
import { fixtureRepo, git, startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { mergeRequests } from './town-work-helpers.ts';

const CHECK_SH = `#!/bin/sh
bad=$(grep -l BROKEN *.txt 2>/dev/null)
if [ -n "$bad" ]; then echo "FAIL: $bad contains BROKEN"; exit 1; fi
echo "gate ok"
`;

let t: TestTown;
let rig: RigInfo;
before(async () => {
  t = await startTestTown({ tickMs: 500 });
  const src = fixtureRepo(t.base, 'loop-src');
  writeFileSync(join(src, 'check.sh'), CHECK_SH);
  git(src, ['add', '-A']);
  git(src, ['commit', '-q', '-m', 'gate script']);
  rig = await t.json<RigInfo>(['rig', 'add', 'loop', src, '--prefix', 'lp', '--max-polecats', '3', '--runtime', 'script', '--gate', 'sh check.sh']);
});
after(async () => t?.cleanup());

const script = (...steps: string[]): string => ['```gt-script', ...steps, '```'].join('\n');
const show = (id: string): Promise<Bead> => t.json<Bead>(['bead', 'show', id]);

test('convoy of 3: the gate-breaking bead comes back to its polecat, is fixed, lands; its dependent starts after; the convoy lands last', async () => {
  const primes = join(t.base, 'second-primes.txt');
  const first = await t.json<Bead>(['bead', 'create', '--rig', 'loop', '-t', 'first', '-d', script('write a.txt first\\n')]);
  // The second agent reads its prime: on its first attempt there is no gate output, so it writes the
  // broken file; when the bead comes back, the prime carries the gate's FAIL line and it fixes it.
  const second = await t.json<Bead>(['bead', 'create', '--rig', 'loop', '-t', 'second', '-d', script(
    `run gt prime >> ${primes}; echo ---- >> ${primes}`,
    // (the bracket keeps the pattern itself, which the prime shows in this description, from matching)
    'run if gt prime | grep -q "^FAIL: b.tx[t] contains BROKEN"; then echo fixed > b.txt; else echo BROKEN > b.txt; fi',
  )]);
  const third = await t.json<Bead>(['bead', 'create', '--rig', 'loop', '-t', 'third', '-d', script('run cp b.txt c.txt')]);
  assert.equal((await t.gt(['bead', 'dep', 'add', third.id, second.id])).code, 0);
  const convoy = await t.json<ConvoyStatus>(['convoy', 'create', 'three', first.id, second.id, third.id, '--rig', 'loop']);

  const landed = await waitFor('the convoy to land', async () => {
    const s = await t.json<ConvoyStatus>(['convoy', 'status', convoy.id]);
    return s.status === 'closed' ? s : null;
  }, 240_000, 500);
  assert.equal(landed.progress.closed, 3);

  const [b1, b2, b3] = await Promise.all([first, second, third].map((b) => show(b.id)));
  for (const b of [b1, b2, b3]) {
    assert.equal(b.status, 'closed');
    assert.match(b.closeReason ?? '', /^landed: merge request lp-/, `${b.id} closed because its code landed`);
    assert.match(b.assignee ?? '', /^loop\/polecats\//, `${b.id} keeps the polecat that did it`);
    const history = await t.json<BeadHistoryEntry[]>(['bead', 'history', b.id]);
    assert.equal(history.filter((h) => h.changes.some((c) => c.field === 'status' && c.after === 'closed')).length, 1, `${b.id} closed once`);
  }

  // The second: rejected once with the gate output, back to the SAME polecat, hooked, then landed.
  const mrs = await mergeRequests(t, 'lp');
  const ofSecond = mrs.filter((m) => (m.metadata as { bead?: string }).bead === second.id)
    .map((m) => m.metadata as { phase: string; polecat: string; gateOutput?: string; rejectionBead?: string; branch: string });
  assert.deepEqual(ofSecond.map((m) => m.phase).sort(), ['merged', 'rejected']);
  const rejected = ofSecond.find((m) => m.phase === 'rejected')!;
  assert.match(rejected.gateOutput ?? '', /FAIL: b\.txt contains BROKEN/);
  assert.equal(rejected.rejectionBead, second.id, 'the rejection names the same bead, not a new one');
  assert.equal(new Set(ofSecond.map((m) => m.polecat)).size, 1, 'both attempts by the same polecat');
  assert.equal(ofSecond[0].polecat, b2.assignee);
  const history2 = await t.json<BeadHistoryEntry[]>(['bead', 'history', second.id]);
  const statuses = history2.flatMap((h) => h.changes.filter((c) => c.field === 'status').map((c) => String(c.after)));
  assert.deepEqual(statuses, ['open', 'hooked', 'in_progress', 'open', 'hooked', 'in_progress', 'closed'], 'created → hooked → in review → back → hooked → in review → landed');
  const assignees = history2.flatMap((h) => h.changes.filter((c) => c.field === 'assignee').map((c) => c.after));
  assert.ok(assignees.includes('loop/refinery'), 'in review, the bead is held by the refinery');
  // Its prime on the second attempt carried the gate output; on the first, none.
  const attempts = readFileSync(primes, 'utf8').split('----\n').filter((s) => s.trim());
  assert.equal(attempts.length, 2, 'two attempts');
  assert.doesNotMatch(attempts[0], /^FAIL: b\.txt/m);
  assert.match(attempts[1], /Back from the merge queue \(rejection/);
  assert.match(attempts[1], /^FAIL: b\.txt contains BROKEN$/m);

  // The third started only after the second landed, from a target that had the fix.
  const slungAt = Date.parse((b3.metadata as { gt: { slungAt: string } }).gt.slungAt);
  assert.ok(slungAt >= Date.parse(b2.closedAt!), `third slung (${slungAt}) after second landed (${b2.closedAt})`);
  const b3branch = (mrs.find((m) => (m.metadata as { bead?: string }).bead === third.id)!.metadata as { branch: string }).branch;
  assert.equal(git(rig.paths.bare, ['show', `${b3branch}^:b.txt`]), 'fixed\n', 'the third branched off a target with the fix');
  assert.equal(git(rig.paths.bare, ['show', `${rig.branch}:c.txt`]), 'fixed\n');
  assert.equal(git(rig.paths.bare, ['show', `${rig.branch}:a.txt`]), 'first\n');

  // The convoy landed last; no bug or resolution bead was made.
  for (const b of [b1, b2, b3]) assert.ok(Date.parse(landed.closedAt!) >= Date.parse(b.closedAt!), `convoy closed after ${b.id}`);
  const work = (await t.json<Bead[]>(['bead', 'list', '--prefix', 'lp'])).filter((b) => b.type !== 'merge-request' && b.type !== 'agent');
  assert.deepEqual(work.map((b) => b.id).sort(), [first.id, second.id, third.id].sort(), `only the three beads: ${work.map((b) => `${b.id} ${b.type} ${b.title}`).join('; ')}`);
  const agents = await t.json<AgentInfo[]>(['agent', 'list', '--rig', 'loop']);
  assert.ok(agents.every((a) => a.state === 'idle' && a.hook === null));
});

test('gt done with nothing committed is refused with a clear message; --no-changes closes the bead', async () => {
  const bead = await t.json<Bead>(['bead', 'create', '--rig', 'loop', '-t', 'nothing to do', '-d', script('hang')]);
  const slung = await t.json<SlingResult>(['sling', bead.id, 'loop']);
  assert.equal(slung.outcome, 'hooked');
  await waitFor('the worktree', async () => existsSync(slung.workdir!), 20_000);
  const env = { GT_AGENT: slung.agent! };
  const refused = await t.gt(['done'], env, slung.workdir!);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /nothing to merge: .* has no commit ahead of main/);
  assert.match(refused.stderr, /gt done --no-changes/);
  const still = await show(bead.id);
  assert.equal(still.status, 'hooked', 'a refused gt done changes nothing');
  assert.equal(still.assignee, slung.agent);

  const r = await t.gt(['done', '--no-changes', 'already handled upstream', '--json'], env, slung.workdir!);
  assert.equal(r.code, 0, r.stderr);
  const done = JSON.parse(r.stdout) as DoneResult;
  assert.equal(done.outcome, 'no-changes');
  assert.equal(done.mergeRequest, null);
  const closed = await show(bead.id);
  assert.equal(closed.status, 'closed');
  assert.equal(closed.closeReason, 'done: no changes needed: already handled upstream');
  assert.equal((await mergeRequests(t, 'lp')).filter((m) => (m.metadata as { bead?: string }).bead === bead.id).length, 0, 'no merge request');
  const agent = await t.json<AgentInfo>(['agent', 'show', slung.agent!]);
  assert.equal(agent.state, 'idle');
  // A second run finds it already done.
  const again = JSON.parse((await t.gt(['done', '--json'], env, slung.workdir!)).stdout) as DoneResult;
  assert.equal(again.already, true);
  // The hanging session of a polecat with nothing on its hook is stopped by the Witness.
  await waitFor('the idle polecat\'s session to end', async () => (await t.json<AgentInfo>(['agent', 'show', slung.agent!])).session === null, 30_000, 300);
});

test('gt mq show of the rejected request names the bead that went back', async () => {
  const mrs = (await mergeRequests(t, 'lp')).filter((m) => (m.metadata as { phase?: string }).phase === 'rejected');
  assert.equal(mrs.length, 1);
  const mr = await t.json<MqRequest>(['mq', 'show', mrs[0].id]);
  assert.equal(mr.meta.rejectionBead, mr.meta.bead);
});

test('a conflicting request sends the same bead back with the conflicting files; resolved on its branch, it lands', async () => {
  // Both write shared.txt; whichever lands second conflicts, comes back, merges the target into its
  // branch with the union of both lines, and runs gt done again (the same request re-enters the queue).
  // The sleep keeps the first from landing before the second has branched (both start from the same target).
  const resolve = (mine: string) => script(
    'sleep 2',
    `run if gt prime | grep -q "^- shared.tx[t]$"; then git merge -q main >/dev/null 2>&1; printf 'one\\ntwo\\n' > shared.txt; git add -A; git commit -qm "resolve shared.txt"; else echo ${mine} > shared.txt; fi`,
  );
  const one = await t.json<Bead>(['bead', 'create', '--rig', 'loop', '-t', 'one', '-d', resolve('one')]);
  const two = await t.json<Bead>(['bead', 'create', '--rig', 'loop', '-t', 'two', '-d', resolve('two')]);
  for (const b of [one, two]) assert.equal((await t.gt(['sling', b.id, 'loop'])).code, 0);
  const both = await waitFor('both to land', async () => {
    const bs = await Promise.all([one, two].map((b) => show(b.id)));
    return bs.every((b) => b.status === 'closed') ? bs : null;
  }, 180_000, 500);
  for (const b of both) assert.match(b.closeReason ?? '', /^landed: merge request /);
  const mrs = (await mergeRequests(t, 'lp')).map((m) => m.metadata as { bead?: string; phase: string; conflictFiles?: string[]; resolutionBead?: string });
  const conflicted = mrs.filter((m) => m.resolutionBead && (m.bead === one.id || m.bead === two.id));
  assert.equal(conflicted.length, 1, 'one of the two conflicted');
  assert.deepEqual(conflicted[0].conflictFiles, ['shared.txt']);
  assert.equal(conflicted[0].resolutionBead, conflicted[0].bead, 'the same bead went back');
  assert.equal(conflicted[0].phase, 'merged', 'the same request landed after the resolution');
  assert.equal(mrs.filter((m) => m.bead === conflicted[0].bead).length, 1, 'no second request');
  assert.equal(git(rig.paths.bare, ['show', `${rig.branch}:shared.txt`]), 'one\ntwo\n');
  assert.equal((await t.json<Bead[]>(['bead', 'list', '--prefix', 'lp', '--type', 'task'])).filter((b) => /conflict/i.test(b.title)).length, 0, 'no resolution bead');
});
