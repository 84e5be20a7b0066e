// Claude Code's session transcripts: ~/.claude/projects/<cwd with every non-alphanumeric as "-">/
// <session id>.jsonl, one JSON object per line (format read from @anthropic-ai/claude-code 2.1.331,
// pinned by test/fixtures/usage/claude.jsonl). Usage is on `type: "assistant"` lines:
//   { type, sessionId, cwd, timestamp, requestId, message: { id, model, usage: { input_tokens,
//     output_tokens, cache_creation_input_tokens, cache_read_input_tokens } } }
// One API response is written as one line PER CONTENT BLOCK, each repeating the message's usage:
// a call is counted once, by message id + request id.
import { join } from 'node:path';
import { homedir } from 'node:os';
import { obj, parseJsonLine, RecentKeys, str, timeOf, tokens, type UsageParser, type UsageRecord } from './usage-record.ts';

/** The project folder name Claude Code uses for a working directory (long paths get a hash suffix,
 *  which we do not reproduce: callers match such folders by this prefix and check `cwd`). */
export function claudeProjectName(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-').slice(0, 200);
}

export function claudeHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude');
}

export function claudeParser(runtime = 'claude', saved?: unknown): UsageParser {
  const seen = new RecentKeys(Array.isArray((saved as { seen?: unknown })?.seen) ? (saved as { seen: string[] }).seen : []);
  return {
    line(text) {
      // Most lines (user turns, tool results) carry no usage: skip them without parsing JSON.
      if (!text.includes('"usage"') || !text.includes('"assistant"')) return [];
      const row = parseJsonLine(text);
      if (!row || row.type !== 'assistant') return [];
      const message = obj(row.message);
      const usage = obj(message.usage);
      if (!Object.keys(usage).length) return [];
      const id = str(message.id) ?? str(row.uuid);
      if (!id) return [];
      const key = `${id}:${str(row.requestId) ?? ''}`;
      if (!seen.add(key)) return [];
      const rec: UsageRecord = {
        key, runtime, session: str(row.sessionId), cwd: str(row.cwd), model: str(message.model) ?? 'unknown',
        at: timeOf(row.timestamp, Date.now()),
        input: tokens(usage.input_tokens), output: tokens(usage.output_tokens),
        cacheWrite: tokens(usage.cache_creation_input_tokens), cacheRead: tokens(usage.cache_read_input_tokens),
      };
      // Claude Code writes "<synthetic>" assistant lines (local errors, interruptions) with zero usage.
      if (rec.input + rec.output + rec.cacheWrite + rec.cacheRead === 0) return [];
      return [rec];
    },
    state: () => ({ seen: seen.list() }),
  };
}
