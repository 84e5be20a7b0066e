// The runtimes' hook dialects, without schemas: the `gt` CLI's start-up path imports this, not zod.

/** The runtimes' hook dialects the town understands (main/agents/hooks/hook-adapters.ts). */
export const HOOK_ADAPTERS = ['claude-code', 'codex-notify', 'gemini-cli'] as const;
export type HookAdapter = (typeof HOOK_ADAPTERS)[number];
