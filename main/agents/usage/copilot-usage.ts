// GitHub Copilot CLI's session logs: ~/.copilot/session-state/<session id>/events.jsonl, one event
// per line `{ id, timestamp, parentId, type, data, ephemeral? }` (format read from the session-event
// JSON schema inside @github/copilot 1.0.102, pinned by test/fixtures/usage/copilot.jsonl):
//   "session.start"             data { sessionId, selectedModel, context: { cwd, … }, … }
//   "session.usage_checkpoint"  data { accountingSnapshot: { modelMetrics: { <model>: { usage } } } }
//   "session.shutdown"          data { modelMetrics: { <model>: { requests, usage } }, … }
//   usage: { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens? }
// The per-call "assistant.usage" event is ephemeral (never written to disk), so usage is read from
// the persisted snapshots, which are running totals per model: a record is the growth since the
// last snapshot seen in the file. Copilot's inputTokens are taken to include cache reads (as the
// OpenAI-style APIs it fronts report them).
import { join } from 'node:path';
import { homedir } from 'node:os';
import { obj, parseJsonLine, str, timeOf, tokens, type UsageParser, type UsageRecord } from './usage-record.ts';

type Totals = Record<string, { input: number; output: number; cacheRead: number; cacheWrite: number }>;

export function copilotHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.COPILOT_HOME || join(homedir(), '.copilot');
}

export function copilotParser(runtime = 'copilot', saved?: unknown): UsageParser {
  const prev = (saved ?? {}) as { session?: string | null; cwd?: string | null; totals?: Totals };
  let session = prev.session ?? null;
  let cwd = prev.cwd ?? null;
  const totals: Totals = { ...(prev.totals ?? {}) };
  return {
    line(text, where) {
      const row = parseJsonLine(text);
      if (!row || row.ephemeral === true) return [];
      const data = obj(row.data);
      if (row.type === 'session.start') {
        session = str(data.sessionId) ?? session;
        cwd = str(obj(data.context).cwd) ?? cwd;
        return [];
      }
      let metrics: Record<string, unknown> | null = null;
      if (row.type === 'session.shutdown') metrics = obj(data.modelMetrics);
      else if (row.type === 'session.usage_checkpoint') metrics = obj(obj(data.accountingSnapshot).modelMetrics);
      if (!metrics) return [];
      const out: UsageRecord[] = [];
      for (const [model, m] of Object.entries(metrics)) {
        const u = obj(obj(m).usage);
        const next = { input: tokens(u.inputTokens), output: tokens(u.outputTokens), cacheRead: tokens(u.cacheReadTokens), cacheWrite: tokens(u.cacheWriteTokens) };
        const was = totals[model] ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
        const d = { input: next.input - was.input, output: next.output - was.output, cacheRead: next.cacheRead - was.cacheRead, cacheWrite: next.cacheWrite - was.cacheWrite };
        totals[model] = next;
        if (d.input < 0 || d.output < 0 || d.cacheRead < 0 || d.cacheWrite < 0) continue; // a reset snapshot: nothing new
        if (d.input + d.output + d.cacheRead + d.cacheWrite === 0) continue;
        const cacheRead = Math.min(d.cacheRead, d.input);
        out.push({
          key: `${session ?? 'copilot'}@${where}:${model}`, runtime, session, cwd, model, at: timeOf(row.timestamp, Date.now()),
          input: d.input - cacheRead, output: d.output, cacheRead, cacheWrite: d.cacheWrite,
        });
      }
      return out;
    },
    state: () => ({ session, cwd, totals }),
  };
}
