// Rigs end to end through the real `gt` CLI, a real town (Dolt, PTY host) and real git.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RigInfo } from '../../preload/requests/work-types.ts';
import type { Bead } from '../../preload/types.ts';
import { fixtureRepo, git, startTestTown, type TestTown } from './town-fixture.ts';

let t: TestTown;
let repo: string;

before(async () => {
  t = await startTestTown();
  repo = fixtureRepo(t.base);
});
after(async () => t?.cleanup());

test('rig add makes the bare repo, the canonical clone and a rig bead; list and show read it back', async () => {
  const rig = await t.json<RigInfo>(['rig', 'add', 'alpha', repo, '--prefix', 'al', '--gate', 'true', '--max-polecats', '3']);
  assert.equal(rig.prefix, 'al');
  assert.equal(rig.branch, 'main');
  assert.equal(rig.maxPolecats, 3);
  assert.equal(rig.gate, 'true');
  assert.ok(existsSync(join(rig.paths.bare, 'HEAD')), 'bare repository exists');
  assert.ok(existsSync(join(rig.paths.canonical, 'README.md')), 'canonical clone is checked out');
  assert.equal(git(rig.paths.bare, ['config', 'remote.origin.url']).trim(), repo, 'the source is the origin');
  const bead = await t.json<Bead>(['bead', 'show', rig.bead]);
  assert.equal(bead.type, 'rig');
  const list = await t.json<RigInfo[]>(['rig', 'list']);
  assert.deepEqual(list.map((r) => r.name), ['alpha']);
  const shown = await t.json<RigInfo>(['rig', 'show', 'alpha']);
  assert.equal(shown.source, repo);
});

test('gt bead create --rig uses the rig prefix', async () => {
  const b = await t.json<Bead>(['bead', 'create', '--rig', 'alpha', '-t', 'a task']);
  assert.match(b.id, /^al-/);
  const missing = await t.gt(['bead', 'create', '--rig', 'nope', '-t', 'x']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no rig nope/);
});

test('bad input: duplicate name or prefix, missing or non-git source, empty repo, bad branch; nothing half-created', async () => {
  const dupName = await t.gt(['rig', 'add', 'alpha', repo, '--prefix', 'zz']);
  assert.equal(dupName.code, 1);
  assert.match(dupName.stderr, /already exists/);
  const dupPrefix = await t.gt(['rig', 'add', 'beta', repo, '--prefix', 'al']);
  assert.equal(dupPrefix.code, 1);
  assert.match(dupPrefix.stderr, /prefix al is already used by rig alpha/);
  const town = await t.gt(['rig', 'add', 'gamma', repo, '--prefix', 'hq']);
  assert.match(town.stderr, /town's own/);
  const missing = await t.gt(['rig', 'add', 'delta', join(t.base, 'does-not-exist')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /neither a folder nor a git URL/);
  const plain = join(t.base, 'plain');
  mkdirSync(plain);
  const notGit = await t.gt(['rig', 'add', 'delta', plain]);
  assert.match(notGit.stderr, /not a git repository/);
  const empty = join(t.base, 'empty');
  mkdirSync(empty);
  git(empty, ['init', '-q', '-b', 'main']);
  const noCommits = await t.gt(['rig', 'add', 'epsilon', empty]);
  assert.equal(noCommits.code, 2);
  assert.match(noCommits.stderr, /has no commits/);
  const badBranch = await t.gt(['rig', 'add', 'zeta', repo, '--branch', 'nope']);
  assert.match(badBranch.stderr, /no branch nope \(branches: main\)/);
  const badUrl = await t.gt(['rig', 'add', 'eta', 'file:///nonexistent/repo.git']);
  assert.match(badUrl.stderr, /cannot clone/);
  // Nothing was left behind by any failure: one rig, one rig folder.
  assert.deepEqual(readdirSync(join(t.dir, 'rigs')), ['alpha']);
  assert.deepEqual((await t.json<RigInfo[]>(['rig', 'list'])).map((r) => r.name), ['alpha']);
});

test('rig remove deletes the folders and closes the bead; the name is free again', async () => {
  const rig = await t.json<RigInfo>(['rig', 'show', 'alpha']);
  const r = await t.gt(['rig', 'remove', 'alpha']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(rig.paths.root));
  assert.equal((await t.json<Bead>(['bead', 'show', rig.bead])).status, 'closed');
  assert.deepEqual(await t.json<RigInfo[]>(['rig', 'list']), []);
  const again = await t.json<RigInfo>(['rig', 'add', 'alpha', repo]);
  assert.equal(again.prefix, 'alph');
});
