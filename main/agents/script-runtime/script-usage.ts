// The `script` runtime's token usage, written in Claude Code's own transcript format so the whole
// cost path (tailer, parser, attribution, prices, budgets) runs without a paid service. Where:
// <GT_TOWN>/costs/script-usage/projects/<cwd as Claude names it>/<session id>.jsonl (or
// GT_SCRIPT_USAGE_DIR/projects/…). Like Claude Code, one call is written as one line per content
// block, each repeating the message's usage (readers must count it once).
//
// The amounts are deterministic: each step is one "model call" whose tokens follow from the step's
// text (scriptCallUsage), and a `usage` step writes exactly what it says.
import { appendFileSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { claudeProjectName } from '../usage/claude-usage.ts';

export interface ScriptCall {
  model?: string;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  text: string;
}

export const SCRIPT_MODEL = 'claude-sonnet-4-5-20250929';

/** The tokens of the call that "made" step number `index` (0-based) with this text. */
export function scriptCallUsage(stepText: string, index: number): Omit<ScriptCall, 'text'> {
  const l = stepText.length;
  return { input: 3 + (l % 7), output: 40 + l, cacheWrite: 200 + 5 * l, cacheRead: 1500 * (index + 1) };
}

export class ScriptUsageWriter {
  private readonly file: string;
  private readonly session = randomUUID();
  private n = 0;
  private parent: string | null = null;

  constructor(private readonly cwd: string, root: string, private readonly model = SCRIPT_MODEL) {
    const dir = join(root, 'projects', claudeProjectName(cwd));
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${this.session}.jsonl`);
  }

  /** The writer for this process, or null when it runs outside a town (no GT_TOWN). */
  static fromEnv(cwd: string, env: NodeJS.ProcessEnv = process.env): ScriptUsageWriter | null {
    const root = env.GT_SCRIPT_USAGE_DIR || (env.GT_TOWN ? join(env.GT_TOWN, 'costs', 'script-usage') : null);
    if (!root) return null;
    return new ScriptUsageWriter(cwd, root, env.GT_SCRIPT_MODEL || SCRIPT_MODEL);
  }

  get path(): string {
    return this.file;
  }

  record(call: ScriptCall): void {
    const i = ++this.n;
    const now = new Date().toISOString();
    const base = { isSidechain: false, userType: 'external', cwd: this.cwd, sessionId: this.session, version: 'gt-script', gitBranch: '' };
    const user = { ...base, parentUuid: this.parent, type: 'user', uuid: `${this.session}-u${i}`, timestamp: now, message: { role: 'user', content: call.text } };
    const usage = { input_tokens: call.input, cache_creation_input_tokens: call.cacheWrite, cache_read_input_tokens: call.cacheRead, output_tokens: call.output, service_tier: 'standard' };
    const message = (content: unknown) => ({ id: `msg_script_${this.session.slice(0, 8)}_${i}`, type: 'message', role: 'assistant', model: call.model ?? this.model, content, stop_reason: null, stop_sequence: null, usage });
    const a1 = { ...base, parentUuid: user.uuid, type: 'assistant', requestId: `req_script_${this.session.slice(0, 8)}_${i}`, uuid: `${this.session}-a${i}`, timestamp: now, message: message([{ type: 'thinking', thinking: 'scripted (no LLM)' }]) };
    const a2 = { ...a1, parentUuid: a1.uuid, uuid: `${this.session}-b${i}`, message: message([{ type: 'text', text: call.text }]) };
    this.parent = a2.uuid;
    // One append per line, as Claude Code does: a reader may see a line boundary at any moment.
    for (const line of [user, a1, a2]) appendFileSync(this.file, JSON.stringify(line) + '\n');
  }
}
