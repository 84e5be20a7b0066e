// `gt nudge AGENT MSG`: a short message typed into the agent's terminal, never in the middle of its
// output. Nudges wait in a queue per agent session (in memory: see docs/work-loop.md) and are typed
// one at a time, in order, each when the agent's status has become idle or waiting-for-input; each
// delivery is confirmed by reading the text back from the terminal's screen. Nothing is written
// to the ledger: nudges are ephemeral and belong to the session they were sent to.
import { TownError } from '../../../preload/contract.ts';
import type { NudgeResult } from '../../../preload/requests/work-types.ts';
import type { PtyHostClient } from '../../agents/pty-host-client.ts';
import type { AgentSessions, SessionRecord } from '../sessions/agent-sessions.ts';

/** A queued nudge not typed within this long is dropped: the moment it was about has passed. */
export const NUDGE_TTL_MS = 30 * 60_000;
/** More queued nudges than this for one agent is a caller gone wrong, not a conversation. */
export const MAX_QUEUED_NUDGES = 100;
/** How long a typed nudge may take to show on the screen before it counts as not confirmed. */
const CONFIRM_MS = 5_000;
/** Status changes wake the queue; this is only the backstop for a change we did not hear about. */
const RECHECK_MS = 500;

/** Control characters would act on the terminal instead of being read: keep text and spaces only. */
export function sanitizeNudge(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : ch;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

interface Nudge {
  text: string;
  expiresAt: number;
  settle(r: NudgeResult): void;
  settled: boolean;
}

interface AgentQueue {
  agent: string;
  /** The session the nudges were sent to; another session (restart, handoff) drops them. */
  terminal: string;
  items: Nudge[];
  pumping: boolean;
  wake: (() => void) | null;
}

export class NudgeQueue {
  private readonly queues = new Map<string, AgentQueue>();
  private disposed = false;
  private readonly onStatus = (rec: SessionRecord): void => this.queues.get(rec.agent)?.wake?.();
  private readonly onExit = (rec: SessionRecord): void => this.queues.get(rec.agent)?.wake?.();

  constructor(
    private readonly sessions: AgentSessions,
    private readonly pty: PtyHostClient,
  ) {
    sessions.on('status', this.onStatus);
    sessions.on('exit', this.onExit);
  }

  /**
   * Queues a nudge and resolves when it was typed and confirmed, when it was dropped, or after
   * `waitMs` with `queued: true` (it stays queued and is still typed at the agent's next idle moment).
   */
  send(agent: string, message: string, waitMs: number): Promise<NudgeResult> {
    if (this.disposed) throw new TownError('unavailable', 'the town is stopping');
    const text = sanitizeNudge(message);
    if (!text) throw new TownError('invalid', 'nudge message has nothing printable');
    const session = this.sessions.get(agent);
    if (!session) throw new TownError('not_found', `${agent} has no running session to nudge`);
    let q = this.queues.get(agent);
    if (q && q.terminal !== session.terminal) this.drop(q, `the session the earlier nudges were sent to ended`);
    q = this.queues.get(agent);
    if (!q) {
      q = { agent, terminal: session.terminal, items: [], pumping: false, wake: null };
      this.queues.set(agent, q);
    }
    if (q.items.length >= MAX_QUEUED_NUDGES) throw new TownError('conflict', `${agent} already has ${MAX_QUEUED_NUDGES} nudges waiting`);
    const queue = q;
    return new Promise<NudgeResult>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const item: Nudge = {
        text,
        expiresAt: Date.now() + Math.max(NUDGE_TTL_MS, waitMs),
        settled: false,
        settle: (r) => {
          if (item.settled) return;
          item.settled = true;
          if (timer) clearTimeout(timer);
          resolve(r);
        },
      };
      // The caller stops waiting; the nudge does not stop being queued.
      timer = setTimeout(() => {
        const position = queue.items.indexOf(item) + 1;
        if (position > 0) resolve({ agent, delivered: false, when: 'busy', queued: true, position, reason: `still queued after ${waitMs} ms: ${agent} has not been idle since` });
      }, waitMs);
      queue.items.push(item);
      void this.pump(queue);
    });
  }

  /** Nudges waiting for an agent (for status views and tests). */
  pending(agent: string): number {
    return this.queues.get(agent)?.items.length ?? 0;
  }

  dispose(): void {
    this.disposed = true;
    this.sessions.off('status', this.onStatus);
    this.sessions.off('exit', this.onExit);
    for (const q of [...this.queues.values()]) this.drop(q, 'the town stopped');
  }

  /** Types the queue's nudges one by one, each at the agent's next idle or waiting moment. */
  private async pump(q: AgentQueue): Promise<void> {
    if (q.pumping) return;
    q.pumping = true;
    try {
      while (q.items.length && !this.disposed) {
        const cur = this.sessions.get(q.agent);
        if (!cur || cur.terminal !== q.terminal) return this.drop(q, `the session of ${q.agent} ended before the nudge could be typed`);
        const now = Date.now();
        for (const stale of q.items.filter((n) => n.expiresAt <= now)) {
          q.items.splice(q.items.indexOf(stale), 1);
          stale.settle({ agent: q.agent, delivered: false, when: 'busy', queued: false, reason: 'expired in the queue' });
        }
        if (!q.items.length) break;
        const when = await this.rightMoment(q);
        if (!when) {
          await this.sleep(q);
          continue;
        }
        const item = q.items.shift()!;
        item.settle(await this.type(q.agent, q.terminal, item.text, when));
      }
    } finally {
      q.pumping = false;
      if (!q.items.length && this.queues.get(q.agent) === q) this.queues.delete(q.agent);
    }
  }

  /**
   * 'idle' or 'waiting-for-input' when a nudge may be typed now, else null. Idle must be a fresh
   * verdict: the status is read from the screen once output settles, so output the host saw after
   * that verdict (the agent just started something) means it is not idle any more.
   */
  private async rightMoment(q: AgentQueue): Promise<string | null> {
    const st = this.sessions.status(q.agent);
    if (!st) return null;
    if (st.state === 'waiting-for-input') return st.state;
    if (st.state !== 'idle') return null;
    const info = (await this.pty.list().catch(() => [])).find((s) => s.id === q.terminal);
    if (!info) return null;
    return (info.lastOutputAt ?? 0) <= st.since ? 'idle' : null;
  }

  private async type(agent: string, terminal: string, text: string, when: string): Promise<NudgeResult> {
    this.pty.write(terminal, text);
    // Typed apart from Enter: TUIs that treat a fast burst ending in \r as a paste keep the newline.
    await new Promise((r) => setTimeout(r, 50));
    this.pty.write(terminal, '\r');
    const probe = text.slice(0, 40).replace(/\s+/g, ' ');
    const until = Date.now() + CONFIRM_MS;
    while (Date.now() < until) {
      const snap = await this.pty.snapshot(terminal).catch(() => null);
      if (snap && snap.text.replace(/\s+/g, ' ').includes(probe)) return { agent, delivered: true, when, queued: false };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { agent, delivered: false, when, queued: false, reason: 'typed, but it did not show on the agent\'s screen' };
  }

  private sleep(q: AgentQueue): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, RECHECK_MS);
      function done(): void {
        clearTimeout(timer);
        q.wake = null;
        resolve();
      }
      q.wake = done;
    });
  }

  private drop(q: AgentQueue, reason: string): void {
    if (this.queues.get(q.agent) === q) this.queues.delete(q.agent);
    for (const item of q.items.splice(0)) item.settle({ agent: q.agent, delivered: false, when: 'busy', queued: false, reason });
    q.wake?.();
  }
}
