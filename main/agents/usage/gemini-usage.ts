// Gemini CLI's chat records: ~/.gemini/tmp/<project>/chats/session-<time>-<id8>.jsonl, appended one
// JSON object per line (format read from @google/gemini-cli 0.61.0, ChatRecordingService; pinned by
// test/fixtures/usage/gemini.jsonl):
//   first line   { sessionId, projectHash: sha256(project root), startTime, lastUpdated, kind }
//   messages     { id, timestamp, type: "user" | "gemini" | …, content, tokens?, model? }
//                tokens: { input: promptTokenCount, output: candidatesTokenCount, cached:
//                cachedContentTokenCount, thoughts, tool, total }
//   updates      { $set: {…} } (metadata), { $rewindTo: id } (history edit; money stays spent)
// A message is re-appended whole when it changes (tokens arrive, tool calls are added): a call is
// counted once, by message id, the first time it carries tokens. Gemini counts cached input inside
// `input`; thoughts are billed as output.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { obj, parseJsonLine, RecentKeys, str, timeOf, tokens, type UsageParser } from './usage-record.ts';

export const geminiProjectHash = (root: string): string => createHash('sha256').update(root).digest('hex');

export function geminiHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.GEMINI_CLI_HOME ? join(env.GEMINI_CLI_HOME, '.gemini') : join(homedir(), '.gemini');
}

export function geminiParser(runtime = 'gemini', saved?: unknown): UsageParser {
  const prev = (saved ?? {}) as { session?: string | null; project?: string | null; seen?: string[] };
  let session = prev.session ?? null;
  let project = prev.project ?? null;
  const seen = new RecentKeys(prev.seen ?? []);
  return {
    line(text) {
      const row = parseJsonLine(text);
      if (!row) return [];
      if (typeof row.sessionId === 'string' && row.id === undefined) {
        session = row.sessionId;
        project = str(row.projectHash) ?? project;
        return [];
      }
      if (row.type !== 'gemini' || typeof row.id !== 'string') return [];
      const t = obj(row.tokens);
      if (!Object.keys(t).length) return [];
      if (!seen.add(row.id)) return [];
      const input = tokens(t.input);
      const cached = Math.min(tokens(t.cached), input);
      const rec = {
        key: row.id, runtime, session, cwd: null, model: str(row.model) ?? 'unknown', at: timeOf(row.timestamp, Date.now()),
        input: input - cached + tokens(t.tool), output: tokens(t.output) + tokens(t.thoughts), cacheWrite: 0, cacheRead: cached,
      };
      return rec.input + rec.output + rec.cacheRead === 0 ? [] : [rec];
    },
    state: () => ({ session, project, seen: seen.list() }),
  };
}

/** The project hash a Gemini file declared in its first line (for matching it to a working dir). */
export function geminiFileProject(state: unknown): string | null {
  return ((state ?? {}) as { project?: string | null }).project ?? null;
}
