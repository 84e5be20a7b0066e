// Must show: `kill -9` of the dolt server during a stream of writes. The supervisor restarts it; every
// acknowledged write is present afterwards; every other write either is present entirely or was
// reported failed to its caller. Plus the supervisor's own faults: escalation after >5 crashes,
// a taken port, another server on our folder, a dolt that is too old, no orphan after stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOSE_READS_GRACE_MS, Ledger } from '../../main/ledger/ledger.ts';
import { DoltServer } from '../../main/ledger/dolt-server.ts';
import { doltAvailable, startTempDolt } from '../../main/ledger/temp-dolt.ts';
import { TownError } from '../../preload/contract.ts';

const skip = doltAvailable() ?? false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('kill -9 during a write stream: acknowledged writes survive, none half-applied', { skip, timeout: 300_000 }, async () => {
  const town = await startTempDolt();
  const ledger = await Ledger.open(town.server.connection());
  let restarted = 0;
  town.server.on('restarted', () => restarted++);
  const acked = new Map<string, string>(); // title → id
  const failed: string[] = [];
  let stop = false;
  try {
    const stream = async (s: number) => {
      for (let n = 0; !stop; n++) {
        const title = `s${s}-${n}`;
        try {
          const b = await ledger.create({ title, labels: ['a', 'b', 'c'], description: title }, `stream-${s}`);
          acked.set(title, b.id);
        } catch (e) {
          assert.ok(e instanceof TownError, 'failures are reported as TownError');
          failed.push(title);
        }
      }
    };
    const streams = [0, 1, 2, 3].map(stream);
    for (let k = 0; k < 2; k++) {
      const before = acked.size;
      while (acked.size < before + 20) await sleep(10);
      const pid = town.server.pid!;
      process.kill(pid, 'SIGKILL');
      while (town.server.state !== 'ready' || town.server.pid === pid) await sleep(20);
      const after = acked.size;
      while (acked.size < after + 20) await sleep(10); // writes flow again after the restart
    }
    stop = true;
    await Promise.all(streams);
    assert.equal(restarted, 2, 'the supervisor restarted dolt after each kill');

    for (const [title, id] of acked) {
      const b = await ledger.show(id);
      assert.equal(b.title, title);
      assert.deepEqual(b.labels, ['a', 'b', 'c'], `${id} whole`);
    }
    // Anything present that was not acknowledged must be whole too (the caller saw a failure).
    const all = await ledger.list({ limit: 100_000 });
    assert.equal(all.length, new Set(all.map((b) => b.title)).size, 'no write applied twice');
    for (const b of all) {
      assert.deepEqual(b.labels, ['a', 'b', 'c'], `${b.id} has all its labels`);
      assert.equal(b.description, b.title);
      if (!acked.has(b.title)) assert.ok(failed.includes(b.title), `${b.title} present but neither acknowledged nor failed`);
    }
    assert.ok(acked.size >= 80);
  } finally {
    stop = true;
    await ledger.close();
    await town.dispose();
  }
});

test('more than 5 crashes in 10 minutes: no more restarts, an escalation', { skip, timeout: 120_000 }, async () => {
  const town = await startTempDolt();
  const escalations: string[] = [];
  town.server.on('escalation', (e: { message: string }) => escalations.push(e.message));
  try {
    for (let i = 0; i < 6; i++) {
      while (town.server.state !== 'ready') await sleep(20);
      process.kill(town.server.pid!, 'SIGKILL');
      while (town.server.state === 'ready') await sleep(10);
    }
    while (town.server.state !== 'failed') await sleep(20);
    assert.equal(escalations.length, 1);
    assert.match(escalations[0], /6 crashes in 10 minutes/);
    assert.equal(town.server.pid, null);
  } finally {
    await town.dispose();
  }
});

test('start-up faults are reported clearly; stop leaves no process', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-ledger-faults-'));
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const taken = (blocker.address() as { port: number }).port;
  const base = { user: 'gastown', password: 'secret-password', database: 'town' };
  const town = await startTempDolt();
  try {
    const onTaken = new DoltServer({ ...base, dataDir: join(dir, 'a'), logFile: join(dir, 'a.log'), port: taken });
    await assert.rejects(onTaken.start(), (e: unknown) => e instanceof TownError && /port \d+ .*already in use/.test(e.message));
    assert.equal(onTaken.pid, null);

    const second = new DoltServer({ ...base, dataDir: join(town.dir, 'dolt-data'), logFile: join(dir, 'b.log') });
    await assert.rejects(second.start(), (e: unknown) => e instanceof TownError && e.code === 'conflict' && /another dolt/.test(e.message));
    assert.equal(second.pid, null);

    const fake = join(dir, 'old-dolt');
    writeFileSync(fake, '#!/bin/sh\necho "dolt version 0.40.0"\n');
    chmodSync(fake, 0o755);
    const old = new DoltServer({ ...base, dataDir: join(dir, 'c'), logFile: join(dir, 'c.log'), doltPath: fake });
    await assert.rejects(old.start(), (e: unknown) => e instanceof TownError && /0\.40\.0 .*too old/.test(e.message));

    writeFileSync(join(dir, 'file'), 'not a folder');
    const bad = new DoltServer({ ...base, dataDir: join(dir, 'file'), logFile: join(dir, 'd.log') });
    await assert.rejects(bad.start(), (e: unknown) => e instanceof TownError && /cannot open the dolt data folder/.test(e.message));

    assert.throws(() => new DoltServer({ ...base, user: 'root', dataDir: dir, logFile: join(dir, 'e.log') }), /not root/);
  } finally {
    blocker.close();
    const pid = town.server.pid!;
    await town.dispose();
    assert.equal(alive(pid), false);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('close while a long read runs (a backup sync): the read is cut off after the grace, a write in flight is still acknowledged', { skip, timeout: 120_000 }, async () => {
  const town = await startTempDolt();
  try {
    const ledger = await Ledger.open(town.server.connection());
    // A read that outlasts the grace many times over, like DOLT_BACKUP syncing a large history.
    const read = ledger.pool.query(`SELECT SLEEP(${(CLOSE_READS_GRACE_MS / 1000) * 20}) AS s`).then(() => 'finished', (e: Error) => `cut off: ${e.message}`);
    const write = ledger.create({ title: 'written while closing', prefix: 'cl' }, 'tester');
    await sleep(200);
    await ledger.close();
    assert.match(await read, /^cut off: /, 'close did not wait for the long read to finish');
    const bead = await write;
    // The write was acknowledged, so it is in the ledger: read it back through a new ledger.
    const again = await Ledger.open(town.server.connection());
    try {
      assert.equal((await again.show(bead.id)).title, 'written while closing');
    } finally {
      await again.close();
    }
  } finally {
    await town.dispose();
  }
});
