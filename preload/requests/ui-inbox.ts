// The inbox: one queue of everything that needs a human, derived from beads and agents. Pure, shared
// by the renderer (its Inbox view and notifications) and the Electron tray (its count).
// Invariants: an item's key names the one occurrence it stands for (an agent that waits again later
// is a new item; acknowledging one occurrence never hides the next); most urgent first, then newest.
import type { Bead } from '../types.ts';
import type { UiAgent } from './ui.ts';
import type { BudgetAlertEvent } from './cost-types.ts';

export type InboxKind = 'escalation' | 'waiting' | 'stuck' | 'crashed' | 'merge-conflict' | 'merge-rejected' | 'budget' | 'approval';

export interface InboxItem {
  key: string;
  kind: InboxKind;
  title: string;
  detail: string;
  /** 0 most urgent. */
  urgency: number;
  /** Epoch ms it started. */
  at: number;
  agent: string | null;
  terminal: string | null;
  bead: string | null;
}

const SEVERITY_URGENCY: Record<string, number> = { critical: 0, high: 1, medium: 3, low: 5 };
const KIND_URGENCY: Record<Exclude<InboxKind, 'escalation'>, number> = {
  waiting: 2, crashed: 2, stuck: 3, 'merge-conflict': 4, 'merge-rejected': 4, budget: 3, approval: 2,
};

export interface InboxSources {
  beads: Record<string, Bead>;
  agents: Record<string, UiAgent>;
  dismissed: Record<string, true>;
  /** Budget alerts (`budgetAlert` events) received by this window; the tray has none. */
  budgetAlerts?: readonly BudgetAlertEvent[];
}

/** A budget alert as an inbox item: a reached budget (exceeded) ranks with high escalations. */
export function budgetItem(a: BudgetAlertEvent): InboxItem {
  const exceeded = a.level === 'exceeded';
  return {
    key: `budget:${a.budget.id}:${a.level}:${a.at}`, kind: 'budget',
    title: exceeded ? `Budget reached: ${a.budget.id}` : `Budget at ${Math.round(a.budget.ratio * 100)}%: ${a.budget.id}`,
    detail: a.message, urgency: exceeded ? 1 : KIND_URGENCY.budget, at: a.at, agent: null, terminal: null,
    bead: a.budget.scope === 'convoy' ? a.budget.target : null,
  };
}

function agentItem(a: UiAgent): InboxItem | null {
  const live = a.live;
  const base = { agent: a.id, terminal: a.session?.terminal ?? null, bead: a.hook };
  if (live?.state === 'waiting-for-input') {
    return { ...base, key: `waiting:${a.id}:${live.since}`, kind: 'waiting', title: `${a.id} is waiting for input`, detail: live.reason, urgency: KIND_URGENCY.waiting, at: live.since };
  }
  if (live?.state === 'crashed') {
    return { ...base, key: `crashed:${a.id}:${live.since}`, kind: 'crashed', title: `${a.id} crashed`, detail: live.reason, urgency: KIND_URGENCY.crashed, at: live.since };
  }
  if (live?.state === 'stalled') {
    return { ...base, key: `stuck:${a.id}:${live.since}`, kind: 'stuck', title: `${a.id} is stuck`, detail: live.reason, urgency: KIND_URGENCY.stuck, at: live.since };
  }
  if (a.state === 'stuck') {
    return { ...base, key: `stuck:${a.id}:ledger`, kind: 'stuck', title: `${a.id} is stuck`, detail: 'marked stuck in the ledger', urgency: KIND_URGENCY.stuck, at: 0 };
  }
  return null;
}

function beadItem(b: Bead): InboxItem | null {
  if (b.type === 'escalation' && b.status !== 'closed') {
    const severity = String((b.metadata as { severity?: string }).severity ?? 'medium');
    const from = String((b.metadata as { from?: string }).from ?? b.createdBy);
    return {
      key: `escalation:${b.id}`, kind: 'escalation', title: `Escalation (${severity}) from ${from}`, detail: b.title,
      urgency: SEVERITY_URGENCY[severity] ?? 3, at: Date.parse(b.createdAt) || 0, agent: from, terminal: null, bead: b.id,
    };
  }
  if (b.type === 'gate' && b.status !== 'closed') {
    // A human-approval gate of a molecule whose steps before it are done (armed by the gate patrol).
    const step = (b.metadata as { step?: { molecule?: string; gate?: { type?: string }; armedAt?: string } }).step;
    if (step?.gate?.type !== 'human' || !step.armedAt) return null;
    return {
      key: `approval:${b.id}`, kind: 'approval', title: `Approval needed: ${b.title}`,
      detail: `molecule ${step.molecule ?? '?'} waits for your approval (gt gate approve ${b.id})`, urgency: KIND_URGENCY.approval,
      at: Date.parse(step.armedAt) || 0, agent: null, terminal: null, bead: b.id,
    };
  }
  if (b.type === 'merge-request') {
    const meta = b.metadata as { phase?: string; reason?: string; conflictFiles?: string[]; polecat?: string; branch?: string };
    if (meta.phase !== 'conflict' && meta.phase !== 'rejected') return null;
    const conflict = meta.phase === 'conflict';
    const detail = conflict ? `conflicts in ${(meta.conflictFiles ?? []).join(', ') || 'its branch'}` : meta.reason ?? 'the gate failed';
    return {
      key: `merge:${b.id}:${meta.phase}:${b.updatedAt}`, kind: conflict ? 'merge-conflict' : 'merge-rejected',
      title: `${meta.branch ?? b.id} ${conflict ? 'conflicts' : 'was rejected'}`, detail, urgency: KIND_URGENCY[conflict ? 'merge-conflict' : 'merge-rejected'],
      at: Date.parse(b.updatedAt) || 0, agent: meta.polecat ?? null, terminal: null, bead: b.id,
    };
  }
  return null;
}

export function deriveInbox(src: InboxSources): InboxItem[] {
  const items: InboxItem[] = [];
  for (const a of Object.values(src.agents)) {
    const item = agentItem(a);
    if (item && !src.dismissed[item.key]) items.push(item);
  }
  for (const b of Object.values(src.beads)) {
    const item = beadItem(b);
    if (item && !src.dismissed[item.key]) items.push(item);
  }
  for (const a of src.budgetAlerts ?? []) {
    const item = budgetItem(a);
    if (!src.dismissed[item.key]) items.push(item);
  }
  return items.sort((x, y) => x.urgency - y.urgency || y.at - x.at || x.key.localeCompare(y.key));
}
