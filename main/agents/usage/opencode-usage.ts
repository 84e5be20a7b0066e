// OpenCode's assistant messages (format read from opencode-ai 1.18.33, "Session.Message.Assistant";
// pinned by test/fixtures/usage/opencode-message.json):
//   { id, sessionID, role: "assistant", modelID, providerID, cost, path: { cwd, root },
//     tokens: { input, output, reasoning, cache: { read, write } }, time: { created, completed } }
// Older releases keep each message as its own file, storage/message/<session>/<message>.json (read
// whole once it is completed); 1.x keeps them in the SQLite database opencode.db, which this app
// does not read yet (docs/costs.md). OpenCode's `input` excludes cache reads and writes.
import { obj, parseJsonLine, RecentKeys, str, timeOf, tokens, type UsageParser } from './usage-record.ts';

export function opencodeParser(runtime = 'opencode', saved?: unknown): UsageParser {
  const seen = new RecentKeys(((saved ?? {}) as { seen?: string[] }).seen ?? []);
  return {
    line(text) {
      const row = parseJsonLine(text);
      if (!row || row.role !== 'assistant' || typeof row.id !== 'string') return [];
      const time = obj(row.time);
      if (time.completed === undefined) return []; // still streaming: read again when completed
      if (!seen.add(row.id)) return [];
      const t = obj(row.tokens);
      const cache = obj(t.cache);
      const model = str(row.modelID) ?? str(obj(row.model).modelID) ?? 'unknown';
      const rec = {
        key: row.id, runtime, session: str(row.sessionID), cwd: str(obj(row.path).cwd), model,
        at: timeOf(time.created, Date.now()),
        input: tokens(t.input), output: tokens(t.output) + tokens(t.reasoning), cacheWrite: tokens(cache.write), cacheRead: tokens(cache.read),
      };
      return rec.input + rec.output + rec.cacheRead + rec.cacheWrite === 0 ? [] : [rec];
    },
    state: () => ({ seen: seen.list() }),
  };
}
