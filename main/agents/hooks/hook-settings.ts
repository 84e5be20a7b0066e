// The hook entries the town installs into an agent's worktree, as data: Claude Code's
// `.claude/settings.local.json`, Gemini CLI's `.gemini/settings.json`, Codex's `notify` override.
// Pure: builds and merges settings objects; hook-install.ts writes them.
//
// Invariants:
// - Our entries are recognised by their command (it runs `gt agent-hook`); merging removes our old
//   entries and adds the current ones, and keeps every other setting and hook the file has.
// - Every command does nothing outside a town session (no GT_AGENT) and never fails its CLI: a
//   hook that cannot reach the town must not stop the agent.

import type { HookAdapterName } from './hook-adapters.ts';

export const HOOK_MARKER = 'gt agent-hook';

/** The shell command a hook entry runs. */
export function hookCommand(adapter: HookAdapterName): string {
  // Outside a session the payload is still read (and dropped): a hook that exits without reading
  // its stdin can fail the CLI's write with EPIPE.
  return `if [ -z "$GT_AGENT" ]; then cat >/dev/null; else ${HOOK_MARKER} ${adapter} || true; fi`;
}

interface CommandHook {
  type: 'command';
  command: string;
  timeout?: number;
  async?: boolean;
}
interface HookGroup {
  matcher?: string;
  hooks: CommandHook[];
}
type HookTable = Record<string, HookGroup[]>;

/** Claude Code events we subscribe to (names from the CLI's own schema, see docs/agents.md). */
export function claudeHookTable(): HookTable {
  const cmd = hookCommand('claude-code');
  // timeout is in seconds for Claude Code. Status-only events are synchronous too, so they reach
  // the town in the order they happened (an async Stop could overtake the prompt's report).
  const entry = (extra: Partial<CommandHook> = {}): HookGroup[] => [{ hooks: [{ type: 'command', command: cmd, timeout: 30, ...extra }] }];
  return {
    // No matcher: startup, resume, clear and compact all (re)prime the agent.
    SessionStart: entry(),
    UserPromptSubmit: entry(),
    Notification: [{ matcher: 'permission_prompt|idle_prompt|elicitation_dialog', hooks: [{ type: 'command', command: cmd, timeout: 30 }] }],
    Stop: entry(),
    StopFailure: entry(),
    PreCompact: entry({ async: true }),
  };
}

/** Gemini CLI events (timeout in milliseconds; stdout must be JSON only). */
export function geminiHookTable(): HookTable {
  const cmd = hookCommand('gemini-cli');
  const entry = (): HookGroup[] => [{ hooks: [{ type: 'command', command: cmd, timeout: 30_000 }] }];
  return { SessionStart: entry(), BeforeAgent: entry(), AfterAgent: entry(), Notification: entry(), PreCompress: entry() };
}

const isOurs = (h: unknown): boolean => typeof (h as CommandHook)?.command === 'string' && (h as CommandHook).command.includes(HOOK_MARKER);

/**
 * Merges our hook table into an existing settings object: every key and foreign hook kept, our
 * previous entries replaced. `existing` must be a plain object (the caller refuses anything else).
 */
export function mergeHooks(existing: Record<string, unknown>, ours: HookTable): Record<string, unknown> {
  const hooks: Record<string, unknown> = {};
  const current = existing.hooks && typeof existing.hooks === 'object' && !Array.isArray(existing.hooks) ? (existing.hooks as Record<string, unknown>) : {};
  for (const [event, groups] of Object.entries(current)) {
    if (!Array.isArray(groups)) {
      hooks[event] = groups;
      continue;
    }
    const kept = groups
      .map((g: HookGroup) => (g && Array.isArray(g.hooks) ? { ...g, hooks: g.hooks.filter((h) => !isOurs(h)) } : g))
      .filter((g: HookGroup) => !(g && Array.isArray(g.hooks) && g.hooks.length === 0));
    if (kept.length) hooks[event] = kept;
  }
  for (const [event, groups] of Object.entries(ours)) hooks[event] = [...((hooks[event] as HookGroup[] | undefined) ?? []), ...groups];
  return { ...existing, hooks };
}

/** Codex: its `notify` program, set for this launch only (`-c` overrides ~/.codex/config.toml). */
export function codexNotifyArgs(): string[] {
  return ['-c', `notify=${JSON.stringify(['gt', 'agent-hook', 'codex-notify'])}`];
}

/** Where an adapter's settings file lives, relative to the agent's working folder. */
export const SETTINGS_FILES: Partial<Record<HookAdapterName, { path: string; table: () => HookTable }>> = {
  'claude-code': { path: '.claude/settings.local.json', table: claudeHookTable },
  'gemini-cli': { path: '.gemini/settings.json', table: geminiHookTable },
};
