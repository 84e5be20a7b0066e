// What a runtime's own hook calls mean for the town. Each CLI that has hooks calls back into
// `gt agent-hook <adapter>` with its own payload (JSON on stdin, or as the last argument for Codex's
// `notify`); this file turns that payload into one HookReport and formats the reply the CLI
// expects on stdout. Pure: no I/O, no clock.
//
// Invariants:
// - A payload is never trusted for identity: the agent is the caller of the request, not a field.
// - An event we do not know maps to `event: null` (nothing changes), never to an error: a newer CLI
//   that adds events must not break its session.
// - The reply is printed only for events whose stdout the CLI adds to the model's context
//   (Claude Code: SessionStart, UserPromptSubmit as plain text; Gemini CLI: JSON additionalContext).

import type { HookEvent } from '../agent-status.ts';
import { HOOK_ADAPTERS, type HookAdapter } from '../../../preload/requests/agent-hooks.ts';

export { HOOK_ADAPTERS };
export type HookAdapterName = HookAdapter;

/** What the agent is given back on stdout: its whole context, its new mail, or nothing. */
export type HookReply = 'prime' | 'mail' | null;

export interface HookReport {
  /** The status event for the town, or null when the call changes no status. */
  event: HookEvent | null;
  /** The CLI's own event name, with what it said (shown as the status reason). */
  detail: string;
  /** The CLI's conversation id, when the payload carries one (for resume). */
  conversationId: string | null;
  reply: HookReply;
  /** The CLI's own event name, as it sent it (needed to format the reply). */
  nativeEvent: string;
}

type Payload = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const clip = (s: string, n = 100): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
/** Conversation ids are opaque to us but must be safe as one command-line argument. */
const conversationId = (v: unknown): string | null => {
  const s = str(v);
  return s && /^[A-Za-z0-9._:-]{1,200}$/.test(s) ? s : null;
};

/** Claude Code (hook_event_name + session_id on every payload; see docs/agents.md for the events). */
function claudeCode(p: Payload): HookReport {
  const name = str(p.hook_event_name) ?? 'unknown';
  const base = { conversationId: conversationId(p.session_id), nativeEvent: name };
  switch (name) {
    case 'SessionStart': {
      const source = str(p.source) ?? 'startup';
      return { ...base, event: 'session-start', detail: `SessionStart ${source}`, reply: 'prime' };
    }
    case 'UserPromptSubmit':
      return { ...base, event: 'working', detail: 'UserPromptSubmit', reply: 'mail' };
    case 'Notification': {
      const type = str(p.notification_type) ?? '';
      const message = str(p.message) ?? '';
      const detail = `Notification ${type}${message ? `: ${clip(message)}` : ''}`.trim();
      // idle_prompt: it has been sitting at its prompt; permission_prompt / elicitation_dialog:
      // it asks the human. Other notifications (auth_success, …) change nothing.
      if (type === 'idle_prompt') return { ...base, event: 'idle', detail, reply: null };
      if (type === 'permission_prompt' || type === 'elicitation_dialog') return { ...base, event: 'waiting', detail, reply: null };
      return { ...base, event: null, detail, reply: null };
    }
    case 'PermissionRequest':
      return { ...base, event: 'waiting', detail: `PermissionRequest${str(p.tool_name) ? ` ${str(p.tool_name)}` : ''}`, reply: null };
    case 'Stop':
      return { ...base, event: 'stop', detail: 'Stop', reply: null };
    case 'StopFailure': {
      const error = str(p.error) ?? str(p.error_details) ?? '';
      return { ...base, event: 'stop-failure', detail: `StopFailure${error ? `: ${clip(error)}` : ''}`, reply: null };
    }
    case 'PreCompact':
      return { ...base, event: 'working', detail: `PreCompact ${str(p.trigger) ?? ''}`.trim(), reply: null };
    default:
      return { ...base, event: null, detail: name, reply: null };
  }
}

/** Codex's `notify` program: called with one JSON argument after each turn. */
function codexNotify(p: Payload): HookReport {
  const type = str(p.type) ?? 'unknown';
  const id = conversationId(p['thread-id']) ?? conversationId(p['session-id']);
  if (type === 'agent-turn-complete') return { event: 'stop', detail: 'agent-turn-complete', conversationId: id, reply: null, nativeEvent: type };
  return { event: null, detail: type, conversationId: id, reply: null, nativeEvent: type };
}

/** Gemini CLI hooks (hook_event_name + session_id; Claude-like names of its own). */
function geminiCli(p: Payload): HookReport {
  const name = str(p.hook_event_name) ?? 'unknown';
  const base = { conversationId: conversationId(p.session_id), nativeEvent: name };
  switch (name) {
    case 'SessionStart':
      return { ...base, event: 'session-start', detail: `SessionStart ${str(p.source) ?? 'startup'}`, reply: 'prime' };
    case 'BeforeAgent':
      return { ...base, event: 'working', detail: 'BeforeAgent', reply: 'mail' };
    case 'AfterAgent':
      return { ...base, event: 'stop', detail: 'AfterAgent', reply: null };
    case 'Notification': {
      const message = str(p.message) ?? '';
      return { ...base, event: 'waiting', detail: `Notification ${str(p.notification_type) ?? ''}${message ? `: ${clip(message)}` : ''}`.trim(), reply: null };
    }
    case 'PreCompress':
      return { ...base, event: 'working', detail: 'PreCompress', reply: null };
    default:
      return { ...base, event: null, detail: name, reply: null };
  }
}

export function interpretHook(adapter: HookAdapterName, payload: Payload): HookReport {
  switch (adapter) {
    case 'claude-code':
      return claudeCode(payload);
    case 'codex-notify':
      return codexNotify(payload);
    case 'gemini-cli':
      return geminiCli(payload);
  }
}

/** What `gt agent-hook` prints for the CLI: the reply text in the form the CLI reads, or ''. */
export function formatReply(adapter: HookAdapterName, nativeEvent: string, text: string): string {
  if (!text) return adapter === 'gemini-cli' ? '{}' : '';
  if (adapter === 'claude-code') return text.endsWith('\n') ? text : `${text}\n`;
  if (adapter === 'gemini-cli') return JSON.stringify({ hookSpecificOutput: { hookEventName: nativeEvent, additionalContext: text } });
  return '';
}

export function isHookAdapter(name: string): name is HookAdapterName {
  return (HOOK_ADAPTERS as readonly string[]).includes(name);
}
