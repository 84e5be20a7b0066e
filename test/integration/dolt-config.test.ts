// The town's dolt sql-server runs with the settings of the config file the town writes
// (main/ledger/dolt-config.ts), read back from the real server: the command line it was started
// with, the listener and log level Dolt reports, the remotesapi port it binds, a new port after a
// stop and start, the Unix socket the town is offered (and a crash's stale socket file replaced by
// the restart), TCP only when the socket is turned off, and the files its automatic GC writes: classic table files at the town's archive
// level 0, zstd archives (.darc) at level 1, so the test fails if the level never reached Dolt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { freePort, portTaken } from '../../main/ledger/free-port.ts';
import type { DoltGcArchiveLevel } from '../../main/ledger/dolt-config.ts';

const skip = doltAvailable() ?? (process.platform !== 'linux' ? 'reads the server command line from /proc (Linux only)' : false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
}

/** Dolt prints the settings it runs with on start: `Starting server with Config HP="host:port"|…|L="level"`. */
function startLines(logFile: string): string[] {
  return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.startsWith('Starting server with Config'));
}

test('the server starts from the config file alone: its listener, log level and remotesapi port; a new port on the next start', { skip, timeout: 180_000 }, async () => {
  const remotesApiPort = await freePort();
  const dolt = await startTempDolt({ remotesApiPort });
  try {
    const { server } = dolt;
    const file = server.configFile;
    assert.deepEqual(commandLineOf(server.pid!), ['sql-server', '--config', file], 'no flag beside --config (Dolt would ignore it)');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const yaml = readFileSync(file, 'utf8');
    assert.match(yaml, new RegExp(`\\n {2}port: ${server.port}\\n`));
    assert.match(yaml, new RegExp(`\\nremotesapi:\\n {2}port: ${remotesApiPort}\\n`));
    assert.match(yaml, /\n {4}archive_level: 0\n/);
    const logFile = join(dolt.dir, 'dolt.log');
    assert.match(startLines(logFile).at(-1) ?? '', new RegExp(`HP="127\\.0\\.0\\.1:${server.port}".*L="warning"`));
    assert.equal(await portTaken(remotesApiPort), true, 'remotesapi listens on its port');
    const c = server.connection();
    const conn = await mysql.createConnection({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
    try {
      const [rows] = await conn.query('SELECT @@dolt_auto_gc_enabled AS gc');
      assert.equal(Number((rows as Array<{ gc: number }>)[0].gc), 1, "Dolt's automatic GC is on");
    } finally {
      await conn.end();
    }
    assert.doesNotMatch(readFileSync(logFile, 'utf8'), /level=info/, 'nothing below warning is logged');

    // A stop and a start pick a free port again: the file is rewritten for it, the data and users kept.
    const first = server.port;
    await server.stop();
    assert.equal(await portTaken(remotesApiPort), false);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(first, '127.0.0.1', r));
    try {
      await server.start();
      assert.notEqual(server.port, first);
      assert.match(readFileSync(file, 'utf8'), new RegExp(`\\n {2}port: ${server.port}\\n`));
      assert.match(startLines(logFile).at(-1) ?? '', new RegExp(`HP="127\\.0\\.0\\.1:${server.port}"`));
      assert.equal(await portTaken(remotesApiPort), true);
    } finally {
      blocker.close();
    }
  } finally {
    await dolt.dispose();
  }
});

/** The server's own connections to its socket: /proc/net/unix lists the path of a listening socket. */
function listening(socket: string): boolean {
  return readFileSync('/proc/net/unix', 'utf8').split('\n').some((l) => l.endsWith(` ${socket}`));
}

test('the town connects over a Unix socket in the data folder; TCP still answers; a crashed server leaves a stale file that the restart replaces', { skip, timeout: 180_000 }, async () => {
  const dolt = await startTempDolt();
  try {
    const { server } = dolt;
    const socket = server.socketFile!;
    assert.equal(socket, join(dolt.dir, 'dolt-data', '.gt', 'sql.sock'));
    assert.ok(readFileSync(server.configFile, 'utf8').includes(`\n  socket: ${JSON.stringify(socket)}\n`), 'the socket is in the config');
    assert.equal(statSync(socket).isSocket(), true);
    assert.equal(listening(socket), true);
    const c = server.connection();
    assert.equal(c.socketPath, socket, 'the town is offered the socket');
    const viaSocket = await mysql.createConnection({ socketPath: c.socketPath, user: c.user, password: c.password, database: c.database });
    const viaTcp = await mysql.createConnection({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
    try {
      await viaSocket.query('CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY)');
      await viaSocket.query('INSERT INTO t VALUES (1)');
      const [rows] = await viaTcp.query('SELECT COUNT(*) AS n FROM t');
      assert.equal(Number((rows as Array<{ n: number }>)[0].n), 1, 'one server behind both');
      await assert.rejects(mysql.createConnection({ socketPath: c.socketPath, user: c.user, password: 'not-the-password', database: c.database }), /Access denied/, 'the socket asks for the password too');
    } finally {
      await viaSocket.end();
      await viaTcp.end();
    }

    // A crash leaves the socket file behind; the supervisor's restart binds it again.
    const restarted = new Promise<void>((r) => server.once('restarted', () => r()));
    process.kill(server.pid!, 'SIGKILL');
    await restarted;
    assert.equal(listening(socket), true, 'listening again after the restart');
    const again = await mysql.createConnection({ socketPath: server.connection().socketPath, user: c.user, password: c.password, database: c.database });
    try {
      const [rows] = await again.query('SELECT COUNT(*) AS n FROM t');
      assert.equal(Number((rows as Array<{ n: number }>)[0].n), 1);
    } finally {
      await again.end();
    }
  } finally {
    await dolt.dispose();
  }
});

test('without the socket (unixSocket: false) the server is TCP only and the town is offered TCP', { skip, timeout: 120_000 }, async () => {
  const dolt = await startTempDolt({ unixSocket: false });
  try {
    assert.equal(dolt.server.socketFile, null);
    assert.doesNotMatch(readFileSync(dolt.server.configFile, 'utf8'), /socket/);
    assert.equal(dolt.server.connection().socketPath, undefined);
    assert.equal(existsSync(join(dolt.dir, 'dolt-data', '.gt', 'sql.sock')), false);
  } finally {
    await dolt.dispose();
  }
});

/** The table files in the database's store (its journal excepted), newgen and oldgen. */
function tableFiles(dolt: TempDolt): string[] {
  const noms = join(dolt.dir, 'dolt-data', 'town', '.dolt', 'noms');
  const files: string[] = [];
  for (const dir of [noms, join(noms, 'oldgen')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (/^[0-9a-v]{32}(\.darc)?$/.test(f) && !/^v{32}$/.test(f)) files.push(f);
  }
  return files;
}

/** Writes past Dolt's 128 MiB journal threshold, then waits for its automatic GC to compact the journal. */
async function filesAfterAutoGc(level: DoltGcArchiveLevel): Promise<string[]> {
  const dolt = await startTempDolt({ gcArchiveLevel: level });
  try {
    const c = dolt.server.connection();
    const conn = await mysql.createConnection({ host: c.host, port: c.port, user: c.user, password: c.password, database: c.database });
    try {
      await conn.query('CREATE TABLE blobs (id INT PRIMARY KEY, b LONGBLOB)');
      for (let i = 0; i < 140; i++) await conn.query('INSERT INTO blobs VALUES (?, ?)', [i, randomBytes(1 << 20)]);
    } finally {
      await conn.end();
    }
    const deadline = Date.now() + 90_000;
    while (tableFiles(dolt).length === 0) {
      if (Date.now() > deadline) throw new Error(`Dolt's automatic GC did not run within 90 s at archive level ${level}`);
      await sleep(250);
    }
    await sleep(1000);
    return tableFiles(dolt);
  } finally {
    await dolt.dispose();
  }
}

test("Dolt's automatic GC writes what the file's archive level says: table files at the town's 0, archives at 1", { skip, timeout: 400_000 }, async () => {
  // Dolt defers its GC while the machine's load is high; here it runs as soon as it is due.
  const saved = process.env.DOLT_GC_SCHEDULER;
  process.env.DOLT_GC_SCHEDULER = 'NONE';
  try {
    const town = await filesAfterAutoGc(0);
    assert.ok(town.length > 0);
    assert.deepEqual(town.filter((f) => f.endsWith('.darc')), [], `no archive at level 0 (got ${town.join(', ')})`);
    const archived = await filesAfterAutoGc(1);
    assert.ok(archived.some((f) => f.endsWith('.darc')), `archives at level 1 (got ${archived.join(', ')})`);
  } finally {
    if (saved === undefined) delete process.env.DOLT_GC_SCHEDULER;
    else process.env.DOLT_GC_SCHEDULER = saved;
  }
});
