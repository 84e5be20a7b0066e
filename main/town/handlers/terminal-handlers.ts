// Terminals for the human at the UI: a shell in the town folder, streamed to the window that attached.
// Invariant: writing to, resizing, attaching or closing a terminal that is not alive in the PTY host
// is a not_found error (town.pty.requireSession, answered without a round trip: it is on every key's path).
import type { terminalRequests } from '../../../preload/requests/terminals.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { buildAgentEnv } from '../../agents/agent-env.ts';
import type { Town } from '../town.ts';

/** The shell a human gets in the UI: the user's login shell where there is one. */
function userShell(): string {
  if (process.platform === 'win32') return process.env.COMSPEC || 'cmd.exe';
  return process.env.SHELL || '/bin/bash';
}

export function terminalHandlers(town: Town): Pick<TownHandlers, keyof typeof terminalRequests> {
  let terminalCount = 0;

  return {
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
      town.pty.requireSession(args.id);
      town.pty.write(args.id, args.data);
    },
    terminalResize: async (args) => {
      town.pty.requireSession(args.id);
      town.pty.resize(args.id, args.cols, args.rows);
    },
    terminalAck: async (args, ctx) => {
      town.pty.ack(ctx.consumer, args.id, args.bytes);
    },
    terminalAttach: async (args, ctx) => {
      town.pty.requireSession(args.id);
      return town.pty.attach(ctx.consumer, args.id);
    },
    terminalClose: async (args) => {
      town.pty.requireSession(args.id);
      await town.pty.kill(args.id);
    },
  };
}
