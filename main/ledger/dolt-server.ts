// Supervises the town's `dolt sql-server`: 127.0.0.1 only, a generated user + password, data and log
// under the town folder, crash restarts by the town's one restart policy (main/lib/restart-policy.ts:
// backoff with jitter, a cap per window, reset after a stable run), and an escalation when it keeps
// dying. Ready means a real connection answered a query, never "the process started". It runs with a
// small server's memory budget (main/ledger/dolt-settings.ts: a soft limit Dolt sizes its caches from).
// Dolt starts from a config file the town writes before every launch (main/ledger/dolt-config.ts:
// listener, log level, data folder, remotesapi port, automatic GC at archive level 0): with `--config`
// Dolt ignores every flag, so the spawn passes nothing else. It listens on loopback TCP and, where one
// can be bound, on a Unix socket in the data folder; connection() offers the socket only when it
// answered at launch (TCP is what "ready" means, and what `bd` uses).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { TownError } from '../../preload/contract.ts';
import { doltVersion, findDolt, MIN_DOLT_VERSION, versionAtLeast } from './dolt-locate.ts';
import { freePort, portTaken } from './free-port.ts';
import { RESTART_POLICIES, RestartPolicy, type RestartPolicyOptions } from '../lib/restart-policy.ts';
import { doltGlobalConfig, doltServerEnv, doltStatsEnabled, doltUnixSocketEnabled, type DoltMemorySettings } from './dolt-settings.ts';
import { DOLT_GC_ARCHIVE_LEVEL, doltConfigFile, doltServerConfigYaml, doltSocketFile, writeDoltServerConfig, type DoltGcArchiveLevel } from './dolt-config.ts';

export type DoltState = 'starting' | 'ready' | 'restarting' | 'stopped' | 'failed';
/** How to reach the town's server: TCP on loopback always; `socketPath` when its Unix socket answers
 *  (mysql2 then connects there instead: `...mysqlEndpoint(conn)`). */
export interface DoltConnection { host: string; port: number; socketPath?: string; user: string; password: string; database: string }

/** The mysql2 options that say where to connect: the Unix socket when there is one, else TCP. */
export function mysqlEndpoint(conn: Pick<DoltConnection, 'host' | 'port' | 'socketPath'>): { host: string; port: number } | { socketPath: string } {
  return conn.socketPath ? { socketPath: conn.socketPath } : { host: conn.host, port: conn.port };
}
export interface DoltServerOptions {
  dataDir: string;
  logFile: string;
  /** Absent or 0: pick a free port (kept across crash restarts so pooled clients reconnect). */
  port?: number;
  user: string;
  password: string;
  database: string;
  /** Default: findDolt() (GT_DOLT, PATH, then the install cache). */
  doltPath?: string;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s. */
  stopGraceMs?: number;
  /** How long start() waits for the first answered query. Default 60 s. */
  readyTimeoutMs?: number;
  /** Crash restarts; default RESTART_POLICIES.dolt (5 restarts in 10 minutes). */
  restartPolicy?: RestartPolicyOptions;
  /** Also serve the databases over Dolt's remotesapi on this port (federation: a town as a remote).
   *  Dolt 1.88.1 binds it on every interface (it has no host setting); its users are the SQL users. */
  remotesApiPort?: number;
  /** The password this server presents to remotesapi remotes for `--user` calls (DOLT_REMOTE_PASSWORD,
   *  read by dolt from the server process's environment; one per process). */
  remotePassword?: string;
  /** The server's memory settings (main/ledger/dolt-settings.ts); absent: the town's defaults. */
  memory?: Partial<DoltMemorySettings>;
  /** Dolt's background index statistics (dolt-settings.ts); absent: GT_DOLT_STATS, else off. */
  stats?: boolean;
  /** The archive level of Dolt's automatic GC (dolt-config.ts); absent: DOLT_GC_ARCHIVE_LEVEL (0). */
  gcArchiveLevel?: DoltGcArchiveLevel;
  /** Also listen on a Unix socket for the town's own connections (dolt-config.ts); absent:
   *  GT_DOLT_UNIX_SOCKET (on/off), else on where one can be bound. */
  unixSocket?: boolean;
}

const HOST = '127.0.0.1';
/** More than this many crashes inside CRASH_WINDOW_MS stops restarting and escalates. */
export const MAX_CRASHES = RESTART_POLICIES.dolt.cap;
export const CRASH_WINDOW_MS = RESTART_POLICIES.dolt.windowMs;

// Every dolt child we start, so a Node exit (even an uncaught error) never leaves one behind.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) {
        try { c.kill('SIGKILL'); } catch { /* already gone */ }
      }
    });
  }
}

function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tail(file: string, bytes = 4000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Events: 'state' (state), 'escalation' ({ message }: restarts gave up), 'restarted'. */
export interface DoltServerEvents {
  state: [DoltState];
  escalation: [{ message: string }];
  restarted: [];
}

export class DoltServer extends EventEmitter<DoltServerEvents> {
  private readonly opts: DoltServerOptions;
  private doltPath = '';
  private child: ChildProcess | null = null;
  private _port = 0;
  private _state: DoltState = 'stopped';
  private stopping = false;
  private readonly restarts: RestartPolicy;
  private restartTimer: NodeJS.Timeout | null = null;
  private restarting: Promise<void> | null = null;
  /** The Unix socket answered at the last launch (connection() offers it). */
  private socketAnswers = false;

  constructor(opts: DoltServerOptions) {
    super();
    if (!/^[A-Za-z0-9_]{1,32}$/.test(opts.user) || opts.user === 'root') {
      throw new TownError('invalid', `dolt user must be 1-32 letters/digits/underscores and not root (got ${JSON.stringify(opts.user)})`);
    }
    if (opts.password.length < 8) throw new TownError('invalid', 'dolt password must be at least 8 characters');
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(opts.database)) {
      throw new TownError('invalid', `dolt database name must be letters/digits/underscores (got ${JSON.stringify(opts.database)})`);
    }
    this.opts = opts;
    this._port = opts.port ?? 0;
    this.restarts = new RestartPolicy(opts.restartPolicy ?? RESTART_POLICIES.dolt, 'dolt sql-server');
  }

  get port(): number { return this._port; }
  get pid(): number | null { return this.child?.pid ?? null; }
  get state(): DoltState { return this._state; }

  connection(): DoltConnection {
    const socketPath = this.socketAnswers ? this.socketFile : null;
    return { host: HOST, port: this._port, ...(socketPath ? { socketPath } : {}), user: this.opts.user, password: this.opts.password, database: this.opts.database };
  }

  /** The Unix socket Dolt is asked to listen on as well (dolt-config.ts), or null. */
  get socketFile(): string | null {
    return doltUnixSocketEnabled(process.env, this.opts.unixSocket) ? doltSocketFile(resolve(this.opts.dataDir)) : null;
  }

  private setState(s: DoltState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('state', s);
  }

  /** Where dolt's global config lives: inside the town, so no HOME prompt or user config leaks in. */
  private get rootPath(): string {
    // Two levels deep on purpose: dolt treats any direct child of the data dir holding `.dolt` as a database.
    return join(this.opts.dataDir, '.gt', 'dolt-root');
  }

  /** A small server's memory budget (main/ledger/dolt-settings.ts); a setting the user exported wins. */
  childEnv(): NodeJS.ProcessEnv {
    return doltServerEnv(process.env, { rootPath: this.rootPath, remotePassword: this.opts.remotePassword, memory: this.opts.memory, machineMemoryBytes: totalmem() });
  }

  async start(): Promise<void> {
    if (this._state === 'ready' || this._state === 'starting') throw new TownError('conflict', `dolt server already ${this._state}`);
    this.stopping = false;
    this.restarts.reset();
    this.setState('starting');
    try {
      this.resolveDolt();
      this.prepareDataDir();
      this.checkNoOtherServer();
      this.writeGlobalConfig();
      this.ensureUser();
      if (this.opts.port) {
        if (await portTaken(this.opts.port)) {
          throw new TownError('unavailable', `port ${this.opts.port} on ${HOST} is already in use; pick another port for the town's dolt server`);
        }
        this._port = this.opts.port;
        await this.launch();
      } else {
        // Another process can grab the free port between our probe and dolt's bind: try a few.
        for (let attempt = 1; ; attempt++) {
          this._port = await freePort();
          try {
            await this.launch();
            break;
          } catch (e) {
            if (attempt >= 3 || !/already in use/i.test((e as Error).message)) throw e;
          }
        }
      }
      await this.createDatabase();
      this.restarts.up();
      this.setState('ready');
    } catch (e) {
      await this.killChild();
      this.setState('failed');
      throw TownError.from(e);
    }
  }

  private resolveDolt(): void {
    if (this.opts.doltPath) {
      const v = doltVersion(this.opts.doltPath);
      if (!v) throw new TownError('unavailable', `dolt at ${this.opts.doltPath} does not run (is it a dolt binary?)`);
      if (!versionAtLeast(v, MIN_DOLT_VERSION)) {
        throw new TownError('unavailable', `dolt ${v} at ${this.opts.doltPath} is too old: the ledger needs dolt >= ${MIN_DOLT_VERSION}`);
      }
      this.doltPath = this.opts.doltPath;
      return;
    }
    const found = findDolt();
    if (!found) {
      throw new TownError('unavailable', `no usable dolt found (looked at GT_DOLT, PATH and the install cache; need dolt >= ${MIN_DOLT_VERSION}). Run \`npm run postinstall\` or install dolt.`);
    }
    this.doltPath = found.path;
  }

  private prepareDataDir(): void {
    const dir = this.opts.dataDir;
    try {
      mkdirSync(dir, { recursive: true });
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
      accessSync(dir, constants.R_OK | constants.W_OK);
      mkdirSync(dirname(this.opts.logFile), { recursive: true });
    } catch (e) {
      throw new TownError('unavailable', `cannot open the dolt data folder ${dir}: ${(e as Error).message}`);
    }
  }

  /** A dolt sql-server already serving our data folder would hold the lock; say so plainly. */
  private checkNoOtherServer(): void {
    for (const info of [join(this.opts.dataDir, '.dolt', 'sql-server.info'), join(this.opts.dataDir, this.opts.database, '.dolt', 'sql-server.info')]) {
      if (!existsSync(info)) continue;
      const pid = Number(readFileSync(info, 'utf8').split(':')[0]);
      if (pid && pid !== this.child?.pid && pidAlive(pid)) {
        throw new TownError('conflict', `another dolt sql-server (pid ${pid}) is already serving ${this.opts.dataDir}; stop it first`);
      }
    }
  }

  /** The town's dolt global config: dolt's own commits' identity, no metrics, statistics per the settings. */
  private writeGlobalConfig(): void {
    const dir = join(this.rootPath, '.dolt');
    const file = join(dir, 'config_global.json');
    mkdirSync(dir, { recursive: true });
    let existing: Record<string, string> | null = null;
    if (existsSync(file)) {
      try {
        existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      } catch (e) {
        throw new TownError('unavailable', `cannot read dolt's config ${file}: ${(e as Error).message}`);
      }
    }
    // Commits always carry --author; this identity only signs dolt's own commits (database creation).
    const config = doltGlobalConfig(existing, doltStatsEnabled(process.env, this.opts.stats));
    writeFileSync(file, JSON.stringify(config));
  }

  /** Creates (or re-keys) the town's SQL user before the server starts; the password goes via stdin, not argv. */
  private ensureUser(): void {
    const u = sqlString(this.opts.user);
    const p = sqlString(this.opts.password);
    const script = `CREATE USER IF NOT EXISTS ${u}@'%' IDENTIFIED BY ${p};\nALTER USER ${u}@'%' IDENTIFIED BY ${p};\nGRANT ALL ON *.* TO ${u}@'%' WITH GRANT OPTION;\n`;
    const out = spawnSync(this.doltPath, ['sql'], { cwd: this.opts.dataDir, env: this.childEnv(), input: script, encoding: 'utf8', timeout: 60_000 });
    if (out.status !== 0) {
      throw new TownError('unavailable', `cannot prepare the dolt data folder ${this.opts.dataDir}: ${(out.stderr || out.stdout || String(out.error ?? '')).trim().slice(0, 500)}`);
    }
  }

  /** The config file Dolt starts from, written for this launch's port (dolt-config.ts). */
  get configFile(): string {
    return doltConfigFile(resolve(this.opts.dataDir));
  }

  private writeServerConfig(): string {
    let yaml: string;
    try {
      yaml = doltServerConfigYaml({
        host: HOST,
        port: this._port,
        dataDir: resolve(this.opts.dataDir),
        ...(this.socketFile ? { socket: this.socketFile } : {}),
        ...(this.opts.remotesApiPort ? { remotesApiPort: this.opts.remotesApiPort } : {}),
        gcArchiveLevel: this.opts.gcArchiveLevel ?? DOLT_GC_ARCHIVE_LEVEL,
      });
    } catch (e) {
      throw new TownError('invalid', `cannot write the dolt server's config ${this.configFile}: ${(e as Error).message}`);
    }
    writeDoltServerConfig(this.configFile, yaml);
    return this.configFile;
  }

  /** Spawns dolt and resolves once a real connection answers; rejects with a classified error if it exits first. */
  private async launch(): Promise<void> {
    const configFile = this.writeServerConfig();
    // A socket file left by a killed server would make Dolt skip the socket ("already in use"); no
    // server of ours runs now (checkNoOtherServer), so it is stale.
    const socket = this.socketFile;
    this.socketAnswers = false;
    if (socket) rmSync(socket, { force: true });
    const logFd = openSync(this.opts.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.doltPath, ['sql-server', '--config', configFile], {
        cwd: this.opts.dataDir,
        env: this.childEnv(),
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    trackChild(child);
    this.child = child;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const logStart = tail(this.opts.logFile, 1_000_000).length;
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      this.onExit(child, code, signal);
    });
    child.once('error', () => { /* reported through 'exit' or the readiness timeout */ });

    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 60_000);
    for (;;) {
      if (exited) {
        const log = tail(this.opts.logFile, 1_000_000).slice(logStart);
        throw this.classifyStartFailure(log, exited);
      }
      if (Date.now() > deadline) {
        await this.killChild();
        throw new TownError('unavailable', `dolt sql-server did not answer within ${(this.opts.readyTimeoutMs ?? 60_000) / 1000}s; see ${this.opts.logFile}`);
      }
      if (await this.answers()) {
        // TCP is what "ready" means; the socket is used only if it answers too.
        this.socketAnswers = socket !== null && (await this.answers({ socketPath: socket }));
        return;
      }
      await sleep(100);
    }
  }

  private classifyStartFailure(log: string, exited: { code: number | null; signal: NodeJS.Signals | null }): TownError {
    const last = log.trim().split('\n').slice(-3).join(' | ');
    if (/already in use|address already in use/i.test(log)) return new TownError('unavailable', `port ${this._port} on ${HOST} is already in use`);
    if (/locked by another dolt process/i.test(log)) return new TownError('conflict', `another dolt process holds the data folder ${this.opts.dataDir}; stop it first`);
    return new TownError('unavailable', `dolt sql-server exited (${exited.signal ?? `code ${exited.code}`}) before becoming ready: ${last || 'no output'} (log: ${this.opts.logFile})`);
  }

  private async answers(via: { socketPath: string } | null = null): Promise<boolean> {
    let c: mysql.Connection | null = null;
    try {
      c = await mysql.createConnection({ ...(via ?? { host: HOST, port: this._port }), user: this.opts.user, password: this.opts.password, connectTimeout: 2000 });
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c?.end().catch(() => c?.destroy());
    }
  }

  private async createDatabase(): Promise<void> {
    const c = await mysql.createConnection({ host: HOST, port: this._port, user: this.opts.user, password: this.opts.password, connectTimeout: 5000 });
    try {
      await c.query(`CREATE DATABASE IF NOT EXISTS \`${this.opts.database}\``);
    } finally {
      await c.end().catch(() => c.destroy());
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    // Exits during start() are reported by launch(); exits we asked for are not crashes.
    if (this.stopping || this._state !== 'ready') return;
    this.scheduleRestart(`dolt sql-server exited (${signal ?? `code ${code}`})`);
  }

  private scheduleRestart(why: string): void {
    const decision = this.restarts.failed();
    if (decision.action === 'give-up') {
      this.setState('failed');
      const minutes = this.restarts.options.windowMs / 60_000;
      if (decision.escalate) this.emit('escalation', { message: `${why}: ${decision.failures} crashes in ${minutes} minutes; not restarting again. See ${this.opts.logFile}` });
      return;
    }
    this.setState('restarting');
    const delay = decision.delayMs;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarting = this.restartNow().finally(() => { this.restarting = null; });
    }, delay);
  }

  private async restartNow(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.launch();
      if (this.stopping) return;
      this.restarts.up();
      this.setState('ready');
      this.emit('restarted');
    } catch (e) {
      if (this.stopping) return;
      this.scheduleRestart(`dolt sql-server failed to restart: ${(e as Error).message}`);
    }
  }

  /** Graceful: SIGTERM (dolt finishes in-flight transactions), then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.restarting?.catch(() => undefined);
    await this.killChild();
    this.setState('stopped');
  }

  private async killChild(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const wasStopping = this.stopping;
    this.stopping = true;
    const gone = new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    child.kill('SIGTERM');
    const grace = this.opts.stopGraceMs ?? 10_000;
    const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, grace);
    await gone;
    clearTimeout(timer);
    if (this.child === child) this.child = null;
    this.stopping = wasStopping;
  }

  /** For fault tests: kill -9 the server as a crash would, and let the supervisor react. */
  crashForTest(): void {
    this.child?.kill('SIGKILL');
  }
}
