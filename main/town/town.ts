// The Town: the product's core service. It owns the Dolt server, the ledger, the change feed and the
// PTY host, and serves the TownApi to every transport through `call`. Imports nothing from electron.
import { EventEmitter } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import type { CallContext, EventName, TownEvents, TownHandlers } from '../../preload/contract.ts';
import { authorize, isRequestName, parseArgs, TownError } from '../../preload/contract.ts';
import type { TownStatus } from '../../preload/types.ts';
import { PtyHostClient, nodeForkLauncher, type PtyHostLauncher } from '../agents/pty-host-client.ts';
import { isRefineryAddress } from './polecats/work-beads.ts';
import { BeadFeed } from '../ledger/bead-feed.ts';
import { DoltServer } from '../ledger/dolt-server.ts';
import { beadsDirOf, writeBeadsDir } from '../ledger/bd-env.ts';
import { DEFAULT_WISP_TTL_MS } from '../ledger/wisps.ts';
import { startWispSweeper } from '../ledger/wisp-sweeper.ts';
import { Ledger } from '../ledger/ledger.ts';
import { readConfig, readSecrets } from './config.ts';
import { townPaths, resolveTownDir, type TownPaths } from './paths.ts';
import { createHandlers } from './handlers/index.ts';
import { TownWork } from './supervisors/town-work.ts';
import { RefineryPool } from './refineries/refinery-pool.ts';
import { cleanupStaleTown } from './sessions/stale-processes.ts';
import { CostService } from './costs/cost-service.ts';
import type { Supervision } from './supervision/supervision.ts';
import { startSupervision } from './supervision/start-supervision.ts';
import { Federation, prepareFederation } from './federation/federation.ts';
import { Escalations } from './supervision/escalations.ts';
import { pokesFeed } from './feed-poke.ts';

export { initTown } from './config.ts';
export const defaultTownDir = (): string => resolveTownDir();

export interface TownOptions {
  dir: string;
  /** How to start the PTY host: a forked Node process headless, a utilityProcess in Electron. */
  ptyLauncher?: PtyHostLauncher;
  log?: (line: string) => void;
}

type EventListener = <E extends EventName>(name: E, payload: TownEvents[E]) => void;
type TerminalDataListener = (consumer: string, id: string, data: Uint8Array) => void;

export class Town {
  private readonly emitter = new EventEmitter<{ event: [EventName, TownEvents[EventName]]; 'terminal-data': [string, string, Uint8Array] }>();
  private handlers!: TownHandlers;
  private stopping: Promise<void> | null = null;
  /** Wisps unchanged for this long are swept away (hourly, and at start). */
  readonly wispTtlMs = DEFAULT_WISP_TTL_MS;
  private wispSweeper?: { stop(): Promise<void> };
  /** The work loop: rigs, polecats, sling/done, convoys, mail, supervision (main/town/supervisors/town-work.ts). */
  work!: TownWork;
  /** One Refinery (merge queue) per rig (main/town/refineries/refinery-pool.ts). */
  refineries!: RefineryPool;
  /** Usage, prices, budgets, e-stop and parked rigs (main/town/costs/cost-service.ts). */
  costs!: CostService;
  /** Witness per rig, Deacon, Boot, Dogs (main/town/supervision/). */
  supervision!: Supervision;
  /** Remotes of the ledger, serving over remotesapi, the wanted board (main/town/federation/). */
  federation!: Federation;

  private constructor(
    readonly paths: TownPaths,
    readonly dolt: DoltServer,
    readonly ledger: Ledger,
    readonly feed: BeadFeed,
    readonly pty: PtyHostClient,
    private readonly log: (line: string) => void,
  ) {
    // Many transports and views listen at once; the default cap of 10 is a false alarm here.
    this.emitter.setMaxListeners(0);
  }

  /** Starts everything the town needs; on any failure, stops what was already started. */
  static async start(opts: TownOptions): Promise<Town> {
    const log = opts.log ?? (() => {});
    const paths = townPaths(opts.dir);
    const config = readConfig(paths);
    const secrets = readSecrets(paths);
    const started: Array<{ stop(): Promise<void> }> = [];
    try {
      // A town killed with SIGKILL leaves its dolt server and agents behind: end them first.
      for (const what of await cleanupStaleTown(paths)) log(`cleaned up ${what} left by a previous run`);
      const federationBoot = await prepareFederation(paths.root, config.name);
      const dolt = new DoltServer({
        dataDir: paths.doltData,
        logFile: paths.doltLog,
        port: config.dolt.port,
        user: secrets.doltUser,
        password: secrets.doltPassword,
        database: config.dolt.database,
        ...(config.dolt.memoryLimitMiB ? { memory: { memoryLimitMiB: config.dolt.memoryLimitMiB } } : {}),
        ...federationBoot.dolt,
      });
      await dolt.start();
      started.push(dolt);
      log(`dolt sql-server ready on 127.0.0.1:${dolt.port} (pid ${dolt.pid})`);
      // The Refineries' writes land work: they do not wait behind a queue of gt dones (docs/ledger.md).
      const ledger = await Ledger.open(dolt.connection(), { firstInLine: isRefineryAddress });
      started.push({ stop: () => ledger.close() });
      // The real bd finds the town's ledger through <town>/.beads (gt bd-env prints the rest).
      try {
        writeBeadsDir(beadsDirOf(paths.root), config.dolt.database);
      } catch (e) {
        log(`could not write ${beadsDirOf(paths.root)} for bd (the town runs without it): ${(e as Error).message}`);
      }
      const sweeper = startWispSweeper(ledger, { ttlMs: DEFAULT_WISP_TTL_MS, everyMs: 3_600_000, log });
      started.push(sweeper);
      const feed = new BeadFeed(dolt.connection());
      await feed.start();
      started.push(feed);
      ledger.onCommitted((commit) => feed.ownCommit(commit));
      const pty = new PtyHostClient({ transcriptDir: paths.transcripts, launcher: opts.ptyLauncher ?? nodeForkLauncher() });
      await pty.start();
      started.push(pty);
      const town = new Town(paths, dolt, ledger, feed, pty, log);
      town.wispSweeper = sweeper;
      town.wire();
      town.work = new TownWork({
        ledger, pty, townRoot: paths.root, runtimeDir: paths.runtime, socket: paths.socket, townToken: secrets.apiToken,
        townPrefix: config.prefix, publish: (name, payload) => town.emit(name, payload), log,
      });
      // The agents and rigs held in memory learn of every commit before anyone reacts to it.
      town.feed.prependListener('event', (event) => town.work.onCommit(event));
      town.feed.on('event', () => town.work.onBeadsChanged());
      // Cost and controls before the first patrol: a town restarted in e-stop dispatches nothing.
      town.costs = new CostService({ townRoot: paths.root, ledger, work: town.work, publish: (name, payload) => town.emit(name, payload), log });
      town.work.context.gate = (scope) => town.costs.blocked(scope);
      town.costs.start();
      started.push({ stop: () => town.costs.stop() });
      town.work.start();
      started.push({ stop: () => town.work.stop() });
      town.refineries = new RefineryPool({
        ledger, work: town.work.context, polecats: town.work.polecats, townRoot: paths.root,
        publish: (name, payload) => town.emit(name, payload), log,
      });
      town.feed.on('event', (event) => town.refineries.onFeed(event));
      await town.refineries.start();
      started.push({ stop: () => town.refineries.stop() });
      town.supervision = startSupervision(town, config.dolt.database, (name, payload) => town.emit(name, payload), log);
      started.push({ stop: () => town.supervision.stop() });
      town.federation = await Federation.start({
        boot: federationBoot, conn: dolt.connection(), ledger, log,
        escalate: async (message, details) => (await new Escalations(town.work.context).raise({ severity: 'medium', message, from: 'town/federation', source: 'federation', details })).id,
      });
      if (federationBoot.dolt.remotesApiPort) log(`serving the town's Dolt databases over remotesapi on port ${federationBoot.dolt.remotesApiPort} (user ${federationBoot.settings.serve.user})`);
      return town;
    } catch (err) {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      throw err;
    }
  }

  private wire(): void {
    this.handlers = createHandlers(this);
    this.feed.on('event', (event) => this.emit('beadFeed', event));
    this.pty.on('exit', (exit) => this.emit('terminalExit', exit));
    this.pty.on('data', (consumer: string, id: string, data: Uint8Array) => this.emitter.emit('terminal-data', consumer, id, data));
    const statusChanged = (): void => {
      void this.status().then((s) => this.emit('townStatus', s)).catch(() => {});
    };
    this.dolt.on('state', statusChanged);
    this.pty.on('state', statusChanged);
    this.dolt.on('escalation', ({ message }: { message: string }) => this.log(`ESCALATION: ${message}`));
  }

  private emit<E extends EventName>(name: E, payload: TownEvents[E]): void {
    this.emitter.emit('event', name, payload);
  }

  /** The single entry point of every transport: checks who is calling (the request's declared rule,
   *  preload/callers.ts), validates the arguments, then runs the handler. */
  async call(name: string, rawArgs: unknown, ctx: CallContext): Promise<unknown> {
    if (this.stopping) throw new TownError('unavailable', 'the town is stopping');
    if (!isRequestName(name)) throw new TownError('invalid', `unknown request: ${name}`);
    authorize(name, ctx, rawArgs);
    const args = parseArgs(name, rawArgs);
    const handler = this.handlers[name] as (a: unknown, c: CallContext) => Promise<unknown>;
    if (!pokesFeed(name)) return handler(args, ctx);
    try {
      return await handler(args, ctx);
    } finally {
      // The ledger's own commits reach the feed at once (ownCommit); what a federation call committed
      // on a connection of its own (a pull, the commons' board) is seen at the feed's fast pace.
      this.feed.expectChanges();
    }
  }

  onEvent(listener: EventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  onTerminalData(listener: TerminalDataListener): () => void {
    this.emitter.on('terminal-data', listener);
    return () => this.emitter.off('terminal-data', listener);
  }

  /** A window or connection went away: stop streaming to it, so its backlog cannot pause a PTY. */
  disconnect(consumer: string): void {
    this.pty.detach(consumer);
  }

  async status(): Promise<TownStatus> {
    const [beads, terminals] = await Promise.all([
      this.ledger.count().catch(() => -1),
      this.pty.list().then((l) => l.length).catch(() => 0),
    ]);
    return {
      up: !this.stopping,
      town: this.paths.root,
      dolt: { port: this.dolt.port, pid: this.dolt.pid, state: this.dolt.state },
      ptyHost: { pid: this.pty.pid, state: this.pty.state },
      beads,
      agents: this.work?.sessions.list().length ?? 0,
      terminals,
    };
  }

  /** Publishes where this town can be reached, for `gt status` and tests. No secrets in it. */
  writeState(extra: Record<string, unknown> = {}): void {
    const state = { pid: process.pid, doltPort: this.dolt.port, doltPid: this.dolt.pid, ptyHostPid: this.pty.pid, ...extra };
    writeFileSync(this.paths.state, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.supervision?.stop().catch((e: Error) => this.log(`supervision stop: ${e.message}`));
      // Refineries first: a running gate is killed and its batch goes back to the queue.
      await this.refineries?.stop().catch((e: Error) => this.log(`refinery stop: ${e.message}`));
      await this.costs?.stop().catch((e: Error) => this.log(`costs stop: ${e.message}`));
      await this.work?.stop().catch((e: Error) => this.log(`work loop stop: ${e.message}`));
      await this.pty.stop().catch((e: Error) => this.log(`pty host stop: ${e.message}`));
      await this.feed.stop().catch(() => {});
      await this.wispSweeper?.stop().catch(() => {});
      await this.ledger.close().catch(() => {});
      await this.dolt.stop().catch((e: Error) => this.log(`dolt stop: ${e.message}`));
      rmSync(this.paths.state, { force: true });
      this.emitter.removeAllListeners();
    })();
    return this.stopping;
  }
}
