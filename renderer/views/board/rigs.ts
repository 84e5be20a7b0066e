// The rigs the Board's roster lists: from the rig beads (type rig, label gt:rig, settings in
// metadata), plus any rig an agent names that has no bead in the page (yet).
import type { Bead } from '../../../preload/types.ts';
import type { UiAgent } from '../../../preload/requests/ui.ts';

export interface RosterRig {
  name: string;
  prefix: string;
  max: number | null;
  working: number;
}

export function rigsOf(beads: Record<string, Bead>, agents: Record<string, UiAgent>): RosterRig[] {
  const out = new Map<string, RosterRig>();
  for (const b of Object.values(beads)) {
    if (b.type !== 'rig' || b.status === 'closed') continue;
    const m = b.metadata as { name?: unknown; prefix?: unknown; maxPolecats?: unknown };
    if (typeof m.name !== 'string') continue;
    out.set(m.name, { name: m.name, prefix: typeof m.prefix === 'string' ? m.prefix : '', max: typeof m.maxPolecats === 'number' ? m.maxPolecats : null, working: 0 });
  }
  for (const a of Object.values(agents)) {
    if (!a.rig) continue;
    const r = out.get(a.rig) ?? { name: a.rig, prefix: '', max: null, working: 0 };
    if (a.role === 'polecat' && a.state === 'working') r.working++;
    out.set(a.rig, r);
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
