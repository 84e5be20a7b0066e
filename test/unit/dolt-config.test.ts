// The config file the town's dolt sql-server starts from: every setting the town passes is in it
// (with --config Dolt ignores flags), the automatic GC is on at the town's archive level, the
// remotesapi section only when serving, and no value can break out of its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOLT_GC_ARCHIVE_LEVEL, doltConfigFile, doltServerConfigYaml, doltSocketFile, MAX_SOCKET_PATH_BYTES, writeDoltServerConfig } from '../../main/ledger/dolt-config.ts';

const base = { host: '127.0.0.1', port: 40123, dataDir: '/town/.dolt-data', gcArchiveLevel: DOLT_GC_ARCHIVE_LEVEL };

test('the town config: listener, log level, data folder and the automatic GC at archive level 0', () => {
  assert.equal(DOLT_GC_ARCHIVE_LEVEL, 0);
  assert.equal(doltServerConfigYaml(base), [
    '# Written by Gas Town on every start of its dolt sql-server (main/ledger/dolt-config.ts); edits are replaced.',
    'log_level: "warning"',
    'data_dir: "/town/.dolt-data"',
    'listener:',
    '  host: "127.0.0.1"',
    '  port: 40123',
    'behavior:',
    '  auto_gc_behavior:',
    '    enable: true',
    '    archive_level: 0',
    '',
  ].join('\n'));
  assert.match(doltServerConfigYaml({ ...base, gcArchiveLevel: 1 }), /\n {4}archive_level: 1\n/);
});

test('the remotesapi port is written only when the town serves as a remote', () => {
  assert.doesNotMatch(doltServerConfigYaml(base), /remotesapi/);
  assert.match(doltServerConfigYaml({ ...base, remotesApiPort: 50051 }), /\nremotesapi:\n {2}port: 50051\n$/);
});

test('strings are quoted so no value adds a key; bad ports and levels are refused with their name', () => {
  const odd = doltServerConfigYaml({ ...base, dataDir: '/t/a "b": c\\d #e' });
  assert.match(odd, /\ndata_dir: "\/t\/a \\"b\\": c\\\\d #e"\n/);
  assert.throws(() => doltServerConfigYaml({ ...base, dataDir: '/t\nlog_level: trace' }), /dataDir must be a non-empty single line/);
  assert.throws(() => doltServerConfigYaml({ ...base, port: 0 }), /port must be a port number 1-65535 \(got 0\)/);
  assert.throws(() => doltServerConfigYaml({ ...base, port: 70000 }), /port must be a port number/);
  assert.throws(() => doltServerConfigYaml({ ...base, remotesApiPort: 1.5 }), /remotesApiPort must be a port number/);
  assert.throws(() => doltServerConfigYaml({ ...base, gcArchiveLevel: 2 as 0 }), /gcArchiveLevel must be 0 or 1 \(got 2\)/);
});

test('the file lives two levels inside the data folder, is replaced whole at mode 0600, and a failure names it', () => {
  assert.equal(doltConfigFile('/town/.dolt-data'), '/town/.dolt-data/.gt/sql-server.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'gt-dolt-config-'));
  try {
    const file = doltConfigFile(dir);
    writeDoltServerConfig(file, 'a: 1\n');
    writeDoltServerConfig(file, 'b: 2\n');
    assert.equal(readFileSync(file, 'utf8'), 'b: 2\n');
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, '.gt')), ['sql-server.yaml'], 'no temp file left behind');
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be');
    const blocked = doltConfigFile(join(dir, 'blocker'));
    assert.throws(() => writeDoltServerConfig(blocked, 'a: 1\n'), (e: Error) => e.message.includes(`cannot write the dolt server's config ${blocked}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Unix socket: in the listener section when given, beside the config, none where it cannot be bound', () => {
  assert.doesNotMatch(doltServerConfigYaml(base), /socket/);
  assert.match(doltServerConfigYaml({ ...base, socket: '/town/.dolt-data/.gt/sql.sock' }), /\n {2}port: 40123\n {2}socket: "\/town\/\.dolt-data\/\.gt\/sql\.sock"\nbehavior:/);
  assert.equal(doltSocketFile('/town/.dolt-data', 'linux'), '/town/.dolt-data/.gt/sql.sock');
  assert.equal(doltSocketFile('/town/.dolt-data', 'win32'), null, 'no Unix socket on Windows');
  const deep = `/${'d'.repeat(MAX_SOCKET_PATH_BYTES)}`;
  assert.equal(doltSocketFile(deep, 'linux'), null, 'a path too long for sun_path: TCP only');
  assert.equal(doltSocketFile(`/${'é'.repeat(45)}`, 'linux'), null, 'counted in bytes, not characters');
  assert.throws(() => doltServerConfigYaml({ ...base, socket: `${deep}/sql.sock` }), /socket must be at most 100 bytes/);
  assert.throws(() => doltServerConfigYaml({ ...base, socket: '/t/a.sock\nlog_level: trace' }), /socket must be a non-empty single line/);
});
