// The Refinery survives being killed: a refinery process SIGKILLed while its gate runs, and one
// that dies between moving the target and recording the merge. On restart nothing is merged
// twice, the orphaned gate is killed, and the worktree is clean.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Refinery } from '../../main/refinery/refinery.ts';
import { JsonFileStore } from '../../main/refinery/json-file-store.ts';
import type { MergeRequest, MergeRequestMeta, MrPhase } from '../../main/refinery/types.ts';
import { GATE, git, goodModule, makeRig, type RigFixture } from './refinery-fixture.ts';
import { alive } from '../helpers/gt.ts';

const ROOT = join(import.meta.dirname, '..', '..');


/** How many times a request was merged into main: merge commits carrying its trailer. */
function mergeCount(fix: RigFixture, id: string): number {
  const out = git(fix.repoDir, 'log', '--format=%H', `--grep=Merge-Request: ${id}`, 'main');
  return out ? out.split('\n').length : 0;
}

test('a refinery killed mid-gate resumes: orphaned gate killed, every request merged exactly once, worktree clean', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const store = new JsonFileStore(fix.storeFile);
  const seed = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 } }, store);
  const ids: string[] = [];
  for (const n of ['a', 'b', 'c']) {
    fix.branch(`polecat/${n}`, goodModule(n));
    ids.push((await seed.submit(`polecat/${n}`)).id);
  }

  // The "town": a separate process whose gate blocks until it is killed.
  const started = join(fix.root, 'gate-started');
  const gatePid = join(fix.root, 'gate.pid');
  const slowGate = `echo $$ > ${gatePid}; touch ${started}; sleep 300; ${GATE}`;
  const script = `
    import { Refinery } from ${JSON.stringify(join(ROOT, 'main/refinery/refinery.ts'))};
    import { JsonFileStore } from ${JSON.stringify(join(ROOT, 'main/refinery/json-file-store.ts'))};
    const r = new Refinery({ repoDir: ${JSON.stringify(fix.repoDir)}, workDir: ${JSON.stringify(fix.workDir)},
      gate: { command: ${JSON.stringify(slowGate)}, timeoutMs: 600000 } }, new JsonFileStore(${JSON.stringify(fix.storeFile)}));
    await r.processOnce();
  `;
  const town = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  town.stderr.on('data', (d) => (stderr += d));
  t.after(() => town.kill('SIGKILL'));
  for (let i = 0; i < 300 && !existsSync(started); i++) await sleep(100);
  assert.ok(existsSync(started), `gate never started: ${stderr}`);
  // A gate running longer than recordTestingAfterMs (2 s by default) has its requests written `testing`.
  const inFlight = async () => (await Promise.all(ids.map((id) => store.get(id)))).every((mr) => mr!.meta.phase === 'testing');
  for (let i = 0; i < 300 && !(await inFlight()); i++) await sleep(100);
  const exited = new Promise((res) => town.once('exit', res));
  town.kill('SIGKILL');
  await exited;

  const orphan = Number(readFileSync(gatePid, 'utf8'));
  assert.equal(alive(orphan), true, 'the gate outlived the killed town (own process group)');
  for (const id of ids) assert.equal((await store.get(id))!.meta.phase, 'testing', 'store shows the batch in flight');
  const before = fix.head('main');

  // Its gate is quicker than recordTestingAfterMs whatever the load: the history below is exact.
  const restarted = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, recordTestingAfterMs: 600_000 }, store);
  const rep = await restarted.processOnce();
  assert.equal(alive(orphan), false, 'the orphaned gate was killed before the worktree was reused');
  assert.deepEqual(rep.merged, ids);
  assert.notEqual(fix.head('main'), before);
  for (const id of ids) {
    assert.equal((await store.get(id))!.meta.phase, 'merged');
    assert.equal(mergeCount(fix, id), 1, `${id} merged exactly once`);
  }
  const again = await restarted.processOnce();
  assert.equal(again.kind, 'idle');
  assert.equal(git(fix.workDir, 'status', '--porcelain'), '', 'refinery worktree is clean');
  const history = (await store.all()).history.filter((h) => h.id === ids[0]).map((h) => h.phase);
  // The killed pass's `testing`, then `merged`: the resumed pass re-queued and tested it in memory.
  assert.deepEqual(history, ['queued', 'testing', 'merged']);
});

/** The plain file store, except that the process "dies" the first time it records a merge. */
class DiesBeforeRecordingMerge extends JsonFileStore {
  died = false;
  override async record(id: string, phase: MrPhase, patch: Partial<MergeRequestMeta>, note: string): Promise<MergeRequest> {
    if (phase === 'merged' && !this.died) {
      this.died = true;
      throw new Error('simulated crash after the target moved');
    }
    return super.record(id, phase, patch, note);
  }
}

test('a crash between moving the target and recording the merge is repaired from git: nothing merged twice', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const dying = new DiesBeforeRecordingMerge(fix.storeFile);
  const first = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 } }, dying);
  const ids: string[] = [];
  for (const n of ['x', 'y']) {
    fix.branch(`polecat/${n}`, goodModule(n));
    ids.push((await first.submit(`polecat/${n}`)).id);
  }
  await assert.rejects(first.processOnce(), /simulated crash/);
  const landed = fix.head('main');
  for (const id of ids) assert.equal(mergeCount(fix, id), 1);

  const store = new JsonFileStore(fix.storeFile);
  assert.notEqual((await store.get(ids[0]))!.meta.phase, 'merged', 'the store missed the merge');
  const restarted = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 } }, store);
  const rep = await restarted.processOnce();
  assert.equal(rep.kind, 'idle', 'no batch needed: both are already in the target');
  assert.deepEqual(rep.merged.sort(), [...ids].sort());
  assert.equal(fix.head('main'), landed, 'target untouched');
  for (const id of ids) {
    assert.equal((await store.get(id))!.meta.phase, 'merged');
    assert.equal(mergeCount(fix, id), 1, `${id} merged exactly once`);
  }
});

test('run() lands a submitted request by itself; stop() mid-gate kills the gate and re-queues the batch', async (t) => {
  const fix = makeRig();
  t.after(() => fix.cleanup());
  const store = new JsonFileStore(fix.storeFile);
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: GATE, timeoutMs: 60_000 }, pollMs: 60_000 }, store);
  refinery.run();
  fix.branch('auto', goodModule('auto'));
  // 'landed' (the target moved) comes before the phases are recorded: wait for the phase.
  const landed = new Promise<void>((res) => refinery.on('event', (e) => e.type === 'phase' && e.branch === 'auto' && e.phase === 'merged' && res()));
  const auto = await refinery.submit('auto');
  await landed;
  assert.equal((await store.get(auto.id))!.meta.phase, 'merged');

  const started = join(fix.root, 'slow-started');
  const gatePid = join(fix.root, 'slow.pid');
  refinery.setGate({ command: `echo $$ > ${gatePid}; touch ${started}; sleep 300`, timeoutMs: 600_000 });
  fix.branch('slow', goodModule('slow'));
  const slow = await refinery.submit('slow');
  for (let i = 0; i < 300 && !existsSync(started); i++) await sleep(100);
  assert.ok(existsSync(started));
  await refinery.stop();
  assert.equal(alive(Number(readFileSync(gatePid, 'utf8'))), false, 'gate killed on stop');
  assert.equal((await store.get(slow.id))!.meta.phase, 'queued');
  assert.equal(git(fix.workDir, 'status', '--porcelain'), '');
});
