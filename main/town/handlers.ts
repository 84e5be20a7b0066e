// The Town's implementation of each TownApi request. Arguments arrive validated (see Town.call).
import type { TownHandlers } from '../../preload/contract.ts';
import { TownError } from '../../preload/contract.ts';
import { buildAgentEnv } from '../agents/agent-env.ts';
import type { Town } from './town.ts';

/** The shell a human gets in the UI: the user's login shell where there is one. */
function userShell(): string {
  if (process.platform === 'win32') return process.env.COMSPEC || 'cmd.exe';
  return process.env.SHELL || '/bin/bash';
}

export function createHandlers(town: Town): TownHandlers {
  let terminalCount = 0;
  const requireTerminal = async (id: string): Promise<void> => {
    const sessions = await town.pty.list();
    if (!sessions.some((s) => s.id === id)) throw new TownError('not_found', `no terminal ${id}`);
  };

  return {
    townStatus: () => town.status(),

    beadCreate: (args, ctx) => town.ledger.create(args, ctx.actor),
    beadShow: (args) => town.ledger.show(args.id),
    beadList: (args) => town.ledger.list(args),

    terminalOpen: async (args) => {
      terminalCount += 1;
      return town.pty.spawn({
        command: userShell(),
        args: [],
        cwd: town.paths.root,
        env: buildAgentEnv({ town: town.paths.root, socket: town.paths.socket, agent: 'overseer' }),
        cols: args.cols,
        rows: args.rows,
        title: args.title ?? `shell ${terminalCount}`,
      });
    },
    terminalList: () => town.pty.list(),
    terminalWrite: async (args) => {
      await requireTerminal(args.id);
      town.pty.write(args.id, args.data);
    },
    terminalResize: async (args) => {
      await requireTerminal(args.id);
      town.pty.resize(args.id, args.cols, args.rows);
    },
    terminalAck: async (args, ctx) => {
      town.pty.ack(ctx.consumer, args.id, args.bytes);
    },
    terminalAttach: async (args, ctx) => {
      await requireTerminal(args.id);
      return town.pty.attach(ctx.consumer, args.id);
    },
    terminalClose: async (args) => {
      await requireTerminal(args.id);
      await town.pty.kill(args.id);
    },
  };
}
