// Agents' persistent identity: one bead of type `agent` per agent (polecat, crew, Mayor), its state
// in metadata. The hook itself is the work bead (status hooked, assignee = the agent); the agent
// bead mirrors it so a supervisor finds hooked work by listing agents.
// Reads are answered from memory (bead-mirror.ts): the town's agents are loaded by one ledger read,
// kept by the town's own writes (callers that write an agent bead past this store hand the ledger's
// answer to written()) and by the feed's commits (onFeed), which drop the set when another writer
// changed an agent.
import { TownError } from '../../../preload/contract.ts';
import type { Bead } from '../../../preload/types.ts';
import type { AgentRole, PolecatState } from '../../../preload/requests/work-types.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { AgentConversation } from '../../../preload/requests/agent-hooks.ts';
import type { BeadFeedEvent } from '../../../preload/types.ts';
import { BeadMirror, NOT_CLOSED } from '../bead-mirror.ts';

export const AGENT_LABEL = 'gt:agent';

export interface AgentMeta {
  address: string;
  role: AgentRole;
  name: string;
  rig: string | null;
  state: PolecatState;
  hook: string | null;
  branch: string | null;
  workdir: string | null;
  runtime: string | null;
  /** Sessions started for the current hook beyond the first (GUPP restarts). */
  respawns: number;
  /** Respawns over the agent's whole life (history). */
  totalRespawns: number;
  lastBead: string | null;
  lastMergeRequest: string | null;
  /** The note of the last `gt handoff`, shown by the next session's prime. */
  handoff: string | null;
  /** The runtime conversation a restarted session resumes (captured from the runtime's hooks). */
  conversation: AgentConversation | null;
}

export interface AgentRecord {
  bead: Bead;
  meta: AgentMeta;
}

/** Agent addresses as Gas Town writes them. */
export const polecatAddress = (rig: string, name: string): string => `${rig}/polecats/${name}`;
export const crewAddress = (rig: string, name: string): string => `${rig}/crew/${name}`;
export const MAYOR = 'mayor';

export function parseAddress(address: string): { role: AgentRole; rig: string | null; name: string } | null {
  if (address === MAYOR) return { role: 'mayor', rig: null, name: 'mayor' };
  const m = /^([a-z][a-z0-9_-]*)\/(polecats|crew)\/([a-z0-9][a-z0-9_-]*)$/.exec(address);
  if (!m) return null;
  return { role: m[2] === 'polecats' ? 'polecat' : 'crew', rig: m[1], name: m[3] };
}

function toRecord(bead: Bead): AgentRecord | null {
  const m = bead.metadata as Partial<AgentMeta>;
  if (bead.type !== 'agent' || typeof m.address !== 'string' || typeof m.role !== 'string') return null;
  return {
    bead,
    meta: {
      address: m.address, role: m.role, name: String(m.name ?? m.address), rig: m.rig ?? null,
      state: (m.state as PolecatState) ?? 'idle', hook: m.hook ?? null, branch: m.branch ?? null, workdir: m.workdir ?? null,
      runtime: m.runtime ?? null, respawns: Number(m.respawns) || 0, totalRespawns: Number(m.totalRespawns) || 0,
      lastBead: m.lastBead ?? null, lastMergeRequest: m.lastMergeRequest ?? null, handoff: m.handoff ?? null,
      conversation: m.conversation ?? null,
    },
  };
}

export class AgentStore {
  private readonly mirror: BeadMirror;

  constructor(private readonly ledger: Ledger) {
    this.mirror = new BeadMirror(() => ledger.list({ type: 'agent', label: AGENT_LABEL, statuses: NOT_CLOSED }), (b) => b.type === 'agent');
  }

  /** The agents' open beads, in the ledger's list order. */
  private open(label: string): Promise<Bead[]> {
    return this.mirror.beads((b) => b.status !== 'closed' && b.labels.includes(label));
  }

  async list(filter: { rig?: string; role?: AgentRole } = {}): Promise<AgentRecord[]> {
    const beads = await this.open(filter.rig ? `rig:${filter.rig}` : AGENT_LABEL);
    return beads
      .map(toRecord)
      .filter((r): r is AgentRecord => r !== null && (!filter.role || r.meta.role === filter.role) && (!filter.rig || r.meta.rig === filter.rig));
  }

  async find(address: string): Promise<AgentRecord | null> {
    const open = (await this.open(`agent:${address}`)).map(toRecord).filter((r): r is AgentRecord => r !== null);
    return open[0] ?? null;
  }

  /** The ledger's answer to a write made past this store (ledger.update/updateMany/closeBead of an
   *  agent bead, with other beads or not): the next read sees it. */
  written(beads: Bead[]): void {
    this.mirror.written(beads);
  }

  /** A commit the town's feed delivered (any writer's). */
  onFeed(event: BeadFeedEvent): void {
    this.mirror.onFeed(event);
  }

  async get(address: string): Promise<AgentRecord> {
    const r = await this.find(address);
    if (!r) throw new TownError('not_found', `no agent ${address}`);
    return r;
  }

  async create(meta: Pick<AgentMeta, 'address' | 'role' | 'name' | 'rig'> & Partial<AgentMeta>, prefix: string, actor: string): Promise<AgentRecord> {
    const full: AgentMeta = {
      state: 'idle', hook: null, branch: null, workdir: null, runtime: null, respawns: 0, totalRespawns: 0,
      lastBead: null, lastMergeRequest: null, handoff: null, conversation: null, ...meta,
    };
    const labels = [AGENT_LABEL, `role:${meta.role}`, `agent:${meta.address}`, ...(meta.rig ? [`rig:${meta.rig}`] : [])];
    const bead = await this.ledger.create({ title: meta.address, type: 'agent', prefix, labels, metadata: { ...full } }, actor);
    this.mirror.written([bead]);
    return { bead, meta: full };
  }

  /** The ledger update that would apply `patch` to the agent's metadata (read now), for a caller that
   *  writes it with other changes in one commit (ledger.updateMany). Callers hold the agent's lock. */
  async patchUpdate(address: string, patch: Partial<AgentMeta>): Promise<{ id: string; patch: { metadata: Record<string, unknown> } }> {
    return this.updateOf(await this.get(address), patch);
  }

  /** As patchUpdate, on a record the caller read under the same lock. */
  updateOf(cur: AgentRecord, patch: Partial<AgentMeta>): { id: string; patch: { metadata: Record<string, unknown> } } {
    return { id: cur.bead.id, patch: { metadata: { ...cur.meta, ...patch } } };
  }

  /** Read-modify-write of the agent's metadata (callers hold the agent's lock). */
  async patch(address: string, patch: Partial<AgentMeta>, actor: string): Promise<AgentRecord> {
    const cur = await this.get(address);
    const meta = { ...cur.meta, ...patch };
    const bead = await this.ledger.update(cur.bead.id, { metadata: { ...meta } }, actor);
    this.mirror.written([bead]);
    return { bead, meta };
  }
}
