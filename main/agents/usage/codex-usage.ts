// Codex CLI's rollouts: ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl, one JSON object
// per line `{ timestamp, type, payload }` (format read from @openai/codex 0.169.0, pinned by
// test/fixtures/usage/codex.jsonl):
//   type "session_meta"  payload { id, cwd, … }            the session and its working directory
//   type "turn_context"  payload { cwd, model, … }         the model of the turns that follow
//   type "event_msg"     payload { type: "token_count", info: { total_token_usage, last_token_usage,
//                        model_context_window } | null }   usage: { input_tokens, cached_input_tokens,
//                        cache_write_input_tokens?, output_tokens, reasoning_output_tokens, total_tokens }
// token_count repeats the running total (the same total may be sent twice): a call is the growth of
// total_token_usage since the last one seen in the file. OpenAI counts cached input inside
// input_tokens, and reasoning inside output_tokens.
import { join } from 'node:path';
import { homedir } from 'node:os';
import { obj, parseJsonLine, str, timeOf, tokens, type UsageParser } from './usage-record.ts';

interface CodexState {
  session: string | null;
  cwd: string | null;
  model: string;
  total: { input: number; cached: number; cacheWrite: number; output: number };
}

export function codexHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEX_HOME || join(homedir(), '.codex');
}

export function codexParser(runtime = 'codex', saved?: unknown): UsageParser {
  const s: CodexState = { session: null, cwd: null, model: 'unknown', total: { input: 0, cached: 0, cacheWrite: 0, output: 0 }, ...(saved as Partial<CodexState> ?? {}) };
  return {
    line(text, where) {
      const row = parseJsonLine(text);
      if (!row) return [];
      const payload = obj(row.payload);
      if (row.type === 'session_meta') {
        s.session = str(payload.id) ?? s.session;
        s.cwd = str(payload.cwd) ?? s.cwd;
        return [];
      }
      if (row.type === 'turn_context') {
        s.model = str(payload.model) ?? s.model;
        s.cwd = s.cwd ?? str(payload.cwd);
        return [];
      }
      if (row.type !== 'event_msg' || payload.type !== 'token_count') return [];
      const info = obj(payload.info);
      const total = obj(info.total_token_usage);
      if (!Object.keys(total).length) return [];
      const next = { input: tokens(total.input_tokens), cached: tokens(total.cached_input_tokens), cacheWrite: tokens(total.cache_write_input_tokens), output: tokens(total.output_tokens) };
      let d = { input: next.input - s.total.input, cached: next.cached - s.total.cached, cacheWrite: next.cacheWrite - s.total.cacheWrite, output: next.output - s.total.output };
      if (d.input < 0 || d.cached < 0 || d.output < 0 || d.cacheWrite < 0) {
        // The running total went back (a new thread in the same file): this event's own call.
        const last = obj(info.last_token_usage);
        d = { input: tokens(last.input_tokens), cached: tokens(last.cached_input_tokens), cacheWrite: tokens(last.cache_write_input_tokens), output: tokens(last.output_tokens) };
      }
      s.total = next;
      if (d.input + d.output + d.cached + d.cacheWrite === 0) return [];
      const cached = Math.min(d.cached, d.input);
      return [{
        key: `${s.session ?? 'codex'}@${where}`, runtime, session: s.session, cwd: s.cwd, model: s.model,
        at: timeOf(row.timestamp, Date.now()),
        input: Math.max(0, d.input - cached - d.cacheWrite), output: d.output, cacheWrite: d.cacheWrite, cacheRead: cached,
      }];
    },
    state: () => ({ ...s, total: { ...s.total } }),
  };
}
