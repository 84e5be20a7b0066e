// Bad input for the Refinery, on real git with real gate commands: a branch that disappears, a
// gate command that does not exist, a gate that hangs (and leaves a child behind), a workDir that
// is someone else's folder, and landing to an origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Refinery } from '../../main/refinery/refinery.ts';
import { JsonFileStore } from '../../main/refinery/json-file-store.ts';
import type { RefineryEvent } from '../../main/refinery/types.ts';
import { GATE, git, goodModule, makeRig } from './refinery-fixture.ts';
import { alive } from '../helpers/gt.ts';


test('a request whose branch is deleted is marked branch-missing, the queue keeps moving, and it returns with its branch', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const store = new JsonFileStore(fix.storeFile);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 } }, store);
  const events: RefineryEvent[] = [];
  refinery.on('event', (e) => events.push(e));
  fix.branch('gone', goodModule('gone'));
  fix.branch('stays', goodModule('stays'));
  const gone = await refinery.submit('gone');
  const stays = await refinery.submit('stays');
  git(fix.repoDir, 'branch', '-D', 'gone');

  const rep = await refinery.processOnce();
  assert.deepEqual(rep.merged, [stays.id]);
  assert.deepEqual(rep.missing, [gone.id]);
  assert.equal((await store.get(gone.id))!.meta.phase, 'branch-missing');
  assert.ok(events.some((e) => e.type === 'phase' && e.id === gone.id && e.phase === 'branch-missing'));
  const q = await refinery.queue();
  assert.equal(q.find((e) => e.id === gone.id)!.ready, false);
  assert.match(q.find((e) => e.id === gone.id)!.waiting ?? '', /does not exist/);

  fix.branch('gone', goodModule('gone'));
  const rep2 = await refinery.processOnce();
  assert.deepEqual(rep2.merged, [gone.id]);
});

test('a gate command that does not exist blocks the queue with a clear problem, rejects nobody, and recovers when fixed', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const store = new JsonFileStore(fix.storeFile);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: 'gt-no-such-gate-command --run', timeoutMs: 60_000 } }, store);
  const problems: string[] = [];
  refinery.on('event', (e) => e.type === 'problem' && problems.push(`${e.kind}: ${e.message}`));
  fix.branch('feature', goodModule('feature'));
  const mr = await refinery.submit('feature');
  const before = fix.head('main');

  const rep = await refinery.processOnce();
  assert.equal(rep.kind, 'blocked');
  assert.deepEqual(rep.rejected, []);
  assert.equal(fix.head('main'), before, 'nothing landed');
  assert.equal((await store.get(mr.id))!.meta.phase, 'queued', 'back in the queue, not rejected');
  assert.equal((await store.get(mr.id))!.meta.attempts, 0);
  assert.ok(problems.some((p) => p.startsWith('gate-unavailable') && /not found|cannot run/.test(p)), problems.join('\n'));

  refinery.setGate({ command: GATE, timeoutMs: 60_000 });
  const rep2 = await refinery.processOnce();
  assert.deepEqual(rep2.merged, [mr.id]);
  assert.throws(() => refinery.setGate({ command: '  ', timeoutMs: 1 }), /gate.command/);
});

test('a gate that hangs is killed with its whole process group at the timeout; the request is rejected, the others land', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const pidFile = join(fix.root, 'hung-child.pid');
  // With HANG in the tree the gate starts a background sleeper (same process group) and waits.
  const gate = `if [ -f HANG ]; then sleep 300 & echo $! > ${pidFile}; wait; fi; ${GATE}`;
  const store = new JsonFileStore(fix.storeFile);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: gate, timeoutMs: 1500 }, batchSize: 3 }, store);
  fix.branch('ok1', goodModule('ok1'));
  fix.branch('hangs', { ...goodModule('hangs'), HANG: 'yes\n' });
  fix.branch('ok2', goodModule('ok2'));
  const ok1 = await refinery.submit('ok1');
  const hangs = await refinery.submit('hangs');
  const ok2 = await refinery.submit('ok2');

  const rep = await refinery.processOnce();
  assert.deepEqual(rep.rejected, [hangs.id]);
  assert.deepEqual(rep.merged.sort(), [ok1.id, ok2.id].sort());
  const mr = (await store.get(hangs.id))!;
  assert.equal(mr.meta.phase, 'rejected');
  assert.match(mr.meta.reason ?? '', /timed out/);
  assert.match(mr.meta.gateOutput ?? '', /process group was killed/);
  const sleeper = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(alive(sleeper), false, 'the hung gate child was killed with its group');
});

test('a workDir that is somebody else\'s folder is refused, never wiped', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  mkdirSync(fix.workDir, { recursive: true });
  writeFileSync(join(fix.workDir, 'precious.txt'), 'keep me');
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 } }, new JsonFileStore(fix.storeFile));
  await assert.rejects(refinery.processOnce(), /not a worktree/);
  assert.equal(readFileSync(join(fix.workDir, 'precious.txt'), 'utf8'), 'keep me');
  assert.throws(() => new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 0 } }, new JsonFileStore(fix.storeFile)), /timeoutMs/);
});

test('with an origin: landing pushes the target, and a target advanced on origin is synced before merging', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const origin = join(fix.root, 'origin.git');
  execFileSync('git', ['clone', '-q', '--bare', fix.repoDir, origin]);
  git(fix.repoDir, 'remote', 'add', 'origin', origin);
  const store = new JsonFileStore(fix.storeFile);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, origin: 'origin' }, store);

  // Someone lands a commit directly on origin/main.
  git(fix.clone, 'remote', 'add', 'origin', origin);
  git(fix.clone, 'fetch', '-q', 'origin', 'main');
  git(fix.clone, 'checkout', '-q', '-B', 'direct', 'origin/main');
  writeFileSync(join(fix.clone, 'src', 'direct.mjs'), 'export default () => true;\n');
  git(fix.clone, 'add', '-A');
  git(fix.clone, 'commit', '-q', '-m', 'direct push');
  git(fix.clone, 'push', '-q', 'origin', 'direct:main');
  const direct = git(fix.clone, 'rev-parse', 'direct');

  // A branch that exists only on origin can be submitted: it is fetched.
  git(fix.clone, 'checkout', '-q', '-B', 'crew/remote-only', direct);
  writeFileSync(join(fix.clone, 'src', 'remote.mjs'), 'export default () => true;\n');
  git(fix.clone, 'add', '-A');
  git(fix.clone, 'commit', '-q', '-m', 'remote only');
  git(fix.clone, 'push', '-q', 'origin', 'crew/remote-only');
  const mr = await refinery.submit('crew/remote-only');
  assert.ok(existsSync(fix.repoDir));

  const rep = await refinery.processOnce();
  assert.deepEqual(rep.merged, [mr.id]);
  const local = fix.head('main')!;
  assert.equal(git(origin, 'rev-parse', 'main'), local, 'origin has the landed target');
  assert.equal(git(fix.repoDir, 'merge-base', '--is-ancestor', direct, local), '', 'merged on top of the commit made on origin');
});
