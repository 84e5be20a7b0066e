// The Witness's checks, pure: given what a rig's polecats look like now (hook, session, status,
// last output, last ledger change to the bead) and what the Witness already did about each, decide
// what to do. No I/O and no clock: `now` is passed in; the thin loop (rig-witness.ts) acts.
//
// Invariants:
//   - Only polecats with hooked work and a live session are judged here (a dead session with work is
//     the zombie case, handled by the work loop's Witness with the restart policy).
//   - stalled: no output for stalledMs (twice that before its first output) while not idle/waiting → one nudge; still no output
//     stalledMs after the nudge → one restart. Any output after the nudge clears it.
//   - GUPP violation: no ledger change to the bead for guppMs (counted from the later of the bead's
//     last change and the session's start) → one nudge with the hook; still none guppMs after the
//     nudge → one escalation (medium). A ledger change clears it.
//   - idle with work hooked: at its prompt for idleMs → a nudge to run its hook, once per idle spell.
//   - waiting for input: a known startup dialog of the runtime for the agent's own worktree is
//     accepted (once per waiting spell, logged); anything else is reported once per waiting spell.
//   - Every action is decided at most once per episode: a patrol repeated at any rate never repeats it.

export interface WitnessThresholds {
  stalledMs: number;
  guppMs: number;
  idleMs: number;
}

export interface PolecatView {
  agent: string;
  bead: string;
  beadTitle: string;
  /** The bead's last change in the ledger (epoch ms). */
  beadChangedAt: number;
  sessionStartedAt: number;
  /** The status tracker's state: starting, working, waiting-for-input, idle, stalled … */
  state: string;
  /** When the current state began. */
  stateSince: number;
  lastOutputAt: number;
  /** The status reason (for waiting: the prompt line). */
  reason: string;
  /** A known startup dialog that is safe to accept, found on the screen (startup-dialogs.ts). */
  dialog: { name: string; keys: string } | null;
}

/** What the Witness already did for one agent on one bead. */
export interface WitnessMemory {
  stalledNudgedAt?: number;
  stalledRestartedAt?: number;
  guppNudgedAt?: number;
  guppEscalatedAt?: number;
  /** The idle spell (its stateSince) already nudged. */
  idleNudgedFor?: number;
  /** The waiting spell (its stateSince) already reported or answered. */
  waitingHandledFor?: number;
}

export type WitnessAction =
  | { kind: 'nudge'; reason: 'stalled' | 'gupp' | 'idle'; agent: string; bead: string; text: string; message: string }
  | { kind: 'restart'; reason: 'stalled'; agent: string; bead: string; message: string }
  | { kind: 'escalate'; reason: 'gupp'; agent: string; bead: string; message: string }
  | { kind: 'report-waiting'; agent: string; bead: string; prompt: string; message: string }
  | { kind: 'accept-dialog'; agent: string; bead: string; dialog: string; keys: string; message: string };

const minutes = (ms: number): string => (ms >= 60_000 ? `${Math.round(ms / 6_000) / 10} min` : `${Math.round(ms / 100) / 10} s`);

export function checkPolecat(v: PolecatView, m: WitnessMemory, t: WitnessThresholds, now: number): { actions: WitnessAction[]; memory: WitnessMemory } {
  const actions: WitnessAction[] = [];
  const next: WitnessMemory = { ...m };
  const { agent, bead } = v;

  // Waiting for input: accept a known safe startup dialog, else tell the user, once per spell.
  if (v.state === 'waiting-for-input') {
    if (next.waitingHandledFor !== v.stateSince) {
      next.waitingHandledFor = v.stateSince;
      if (v.dialog) {
        actions.push({ kind: 'accept-dialog', agent, bead, dialog: v.dialog.name, keys: v.dialog.keys, message: `${agent}: accepted the ${v.dialog.name} for its own worktree` });
      } else {
        actions.push({ kind: 'report-waiting', agent, bead, prompt: v.reason, message: `${agent} is waiting for input on ${bead}: ${v.reason}` });
      }
    }
  }

  // Idle at its prompt with work on the hook: GUPP says run it.
  if (v.state === 'idle' && now - v.stateSince >= t.idleMs && next.idleNudgedFor !== v.stateSince) {
    next.idleNudgedFor = v.stateSince;
    actions.push({
      kind: 'nudge', reason: 'idle', agent, bead,
      text: `GUPP: work is on your hook (${bead}: ${v.beadTitle}). Run \`gt hook\` and do it, then \`gt done\`.`,
      message: `${agent} sat at its prompt for ${minutes(now - v.stateSince)} with ${bead} on its hook: nudged`,
    });
  }

  // Stalled: silent while it should be working.
  if (next.stalledNudgedAt !== undefined && v.lastOutputAt > next.stalledNudgedAt) {
    delete next.stalledNudgedAt;
    delete next.stalledRestartedAt;
  }
  const quiet = v.state !== 'idle' && v.state !== 'waiting-for-input';
  // A runtime that has not printed its first screen yet gets twice the time (slow starts are not hangs).
  const allowed = v.state === 'starting' ? 2 * t.stalledMs : t.stalledMs;
  if (quiet && now - v.lastOutputAt >= allowed) {
    if (next.stalledNudgedAt === undefined) {
      next.stalledNudgedAt = now;
      actions.push({
        kind: 'nudge', reason: 'stalled', agent, bead,
        text: `You have printed nothing for ${minutes(now - v.lastOutputAt)}. If you are stuck, say so with \`gt escalate\`; otherwise carry on with ${bead}.`,
        message: `${agent} printed nothing for ${minutes(now - v.lastOutputAt)} on ${bead}: nudged`,
      });
    } else if (next.stalledRestartedAt === undefined && now - next.stalledNudgedAt >= t.stalledMs) {
      next.stalledRestartedAt = now;
      actions.push({ kind: 'restart', reason: 'stalled', agent, bead, message: `${agent} still printed nothing ${minutes(now - next.stalledNudgedAt)} after a nudge: restarting its session on ${bead}` });
    }
  }

  // GUPP violation: alive, but the bead has not moved in the ledger.
  const since = Math.max(v.beadChangedAt, v.sessionStartedAt);
  if (next.guppNudgedAt !== undefined && v.beadChangedAt > next.guppNudgedAt) {
    delete next.guppNudgedAt;
    delete next.guppEscalatedAt;
  }
  if (now - since >= t.guppMs) {
    if (next.guppNudgedAt === undefined) {
      next.guppNudgedAt = now;
      actions.push({
        kind: 'nudge', reason: 'gupp', agent, bead,
        text: `GUPP: ${bead} (${v.beadTitle}) is on your hook and has not moved for ${minutes(now - since)}. Work it, record progress (gt bead comment), or \`gt done\`.`,
        message: `${agent}: no ledger change to ${bead} for ${minutes(now - since)}: nudged with the hook`,
      });
    } else if (next.guppEscalatedAt === undefined && now - next.guppNudgedAt >= t.guppMs) {
      next.guppEscalatedAt = now;
      actions.push({ kind: 'escalate', reason: 'gupp', agent, bead, message: `${agent} holds ${bead} (${v.beadTitle}) but nothing changed in the ledger for ${minutes(now - since)}, even after a nudge` });
    }
  }
  return { actions, memory: next };
}
