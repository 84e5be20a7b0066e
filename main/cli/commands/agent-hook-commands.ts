// gt agent-hook ADAPTER [JSON]: what a runtime's own hook runs (Claude Code and Gemini CLI settings
// pass the payload on stdin, Codex's notify as the last argument). It reports to the town as the
// agent it runs inside and prints what the CLI should read back (the prime, new mail) on stdout.
// gt agent status ADDR: that agent's live status, which source produced it, its resumable conversation.
//
// A hook must never break its CLI: outside a town session (no GT_AGENT) it does nothing, and any
// failure is one line on stderr with exit 0.
import { HOOK_ADAPTERS, type HookAdapter } from '../../../preload/hook-adapters.ts';
import { JSON_OPTION, printJson, requireArg, withTown, type Command } from '../command.ts';

/** The payload fields the town reads (everything else, e.g. whole transcripts, stays local). */
const KEPT_FIELDS = [
  'hook_event_name', 'session_id', 'source', 'notification_type', 'message', 'title', 'error', 'error_details', 'trigger',
  'tool_name', 'reason', 'type', 'thread-id', 'turn-id', 'session-id', 'cwd',
];

/** Reduces a hook payload to the small fields the contract carries. */
export function reducePayload(raw: unknown): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const k of KEPT_FIELDS) {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v === 'string') out[k] = v.slice(0, 2000);
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
  }
  return out;
}

export const agentHookCommand: Command = {
  name: 'agent-hook',
  summary: 'run by a runtime\'s own hooks: report status and conversation to the town, print the reply',
  args: `${HOOK_ADAPTERS.join('|')} [PAYLOAD-JSON]`,
  details: 'The payload is read from the last argument if given (Codex notify), else from stdin. Outside an agent session (no GT_AGENT) it does nothing.',
  // Only what run() reads: a payload on stdin, inside a session, for a known adapter.
  stdin: (_v, positionals, agent) => agent !== null && HOOK_ADAPTERS.includes(positionals[0] as HookAdapter) && positionals.length <= 1,
  async run(ctx, _v, positionals) {
    const adapter = positionals[0] as HookAdapter;
    const quietFail = (why: string): number => {
      ctx.err(`gt agent-hook: ${why}`);
      if (adapter === 'gemini-cli') ctx.write('{}');
      return 0;
    };
    if (!ctx.agent) return 0;
    if (!HOOK_ADAPTERS.includes(adapter)) return quietFail(`unknown hook adapter ${JSON.stringify(positionals[0] ?? '')} (${HOOK_ADAPTERS.join(', ')})`);
    let payload: unknown = {};
    try {
      const text = positionals.length > 1 ? positionals[positionals.length - 1] : await ctx.stdin();
      payload = text.trim() ? JSON.parse(text) : {};
    } catch (e) {
      return quietFail(`the hook payload is not JSON: ${(e as Error).message}`);
    }
    try {
      const r = await withTown(ctx, (c) => c.agentHook({ adapter, payload: reducePayload(payload) }));
      if (r.output) ctx.write(r.output);
    } catch (e) {
      return quietFail((e as Error).message);
    }
    return 0;
  },
};

export const agentStatusCommand: Command = {
  name: 'agent status',
  summary: 'an agent\'s live status, what produced it (hook, screen, …) and its resumable conversation',
  args: 'ADDR',
  options: JSON_OPTION,
  async run(ctx, v, positionals) {
    const agent = requireArg(positionals, 0, 'agent address');
    const s = await withTown(ctx, (c) => c.agentState({ agent }));
    if (v.json) printJson(ctx, s);
    else {
      ctx.out(`${s.agent}: ${s.state} (from ${s.source}: ${s.reason}) since ${new Date(s.since).toISOString()}`);
      if (s.resumed) ctx.out(`  resumed conversation ${s.resumed}`);
      if (s.conversation) ctx.out(`  conversation ${s.conversation.id} (${s.conversation.runtime}, ${s.conversation.at})`);
    }
    return 0;
  },
};

export const AGENT_HOOK_COMMANDS: Command[] = [agentHookCommand, agentStatusCommand];
