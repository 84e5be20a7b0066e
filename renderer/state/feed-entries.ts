// The Feed view's lines, one per thing that happened in the town. Pure: an event in, entries out.
import type { BeadFeedEvent } from '../../preload/types.ts';
import type { MergeQueueEvent } from '../../preload/requests/merge-queue-types.ts';
import type { AgentStatusEvent, ConvoyClosedEvent, EscalationEvent, WorkEvent } from '../../preload/requests/work-types.ts';

export type FeedKind = 'bead' | 'work' | 'merge' | 'escalation' | 'convoy' | 'agent';
export const FEED_KINDS: readonly FeedKind[] = ['bead', 'work', 'merge', 'escalation', 'convoy', 'agent'];

export interface FeedEntry {
  seq: number;
  at: number;
  kind: FeedKind;
  author: string;
  text: string;
  beads: string[];
}

export type TownActivity =
  | { name: 'beadFeed'; payload: BeadFeedEvent }
  | { name: 'workEvent'; payload: WorkEvent }
  | { name: 'mergeQueue'; payload: MergeQueueEvent }
  | { name: 'escalation'; payload: EscalationEvent }
  | { name: 'convoyClosed'; payload: ConvoyClosedEvent }
  | { name: 'agentStatus'; payload: AgentStatusEvent };

function describeBeadEvent(e: BeadFeedEvent): string {
  const counts = new Map<string, number>();
  for (const c of e.changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${n} ${kind}`);
  const first = e.changes.find((c) => 'bead' in c);
  const title = first && 'bead' in first ? ` “${first.bead.title}”` : '';
  return `${e.message || 'commit'}: ${parts.join(', ')}${e.changes.length === 1 ? title : ''}`;
}

function describeMerge(e: MergeQueueEvent): { text: string; beads: string[] } {
  switch (e.type) {
    case 'phase': return { text: `${e.rig}: ${e.branch} ${e.phase}${e.detail ? ` (${e.detail})` : ''}`, beads: [e.id] };
    case 'batch': return { text: `${e.rig}: batch of ${e.ids.length} on ${e.target.slice(0, 8)}`, beads: e.ids };
    case 'gate': return { text: `${e.rig}: gate ${e.outcome} in ${Math.round(e.durationMs)} ms`, beads: e.ids };
    case 'landed': return { text: `${e.rig}: landed ${e.ids.length} on ${e.target}`, beads: e.ids };
    case 'problem': return { text: `${e.rig}: ${e.kind}: ${e.message}`, beads: [] };
  }
}

export function feedEntriesFrom(a: TownActivity, seq: number, now: number): FeedEntry {
  switch (a.name) {
    case 'beadFeed':
      return { seq, at: now, kind: 'bead', author: a.payload.author, text: describeBeadEvent(a.payload), beads: a.payload.changes.slice(0, 50).map((c) => c.id) };
    case 'workEvent':
      return { seq, at: a.payload.at || now, kind: 'work', author: a.payload.agent ?? 'town', text: `${a.payload.kind}: ${a.payload.message}`, beads: a.payload.bead ? [a.payload.bead] : [] };
    case 'mergeQueue': {
      const d = describeMerge(a.payload);
      return { seq, at: now, kind: 'merge', author: `${a.payload.rig}/refinery`, text: d.text, beads: d.beads };
    }
    case 'escalation':
      return { seq, at: now, kind: 'escalation', author: a.payload.from, text: `${a.payload.severity}: ${a.payload.message}`, beads: [a.payload.id] };
    case 'convoyClosed':
      return { seq, at: now, kind: 'convoy', author: 'town', text: `convoy “${a.payload.title}” landed (${a.payload.tracked} beads)`, beads: [a.payload.id] };
    case 'agentStatus':
      return { seq, at: a.payload.at || now, kind: 'agent', author: a.payload.agent, text: `${a.payload.previous} → ${a.payload.state}: ${a.payload.reason}`, beads: [] };
  }
}

/** Entries matching the filter: kinds shown, and every word of the search in author, text or bead ids. */
export function filterFeed(entries: readonly FeedEntry[], kinds: ReadonlySet<FeedKind>, search: string): FeedEntry[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    if (!kinds.has(e.kind)) return false;
    if (!words.length) return true;
    const hay = `${e.author} ${e.text} ${e.beads.join(' ')}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
