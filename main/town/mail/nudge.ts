// `gt nudge AGENT MSG`: a short message typed into the agent's terminal, only when the agent is not
// in the middle of its output (idle, waiting for input, or quiet), then confirmed by reading it back
// from the terminal's screen. Nothing is written to the ledger: nudges are ephemeral.
import { TownError } from '../../../preload/contract.ts';
import type { NudgeResult } from '../../../preload/requests/work-types.ts';
import type { WorkContext } from '../supervisors/work-context.ts';
import type { PtyHostClient } from '../../agents/pty-host-client.ts';

/** Output quiet for this long counts as "not in the middle of its output". */
const QUIET_MS = 800;

/** Control characters would act on the terminal instead of being read: keep text and spaces only. */
export function sanitizeNudge(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : ch;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

export async function nudge(c: WorkContext, pty: PtyHostClient, agent: string, message: string, timeoutMs: number): Promise<NudgeResult> {
  const text = sanitizeNudge(message);
  if (!text) throw new TownError('invalid', 'nudge message has nothing printable');
  const session = c.sessions.get(agent);
  if (!session) throw new TownError('not_found', `${agent} has no running session to nudge`);
  return c.locks.run(`nudge:${agent}`, async () => {
    const deadline = Date.now() + timeoutMs;
    let when = '';
    while (Date.now() < deadline) {
      const cur = c.sessions.get(agent);
      if (!cur || cur.terminal !== session.terminal) throw new TownError('unavailable', `${agent}'s session ended before the nudge could be typed`);
      const st = c.sessions.status(agent);
      const quiet = st ? Date.now() - st.lastOutput >= QUIET_MS : false;
      if (st && (st.state === 'idle' || st.state === 'waiting-for-input')) when = st.state;
      else if (st && quiet && st.state !== 'working') when = 'quiet';
      else if (st && st.state === 'working' && Date.now() - st.lastOutput >= QUIET_MS * 3) when = 'quiet';
      if (when) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!when) return { agent, delivered: false, when: 'busy' };
    pty.write(session.terminal, text);
    await new Promise((r) => setTimeout(r, 50));
    pty.write(session.terminal, '\r');
    // Delivery: the text shows up on the agent's screen (echoed by its prompt or printed by it).
    const probe = text.slice(0, 40);
    const until = Date.now() + Math.min(5_000, Math.max(1_000, deadline - Date.now()));
    while (Date.now() < until) {
      const snap = await pty.snapshot(session.terminal).catch(() => null);
      if (snap && snap.text.replace(/\s+/g, ' ').includes(probe.replace(/\s+/g, ' '))) return { agent, delivered: true, when };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { agent, delivered: false, when };
  });
}
