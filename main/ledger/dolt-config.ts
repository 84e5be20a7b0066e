// The config file the town's `dolt sql-server` starts from (`dolt sql-server --config <file>`), written
// by the town before every launch. Building its text is pure; writing it is one small step.
//
// Invariants:
// - `--config` makes Dolt ignore every command-line flag, so everything the town sets for the server
//   lives in this file: the listener (127.0.0.1 and the port of this launch, plus a Unix socket in the
//   data folder where one can be bound), the log level, the data folder, the remotesapi port when the
//   town serves as a federation remote, and Dolt's automatic GC.
// - The socket is for the town's own connections (its ledger, feed and federation: a statement over a
//   Unix socket costs both sides less CPU than over loopback TCP; docs/dolt.md); TCP stays for `bd`
//   and anyone else. The socket file lives in the town's data folder, and the SQL user's password is
//   asked on it as on TCP.
//   What stays outside it: the environment (dolt-settings.ts: memory limit, root path, the remote
//   password) and the log file (the child's stdout/stderr).
// - Dolt's automatic GC stays on, at archive level 0: it still compacts the journal into table files,
//   but does not rewrite them as zstd archives (level 1, Dolt 1.88's default), whose compression was
//   ~3% of Dolt's CPU at 30 agents (docs/dolt.md, "How the town runs it: the config file").
// - A file with no `behavior.auto_gc_behavior` at all would also mean "on, level 1"; the town always
//   writes the section, so the level is the town's, never Dolt's default.
// - The file holds no secret (the SQL user lives in Dolt's privileges, the remote password in the
//   environment) but is written 0600 like the rest of the town's dolt folder, and replaced whole (a
//   temp file renamed over it), so a launch never reads a half-written file.
// - Values are validated, and strings written as double-quoted JSON strings (valid YAML): no value can
//   add a key.
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TownError } from '../../preload/contract.ts';

/** Dolt's GC archive levels: 0 writes classic table files, 1 writes zstd archives (Dolt's default). */
export type DoltGcArchiveLevel = 0 | 1;
/** The town's archive level for Dolt's automatic GC (docs/dolt.md). */
export const DOLT_GC_ARCHIVE_LEVEL: DoltGcArchiveLevel = 0;
/** The server's log level: warnings and errors only (every connection would otherwise be logged). */
export const DOLT_LOG_LEVEL = 'warning';

export interface DoltServerConfig {
  /** The interface the SQL listener binds (the town: 127.0.0.1). */
  host: string;
  port: number;
  /** Absolute path of the folder whose subfolders are the databases. */
  dataDir: string;
  /** Also listen on this Unix socket (the town's own connections: cheaper than loopback TCP). */
  socket?: string;
  /** Also serve the databases over remotesapi on this port (federation). */
  remotesApiPort?: number;
  gcArchiveLevel: DoltGcArchiveLevel;
}

/** Where the town writes the config: beside its dolt global config, inside the data folder's `.gt`
 *  (two levels deep, so Dolt never takes it for a database). */
export function doltConfigFile(dataDir: string): string {
  return join(dataDir, '.gt', 'sql-server.yaml');
}

/** A Unix socket's path must fit `sun_path` (108 bytes on Linux, 104 on macOS, with its NUL). */
export const MAX_SOCKET_PATH_BYTES = 100;

/** Where the server's Unix socket goes (beside the config), or null where none can be bound: on
 *  Windows, or when the path is too long for a socket address. */
export function doltSocketFile(dataDir: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  const file = join(dataDir, '.gt', 'sql.sock');
  return Buffer.byteLength(file) <= MAX_SOCKET_PATH_BYTES ? file : null;
}

function port(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`dolt config ${name} must be a port number 1-65535 (got ${n})`);
  return n;
}

function text(name: string, s: string): string {
  if (!s || /[\0\r\n]/.test(s)) throw new Error(`dolt config ${name} must be a non-empty single line (got ${JSON.stringify(s)})`);
  return JSON.stringify(s);
}

function socketPath(s: string): string {
  if (Buffer.byteLength(s) > MAX_SOCKET_PATH_BYTES) throw new Error(`dolt config socket must be at most ${MAX_SOCKET_PATH_BYTES} bytes (got ${Buffer.byteLength(s)})`);
  return text('socket', s);
}

/** The YAML text of the server's config. Pure; throws on a value Dolt could not take. */
export function doltServerConfigYaml(c: DoltServerConfig): string {
  if (c.gcArchiveLevel !== 0 && c.gcArchiveLevel !== 1) throw new Error(`dolt config gcArchiveLevel must be 0 or 1 (got ${String(c.gcArchiveLevel)})`);
  const lines = [
    '# Written by Gas Town on every start of its dolt sql-server (main/ledger/dolt-config.ts); edits are replaced.',
    `log_level: ${text('log level', DOLT_LOG_LEVEL)}`,
    `data_dir: ${text('dataDir', c.dataDir)}`,
    'listener:',
    `  host: ${text('host', c.host)}`,
    `  port: ${port('port', c.port)}`,
    ...(c.socket !== undefined ? [`  socket: ${socketPath(c.socket)}`] : []),
    'behavior:',
    '  auto_gc_behavior:',
    '    enable: true',
    `    archive_level: ${c.gcArchiveLevel}`,
  ];
  if (c.remotesApiPort !== undefined) lines.push('remotesapi:', `  port: ${port('remotesApiPort', c.remotesApiPort)}`);
  return lines.join('\n') + '\n';
}

/** Replaces the config file with `yaml` (mode 0600); a failure names the file. */
export function writeDoltServerConfig(file: string, yaml: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, yaml, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (e) {
    try { rmSync(temp, { force: true }); } catch { /* the message below names the file */ }
    throw new TownError('unavailable', `cannot write the dolt server's config ${file}: ${(e as Error).message}`);
  }
}
