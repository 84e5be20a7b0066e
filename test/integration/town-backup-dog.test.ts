// The backup dog on a real Town: its JSONL restores into an empty ledger identical to the source
// (export equality), its Dolt history backup restores into another Dolt server with the commit its
// manifest names, every run syncs that one history, old backups rotate away, and a simulated loss
// of more than half the beads halts the rotation (nothing deleted), keeps the history as the last
// good run left it (the loss goes to a backup of its own) and escalates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DogRunResult, EscalationInfo } from '../../preload/requests/supervision-types.ts';
import { Town } from '../../main/town/town.ts';
import { Ledger } from '../../main/ledger/ledger.ts';
import { historyBackupDir, type BackupManifest } from '../../main/town/supervision/dogs/backup-dog.ts';
import { startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { gt, tempTownDir } from '../helpers/gt.ts';

let town: Town;
let target: TempDolt;
let cleanup: () => void;
const ctx = { actor: 'overseer', transport: 'in-process' as const, consumer: 'test' };
const runBackup = () => town.call('dogRun', { name: 'backup' }, ctx) as Promise<DogRunResult>;
const manifestOf = (r: DogRunResult) => JSON.parse(readFileSync(join(r.details.dir as string, 'manifest.json'), 'utf8')) as BackupManifest;
/** Restores the Dolt backup at `dir` into the target server as database `name`; its commits, newest first. */
async function restoredCommits(ledger: Ledger, dir: string, name: string): Promise<string[]> {
  await ledger.pool.query("CALL DOLT_BACKUP('restore', ?, ?)", [pathToFileURL(dir).href, name]);
  const [rows] = await ledger.pool.query(`SELECT commit_hash AS h FROM \`${name}\`.dolt_log ORDER BY commit_order DESC`);
  return (rows as { h: string }[]).map((r) => r.h);
}

before(async () => {
  const t = tempTownDir();
  cleanup = t.cleanup;
  assert.equal((await gt(['init'], { town: t.dir })).code, 0);
  mkdirSync(join(t.dir, 'settings'), { recursive: true });
  // By hand only (no schedule), two kept.
  writeFileSync(join(t.dir, 'settings', 'supervision.json'), JSON.stringify({ backupKeep: 2, compactThresholdBytes: 0, dogs: { backup: 0, compactor: 0, reaper: 0, doctor: 0 } }));
  town = await Town.start({ dir: t.dir });
  target = await startTempDolt();
});
after(async () => {
  await town?.stop();
  await target?.dispose();
  cleanup?.();
});

test('the backup restores into an empty ledger identical to the source', async () => {
  const a = await town.ledger.create({ title: 'parent work', prefix: 'hq', labels: ['area:ui'], metadata: { k: 1 } }, 'overseer');
  const b = await town.ledger.create({ title: 'child work', prefix: 'hq', description: 'with text' }, 'overseer');
  await town.ledger.addDependency(b.id, a.id, 'blocks', 'overseer');
  await town.ledger.addComment(a.id, 'a comment', 'overseer');
  for (let i = 0; i < 8; i++) await town.ledger.create({ title: `bulk ${i}`, prefix: 'hq' }, 'overseer');
  await town.ledger.closeBead(b.id, 'done', 'overseer');
  const r = await runBackup();
  assert.equal(r.ok, true, r.message);
  const jsonl = readFileSync(r.details.jsonl as string, 'utf8');
  assert.equal(r.details.dolt, historyBackupDir(town.paths.root), 'the history backup is the shared one');
  assert.ok(existsSync(r.details.dolt as string), 'a Dolt backup folder is written');
  const manifest = manifestOf(r);
  assert.equal(manifest.dolt, join('..', 'history'));
  assert.match(manifest.doltCommit ?? '', /^[0-9a-v]{32}$/);
  const restored = await Ledger.open(target.server.connection());
  try {
    await restored.importJsonl(jsonl, 'restore');
    assert.equal(await restored.exportJsonl(), await town.ledger.exportJsonl(), 'export equality');
    const commits = await restoredCommits(restored, r.details.dolt as string, 'history_first');
    assert.equal(commits[0], manifest.doltCommit, "the restored history's head is the manifest's commit");
    const [rows] = await restored.pool.query('SELECT COUNT(*) AS n FROM history_first.issues');
    assert.equal((rows as { n: number }[])[0].n, 10, 'the restored database holds the beads');
  } finally {
    await restored.close();
  }
});

test('rotation keeps the newest and every run syncs one history; a drop of more than half halts it, leaves the history alone and escalates', async () => {
  await runBackup();
  await town.ledger.create({ title: 'between backups', prefix: 'hq' }, 'overseer');
  const good = await runBackup();
  const dir = join(town.paths.root, 'backups');
  const folders = () => readdirSync(dir).filter((n) => n !== 'history').sort();
  assert.equal(folders().length, 2, 'two kept');
  assert.equal(good.details.dolt, historyBackupDir(town.paths.root));
  const before = folders();
  // Simulated loss: most beads vanish, and the loss is committed.
  await town.ledger.pool.query("DELETE FROM issues WHERE title LIKE 'bulk %'");
  await town.ledger.pool.query("CALL DOLT_COMMIT('-am', 'a mass deletion')");
  const r = await runBackup();
  assert.equal(r.ok, false);
  assert.equal(r.details.halted, true);
  assert.match(r.message, /more than half gone, rotation halted/);
  const after = folders();
  for (const name of before) assert.ok(after.includes(name), `${name} kept`);
  assert.equal(after.length, 3);
  assert.equal(r.details.dolt, join(r.details.dir as string, 'dolt'), 'the halted run backs up to a folder of its own');
  const restored = await Ledger.open(target.server.connection());
  try {
    const history = await restoredCommits(restored, historyBackupDir(town.paths.root), 'history_after_loss');
    assert.equal(history[0], manifestOf(good).doltCommit, 'the shared history still ends at the last good run');
    const own = await restoredCommits(restored, r.details.dolt as string, 'halted_run');
    assert.equal(own[0], manifestOf(r).doltCommit, "the halted run's own backup holds the loss");
    assert.notEqual(own[0], history[0]);
  } finally {
    await restored.close();
  }
  const esc = (await town.call('escalationList', { all: false }, ctx) as EscalationInfo[]).find((e) => /Backup rotation halted/.test(e.message));
  assert.ok(esc);
  assert.equal(esc.severity, 'high');
  const dogs = await town.supervision.dogs.list();
  assert.equal(dogs.find((d) => d.name === 'backup')?.lastOk, false, 'the last run is recorded as failed');
});

test('the compactor runs dolt gc and the bead history survives it; every dog has a last-run record', async () => {
  const b = await town.ledger.create({ title: 'history to keep', prefix: 'hq' }, 'overseer');
  await town.ledger.update(b.id, { title: 'history kept' }, 'overseer');
  const before = await town.call('beadHistory', { id: b.id }, ctx);
  const r = await town.call('dogRun', { name: 'compactor' }, ctx) as DogRunResult;
  assert.equal(r.ok, true, r.message);
  assert.match(r.message, /dolt gc/);
  assert.deepEqual(await town.call('beadHistory', { id: b.id }, ctx), before, 'history unchanged');
  const reaper = await town.call('dogRun', { name: 'reaper' }, ctx) as DogRunResult;
  assert.equal(reaper.ok, true, reaper.message);
  const doctor = await town.call('dogRun', { name: 'doctor' }, ctx) as DogRunResult;
  assert.ok(Array.isArray(doctor.details.checks));
  const dogs = await town.supervision.dogs.list();
  for (const name of ['backup', 'compactor', 'reaper', 'doctor']) assert.ok(dogs.find((d) => d.name === name)?.lastRunAt, `${name} recorded`);
  await assert.rejects(town.call('dogRun', { name: 'nosuchdog' }, ctx), /no dog named nosuchdog/);
});
