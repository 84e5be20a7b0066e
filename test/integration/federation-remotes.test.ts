// A town's ledger beyond one machine, with real Dolt servers: push to a file:// remote, a fresh town
// cloned from it exports the same beads, a pull with a conflicting local edit is merged by the rules
// of docs/federation.md, and a push killed mid-way leaves both sides consistent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bead, Comment } from '../../preload/types.ts';
import type { RemoteStatus, SyncReport } from '../../preload/requests/federation-types.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { alive, waitFor } from '../helpers/gt.ts';
import { fedTown, type FedTown } from './federation-fixture.ts';

const skip = doltAvailable();
let a: FedTown;
let b: FedTown | null = null;
let remoteDir: string;
let remote: string;

before(async () => {
  if (skip) return;
  remoteDir = mkdtempSync(join(tmpdir(), 'gt-remote-'));
  remote = pathToFileURL(join(remoteDir, 'ledger')).href;
  a = await fedTown();
});

after(async () => {
  await a?.cleanup();
  await b?.cleanup();
  if (remoteDir) rmSync(remoteDir, { recursive: true, force: true });
});

const exportOf = async (t: FedTown): Promise<string> => {
  const r = await t.gt(['export']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};

test('remotes: bad input is refused clearly and nothing is added', { skip: skip ?? false }, async () => {
  const bad = await a.gt(['remote', 'add', 'backup', 'not a url']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /not a Dolt remote URL/);
  const badName = await a.gt(['remote', 'add', '1x', remote]);
  assert.notEqual(badName.code, 0);
  assert.deepEqual(await a.json<RemoteStatus[]>(['remote', 'list']), []);
  const missing = await a.gt(['sync', 'push', 'nowhere']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no remote named nowhere/);
});

test('push to a file:// remote, clone into a fresh town: identical export; a conflicting pull is merged by the rules', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const beads: Bead[] = [];
  for (const title of ['Shared one', 'Shared two', 'Shared three']) beads.push(await a.json<Bead>(['bead', 'create', '-t', title, '-d', `about ${title}`, '--label', 'team']));
  await a.json<RemoteStatus>(['remote', 'add', 'backup', remote]);
  const pushed = await a.json<SyncReport[]>(['sync', 'push', 'backup']);
  assert.deepEqual(pushed[0].errors, []);
  assert.ok(pushed[0].push);

  // A fresh town from the remote.
  b = await fedTown({ noInit: true });
  const clone = await b.gt(['clone', remote]);
  assert.equal(clone.code, 0, clone.stderr);
  await b.start();
  assert.equal(await exportOf(b), await exportOf(a), 'the clone exports exactly what the original does');
  const bRemotes = await b.json<RemoteStatus[]>(['remote', 'list']);
  assert.deepEqual(bRemotes.map((r) => [r.name, r.url]), [['origin', remote]]);

  // Both change the same bead; A pushes first.
  const x = beads[0];
  await a.json<Bead>(['bead', 'update', x.id, '--status', 'in_progress', '--title', 'A renamed it']);
  await a.json(['bead', 'label', 'add', x.id, 'from-a']);
  await a.json<Comment>(['bead', 'comment', x.id, 'comment from A']);
  assert.deepEqual((await a.json<SyncReport[]>(['sync', 'push', 'backup']))[0].errors, []);
  await new Promise((r) => setTimeout(r, 20)); // B's edit is the later change (millisecond times)
  await b.json<Bead>(['bead', 'update', x.id, '--title', 'B renamed it later', '--priority', '0']);
  await b.json(['bead', 'label', 'add', x.id, 'from-b']);
  await b.json<Comment>(['bead', 'comment', x.id, 'comment from B']);

  // B cannot push over A's change: Dolt refuses a non-fast-forward push.
  const refused = await b.gt(['sync', 'push', 'origin']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /has not pulled/);

  const pulled = await b.json<SyncReport[]>(['sync', 'pull', 'origin']);
  assert.deepEqual(pulled[0].errors, []);
  assert.equal(pulled[0].pull?.outcome, 'merged');
  assert.ok((pulled[0].pull?.conflicts ?? 0) >= 1, 'the bead row conflicted');
  assert.equal(pulled[0].pull?.unresolved.length, 0);
  assert.equal(pulled[0].pull?.escalation, null);
  const merged = await b.json<Bead>(['bead', 'show', x.id]);
  assert.equal(merged.status, 'in_progress', 'the furthest status wins');
  assert.equal(merged.title, 'B renamed it later', 'the later change wins');
  assert.equal(merged.priority, 0, 'a field only B changed');
  assert.deepEqual(merged.labels, ['from-a', 'from-b', 'team'], 'labels are a union');
  const comments: Comment[] = merged.comments ?? [];
  assert.deepEqual(comments.map((c) => c.text).sort(), ['comment from A', 'comment from B'], 'comments are a union');

  // B's merge goes back, and A pulls it: both towns hold the same ledger.
  assert.deepEqual((await b.json<SyncReport[]>(['sync', 'push', 'origin']))[0].errors, []);
  const back = await a.json<SyncReport[]>(['sync', 'pull', 'backup']);
  assert.deepEqual(back[0].errors, []);
  assert.equal(back[0].pull?.outcome, 'fast-forward');
  assert.equal(await exportOf(a), await exportOf(b));
  const list = await a.json<RemoteStatus[]>(['remote', 'list']);
  assert.equal(list[0].push?.ok, true);
  assert.equal(list[0].pull?.ok, true);

  // The remotes dog pushes on its schedule (here: run by hand); B pulls what it pushed.
  const late = await a.json<Bead>(['bead', 'create', '-t', 'Pushed by the dog']);
  const run = await a.json<{ ok: boolean; message: string }>(['dog', 'run', 'remotes']);
  assert.equal(run.ok, true, run.message);
  assert.match(run.message, /backup: pushed/);
  await b.json<SyncReport[]>(['sync', 'pull']);
  assert.equal((await b.json<Bead>(['bead', 'show', late.id])).title, 'Pushed by the dog');
});

test('a push killed mid-way leaves both sides consistent; the next push completes', { skip: skip ?? false, timeout: 600_000 }, async (t) => {
  // Enough data that the push takes a while: 1500 beads with 4 KB descriptions.
  const lines: string[] = [];
  const now = new Date().toISOString();
  for (let i = 0; i < 1500; i++) {
    lines.push(JSON.stringify({ id: `hq-bulk${i.toString(36).padStart(4, '0')}`, title: `Bulk ${i}`, description: `${i} `.repeat(1000).slice(0, 4000), status: 'open', priority: 2, issue_type: 'task', created_at: now, updated_at: now }));
  }
  const file = join(a.base, 'bulk.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const imported = await a.gt(['import', file]);
  assert.equal(imported.code, 0, imported.stderr);

  const doltPid = a.doltPid();
  // Kill the town's dolt server as soon as the push has started writing into the remote (a new
  // table file appears; Dolt writes the remote's manifest last).
  const remoteFolder = join(remoteDir, 'ledger');
  const filesBefore = new Set(readdirSync(remoteFolder));
  const push = a.gt(['sync', 'push', 'backup', '--json']);
  await waitFor('the push to start writing into the remote', () => readdirSync(remoteFolder).some((f) => !filesBefore.has(f)), 120_000, 5);
  process.kill(doltPid, 'SIGKILL');
  const first = await push;
  t.diagnostic(first.code === 0 ? 'the first push finished before the kill' : `the first push was cut: ${first.stderr.trim().split('\n')[0]}`);
  // Killed mid-way or (on a fast machine) just done: either way the town restarts its dolt server.
  await waitFor('the killed dolt server is gone', () => !alive(doltPid), 10_000);
  await waitFor('the town\'s dolt server is back', async () => (await a.gt(['remote', 'list', '--json'])).code === 0, 120_000, 500)
    .catch((e: Error) => { throw new Error(`${e.message}\n${a.town?.output() ?? ''}`); });
  const again = await waitFor('the next push completes', async () => {
    const r = await a.gt(['sync', 'push', 'backup', '--json']);
    if (r.code !== 0) return null;
    return JSON.parse(r.stdout) as SyncReport[];
  }, 180_000, 1000);
  assert.deepEqual(again[0].errors, [], `first push: ${first.code} ${first.stderr}`);

  // The remote is whole: a fresh clone exports what the town does.
  const c = await fedTown({ noInit: true });
  try {
    const clone = await c.gt(['clone', remote]);
    assert.equal(clone.code, 0, clone.stderr);
    await c.start();
    const [mine, theirs] = [await exportOf(a), await exportOf(c)];
    assert.equal(theirs.split('\n').filter(Boolean).length, mine.split('\n').filter(Boolean).length);
    assert.equal(theirs, mine);
  } finally {
    await c.cleanup();
  }
});
