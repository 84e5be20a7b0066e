// Requests made for the desktop UI (preload/requests/ui.ts): a snapshot read at one Dolt commit,
// agents with live status, a terminal's last screen lines, attach from an offset.
// Invariant: a snapshot's `commit` is the HEAD both before and after its ledger reads, so every
// bead change up to that commit is in it and none after it.
import type { uiRequests, UiAgent } from '../../../preload/requests/ui.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import { TownError } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

const SNAPSHOT_TRIES = 5;

async function agentsWithStatus(town: Town): Promise<UiAgent[]> {
  const agents = await town.work.agentList({});
  return agents.map((a) => {
    const st = a.session ? town.work.sessions.status(a.id) : undefined;
    return { ...a, live: st ? { state: st.state, reason: st.reason, since: st.since, lastOutput: st.lastOutput } : null };
  });
}

export function uiHandlers(town: Town): Pick<TownHandlers, keyof typeof uiRequests> {
  return {
    uiSnapshot: async (args) => {
      for (let attempt = 1; ; attempt++) {
        const before = await town.ledger.head();
        const [beads, dependencies] = await Promise.all([town.ledger.list({ limit: args.beadLimit }), town.ledger.dependencyEdges()]);
        const after = await town.ledger.head();
        if (before === after || attempt >= SNAPSHOT_TRIES) {
          // After the last try the reads may straddle two commits: report the older one, so the
          // feed re-applies what came after it (applying a change twice is harmless: upserts).
          const [agents, status] = await Promise.all([agentsWithStatus(town), town.status()]);
          return { commit: before, beads, dependencies, agents, status, at: Date.now() };
        }
      }
    },
    uiAgents: () => agentsWithStatus(town),
    uiScreen: async (args) => {
      const sessions = await town.pty.list();
      if (!sessions.some((s) => s.id === args.terminal)) throw new TownError('not_found', `no terminal ${args.terminal}`);
      const snap = await town.pty.snapshot(args.terminal);
      const lines = snap.text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
      return { terminal: args.terminal, lines: lines.slice(-args.lines), cursorLine: snap.cursorLine };
    },
    uiTerminalAttach: async (args, ctx) => {
      const sessions = await town.pty.list();
      if (!sessions.some((s) => s.id === args.id)) throw new TownError('not_found', `no terminal ${args.id}`);
      return town.pty.attach(ctx.consumer, args.id, args.fromOffset);
    },
  };
}
