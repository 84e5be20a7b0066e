// Which parser reads which runtime's records. The `script` runtime writes Claude Code's format.
import { claudeParser } from './claude-usage.ts';
import { codexParser } from './codex-usage.ts';
import { copilotParser } from './copilot-usage.ts';
import { geminiParser } from './gemini-usage.ts';
import { opencodeParser } from './opencode-usage.ts';
import type { UsageParser } from './usage-record.ts';

export type UsageFormat = 'claude' | 'codex' | 'gemini' | 'copilot' | 'opencode';

export const USAGE_FORMATS: Record<UsageFormat, (runtime: string, saved?: unknown) => UsageParser> = {
  claude: claudeParser,
  codex: codexParser,
  gemini: geminiParser,
  copilot: copilotParser,
  opencode: opencodeParser,
};

/** The record format of a runtime by name (custom runtimes named after a CLI share its format). */
export function usageFormatOf(runtime: string): UsageFormat | null {
  if (runtime === 'script' || runtime === 'claude') return 'claude';
  if (runtime in USAGE_FORMATS) return runtime as UsageFormat;
  return null;
}
