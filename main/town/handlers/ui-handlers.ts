// Requests made for the desktop UI (preload/requests/ui.ts): a snapshot read at one Dolt commit,
// agents with live status, a terminal's last screen lines, attach from an offset.
// Invariants of uiSnapshot: its `commit` was HEAD both before and after its ledger reads, so every
// bead change up to that commit is in it and none after; and its reply is sent right when the
// BeadFeed has delivered that commit and not yet the next one, so on an ordered transport every
// beadFeed event a client received before the reply is already in the snapshot, and every one after
// it is new. A terminal not alive in the PTY host is a not_found error (town.pty.requireSession).
import type { uiRequests, UiAgent, UiSnapshot } from '../../../preload/requests/ui.ts';
import type { TownHandlers } from '../../../preload/contract.ts';
import type { Town } from '../town.ts';

const SNAPSHOT_TRIES = 5;
const FEED_WAIT_MS = 5000;

async function agentsWithStatus(town: Town): Promise<UiAgent[]> {
  const agents = await town.work.agentList({});
  return agents.map((a) => {
    const st = a.session ? town.work.sessions.status(a.id) : undefined;
    return { ...a, live: st ? { state: st.state, reason: st.reason, since: st.since, lastOutput: st.lastOutput } : null };
  });
}

/** Resolves when the feed has delivered `commit` ('passed' if it went past it before we looked, 'timeout' if it never came). */
function feedReached(town: Town, commit: string, delivered: Set<string>): Promise<'at' | 'passed' | 'timeout'> {
  if (town.feed.headSeen === commit) return Promise.resolve('at');
  if (delivered.has(commit)) return Promise.resolve('passed');
  // The feed may be at its idle pace: have it look now.
  town.feed.poke();
  return new Promise((resolve) => {
    const onCommit = (hash: string): void => {
      if (hash !== commit) return;
      done('at');
    };
    const timer = setTimeout(() => done('timeout'), FEED_WAIT_MS);
    const done = (how: 'at' | 'timeout'): void => {
      clearTimeout(timer);
      town.feed.off('commit', onCommit);
      resolve(how);
    };
    town.feed.on('commit', onCommit);
  });
}

async function snapshot(town: Town, beadLimit: number): Promise<UiSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const delivered = new Set<string>();
    const onCommit = (hash: string): void => void delivered.add(hash);
    town.feed.on('commit', onCommit);
    try {
      const before = await town.ledger.head();
      const [beads, dependencies] = await Promise.all([town.ledger.list({ limit: beadLimit }), town.ledger.dependencyEdges()]);
      const after = await town.ledger.head();
      if (before !== after && attempt < SNAPSHOT_TRIES) continue;
      // Everything slow first: after the feed reaches the commit, nothing may wait on I/O.
      const [agents, status] = await Promise.all([agentsWithStatus(town), town.status()]);
      const reached = await feedReached(town, before, delivered);
      if (reached === 'passed' && attempt < SNAPSHOT_TRIES) continue;
      return { commit: before, beads, dependencies, agents, status, at: Date.now() };
    } finally {
      town.feed.off('commit', onCommit);
    }
  }
}

export function uiHandlers(town: Town): Pick<TownHandlers, keyof typeof uiRequests> {
  return {
    uiSnapshot: (args) => snapshot(town, args.beadLimit),
    uiAgents: () => agentsWithStatus(town),
    uiScreen: async (args) => {
      town.pty.requireSession(args.terminal);
      const snap = await town.pty.snapshot(args.terminal);
      const lines = snap.text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
      return { terminal: args.terminal, lines: lines.slice(-args.lines), cursorLine: snap.cursorLine };
    },
    uiTerminalAttach: async (args, ctx) => {
      town.pty.requireSession(args.id);
      return town.pty.attach(ctx.consumer, args.id, args.fromOffset);
    },
  };
}
