// The backup dog on a real Town: its JSONL restores into an empty ledger identical to the source
// (export equality), its Dolt backup is written, old backups rotate away, and a simulated loss of
// more than half the beads halts the rotation (nothing deleted) and escalates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DogRunResult, EscalationInfo } from '../../preload/requests/supervision-types.ts';
import { Town } from '../../main/town/town.ts';
import { Ledger } from '../../main/ledger/ledger.ts';
import { startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { gt, tempTownDir } from '../helpers/gt.ts';

let town: Town;
let target: TempDolt;
let cleanup: () => void;
const ctx = { actor: 'overseer', transport: 'in-process' as const, consumer: 'test' };
const runBackup = () => town.call('dogRun', { name: 'backup' }, ctx) as Promise<DogRunResult>;

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
  assert.ok(r.details.dolt && existsSync(r.details.dolt as string), 'a Dolt backup folder is written');
  const restored = await Ledger.open(target.server.connection());
  try {
    await restored.importJsonl(jsonl, 'restore');
    assert.equal(await restored.exportJsonl(), await town.ledger.exportJsonl(), 'export equality');
  } finally {
    await restored.close();
  }
});

test('rotation keeps the newest; a drop of more than half halts it and escalates', async () => {
  await runBackup();
  await runBackup();
  const dir = join(town.paths.root, 'backups');
  assert.equal(readdirSync(dir).length, 2, 'two kept');
  const before = readdirSync(dir).sort();
  // Simulated loss: most beads vanish from the working set.
  await town.ledger.pool.query("DELETE FROM issues WHERE title LIKE 'bulk %'");
  const r = await runBackup();
  assert.equal(r.ok, false);
  assert.equal(r.details.halted, true);
  assert.match(r.message, /more than half gone, rotation halted/);
  const after = readdirSync(dir).sort();
  for (const name of before) assert.ok(after.includes(name), `${name} kept`);
  assert.equal(after.length, 3);
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
