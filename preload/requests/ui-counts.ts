// Agents by what they are doing, for the status bar and the tray. Pure, shared by renderer and tray.
import type { UiAgent } from './ui.ts';

export interface AgentCounts {
  working: number;
  waiting: number;
  stuck: number;
  idle: number;
}

export function countAgents(agents: Iterable<UiAgent>): AgentCounts {
  const counts: AgentCounts = { working: 0, waiting: 0, stuck: 0, idle: 0 };
  for (const a of agents) {
    const live = a.live?.state;
    if (live === 'waiting-for-input') counts.waiting++;
    else if (live === 'stalled' || live === 'crashed' || a.state === 'stuck') counts.stuck++;
    else if (live === 'working' || live === 'starting' || (a.state === 'working' && a.session)) counts.working++;
    else counts.idle++;
  }
  return counts;
}
