// gt doctor: a healthy town exits 0; with no dolt anywhere (GT_DOLT unset, none on PATH, an empty
// install cache), the socket chmod 0644 and an orphaned worktree it names each problem, and --fix
// repairs the two it can (the socket's mode; the worktree moved aside, nothing deleted). A rig made
// by an older town, without the git settings rigs are made with now, is a warning --fix mends.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RigInfo } from '../../preload/requests/work-types.ts';
import { git, startTestTown, type TestTown } from './town-fixture.ts';
import { addRig } from './town-work-helpers.ts';

let t: TestTown;
let rig: RigInfo;
before(async () => {
  t = await startTestTown({ tickMs: 1000 });
  rig = await addRig(t, 'doc', 'dc', 2);
});
after(async () => t?.cleanup());

test('a healthy town: exit 0', async () => {
  const r = await t.gt(['doctor']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ dolt: dolt \d/);
  assert.match(r.stdout, /✓ rig settings: every rig has core\.untrackedCache/);
  assert.match(r.stdout, /healthy/);
});

test('a rig made by an older town (no untracked cache): a warning, exit 0; --fix sets it', async () => {
  git(rig.paths.bare, ['config', '--unset', 'core.untrackedCache']);
  const r = await t.gt(['doctor']);
  assert.equal(r.code, 0, 'a warning does not fail the doctor');
  assert.match(r.stdout, /! rig settings doc: .*\.repo\.git lacks core\.untrackedCache=true/);
  assert.match(r.stdout, /fix: git -C .*\.repo\.git config core\.untrackedCache true \(gt doctor --fix does it\)/);
  const f = await t.gt(['doctor', '--fix']);
  assert.equal(f.code, 0, f.stdout + f.stderr);
  assert.match(f.stdout, /fixed {2}rig settings doc/);
  assert.match(f.stdout, /✓ rig settings: every rig has/);
  assert.equal(git(rig.paths.bare, ['config', '--get', 'core.untrackedCache']).trim(), 'true');
});

test('no dolt, an open socket and an orphaned worktree: each named; --fix repairs the two it can', async () => {
  const sock = join(t.dir, '.runtime', 'gt.sock');
  chmodSync(sock, 0o644);
  const ghost = join(rig.paths.root, 'polecats', 'ghost');
  git(rig.paths.bare, ['worktree', 'add', '-q', '-b', 'ghost-branch', ghost, rig.branch]);
  // The empty install cache lives in the test town's folder, so the town's cleanup removes it.
  const noDolt = { GT_DOLT: '', GT_DOLT_CACHE: mkdtempSync(join(t.dir, 'empty-dolt-cache-')), PATH: '/usr/bin:/bin' };
  const r = await t.gt(['doctor'], noDolt);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✗ dolt: no usable dolt/);
  assert.match(r.stdout, /✗ socket: .*gt\.sock is mode 0644/);
  assert.match(r.stdout, /✗ orphans doc: .*polecats\/ghost: no polecat doc\/polecats\/ghost in the town/);
  assert.match(r.stdout, /3 problems/);

  const f = await t.gt(['doctor', '--fix'], noDolt);
  assert.equal(f.code, 1, 'dolt cannot be fixed by the doctor');
  assert.match(f.stdout, /fixed {2}socket/);
  assert.match(f.stdout, /fixed {2}orphans doc/);
  assert.match(f.stdout, /✗ dolt/);
  assert.match(f.stdout, /✓ socket/);
  assert.equal(statSync(sock).mode & 0o777, 0o600);
  assert.equal(existsSync(ghost), false);
  assert.equal(readdirSync(join(t.dir, 'backups', 'orphans')).length, 1, 'moved aside, not deleted');
  assert.doesNotMatch(git(rig.paths.bare, ['worktree', 'list']), /ghost/);
  // And with dolt back, healthy again.
  assert.equal((await t.gt(['doctor'])).code, 0);
});
