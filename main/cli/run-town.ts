// `gt up` and `gt serve`: run a town in the foreground until a signal, then stop everything it started.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TownError } from '../../preload/contract.ts';
import { readConfig, readSecrets } from '../town/config.ts';
import { Town } from '../town/town.ts';
import { listenOnSocket } from '../api/socket-server.ts';
import type { CliContext } from './command.ts';

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** The web port this town's last `gt serve` used (kept across restarts, unlike the state file). */
function readWebPort(file: string): number | undefined {
  try {
    const port = (JSON.parse(readFileSync(file, 'utf8')) as { port?: unknown }).port;
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

export async function runTown(ctx: CliContext, opts: { web: boolean; port?: number }): Promise<number> {
  const config = readConfig(ctx.paths); // a missing town fails here, before anything starts
  const secrets = readSecrets(ctx.paths);
  if (await socketAnswers(ctx.paths.socket)) throw new TownError('conflict', `the town at ${ctx.townDir} is already up`);

  const log = (line: string): void => ctx.err(`[town] ${line}`);
  const town = await Town.start({ dir: ctx.townDir, log });
  const closers: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    stopping = true;
    for (const close of closers.reverse()) await close().catch(() => {});
    await town.stop();
  };
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    log(`${signal}: stopping`);
    await shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));

  try {
    const server = await listenOnSocket(town, ctx.paths.socket, secrets.apiToken);
    closers.push(() => server.close());
    let url: string | undefined;
    if (opts.web) {
      const { startWebHost } = await import('../web/web-host.ts');
      const webPortFile = join(ctx.paths.runtime, 'web-port.json');
      const web = await startWebHost(town, { port: opts.port ?? config.web.port, token: secrets.apiToken, preferPort: readWebPort(webPortFile) });
      writeFileSync(webPortFile, JSON.stringify({ port: Number(new URL(web.origin).port) }) + '\n', { mode: 0o600 });
      closers.push(() => web.close());
      url = `${web.origin}/#token=${secrets.apiToken}`;
      town.writeState({ socket: ctx.paths.socket, webOrigin: web.origin });
    } else {
      town.writeState({ socket: ctx.paths.socket });
    }
    const s = await town.status();
    ctx.out(`gastown: town up at ${ctx.townDir} (dolt 127.0.0.1:${s.dolt.port}, pty host pid ${s.ptyHost.pid}, socket ${ctx.paths.socket})`);
    if (url) ctx.out(`gastown: web UI at ${url}`);
  } catch (err) {
    await shutdown();
    throw err;
  }
  // Run until a signal arrives.
  await new Promise<never>(() => {});
  return 0;
}
