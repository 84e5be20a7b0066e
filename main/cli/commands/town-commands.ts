// gt init, up, serve, status: the town's lifecycle.
import { TownError } from '../../../preload/errors.ts';
import { JSON_OPTION, printJson, withTown, type Command } from '../command.ts';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a town folder (config, secrets, Dolt data); harmless to run twice',
  place: 'caller',
  async run(ctx) {
    const { initTown } = await import('../../town/config.ts');
    const { created } = initTown(ctx.townDir);
    ctx.out(created ? `town created at ${ctx.townDir}` : `town at ${ctx.townDir} already exists (kept as it is)`);
    return 0;
  },
};

export const upCommand: Command = {
  name: 'up',
  summary: 'run the town headless in the foreground (Dolt, PTY host, API socket) until SIGINT/SIGTERM',
  place: 'caller',
  async run(ctx) {
    const { runTown } = await import('../run-town.ts');
    return runTown(ctx, { web: false });
  },
};

export const serveCommand: Command = {
  name: 'serve',
  summary: '`gt up` plus the web UI and TownApi over HTTP/WebSocket on 127.0.0.1 (token-protected)',
  place: 'caller',
  options: {
    port: { type: 'string', value: 'PORT', description: 'web port (default: the town config, else a free port)' },
    remotes: { type: 'boolean', description: 'also serve the town\'s Dolt databases over Dolt\'s remotesapi (kept in settings/federation.json)' },
    'remotes-port': { type: 'string', value: 'PORT', description: 'the remotesapi port (default: the setting, else a free port)' },
  },
  async run(ctx, values) {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new TownError('invalid', `--port must be a port number, got ${String(values.port)}`);
    if (values.remotes === true || values['remotes-port'] !== undefined) {
      const { enableServing } = await import('./federation-commands.ts');
      await enableServing(ctx, values['remotes-port']);
    }
    const { runTown } = await import('../run-town.ts');
    return runTown(ctx, { web: true, port });
  },
};

export const statusCommand: Command = {
  name: 'status',
  summary: 'whether the town is up, its Dolt server and PTY host, counts of beads and agents',
  options: JSON_OPTION,
  details: 'Exits 0 when the town is up, 3 when it is not (and still prints its state).',
  async run(ctx, values) {
    let status;
    try {
      status = await withTown(ctx, (c) => c.townStatus({}));
    } catch (err) {
      if (!(err instanceof TownError) || err.code !== 'unavailable') throw err;
      const down = { up: false, town: ctx.townDir };
      if (values.json) printJson(ctx, down);
      else ctx.out(`town ${ctx.townDir}: not up (run \`gt up\`)`);
      return 3;
    }
    if (values.json) printJson(ctx, status);
    else {
      ctx.out(`town ${status.town}: up`);
      ctx.out(`  dolt      127.0.0.1:${status.dolt.port} pid ${status.dolt.pid ?? '-'} (${status.dolt.state})`);
      ctx.out(`  pty host  pid ${status.ptyHost.pid ?? '-'} (${status.ptyHost.state})`);
      ctx.out(`  beads ${status.beads}, agents ${status.agents}, terminals ${status.terminals}`);
    }
    return 0;
  },
};
