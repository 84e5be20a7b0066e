// Parses the `gt-script` fenced block of a bead description into steps. The format, as users see
// it (one step per line; blank lines and lines starting with # are ignored):
//
//     write PATH TEXT...     create or overwrite a file in the worktree (\n in TEXT is a newline)
//     append PATH TEXT...    append TEXT to a file
//     run CMD...             run a shell command in the worktree; if it fails, the agent fails
//     sleep SECONDS
//     output N               print N lines of realistic progress output
//     ask QUESTION...        print the question and wait for a yes/no answer typed in its terminal
//     fail MESSAGE...        stop with an error
//     hang                   stop producing output and never finish
//     usage IN OUT [CW [CR [MODEL]]]  record one model call with exactly these tokens (cost tests)

export type ScriptStep =
  | { op: 'write' | 'append'; path: string; text: string; line: number }
  | { op: 'run'; command: string; line: number }
  | { op: 'sleep'; seconds: number; line: number }
  | { op: 'output'; lines: number; line: number }
  | { op: 'ask'; question: string; line: number }
  | { op: 'fail'; message: string; line: number }
  | { op: 'hang'; line: number }
  | { op: 'usage'; input: number; output: number; cacheWrite: number; cacheRead: number; model?: string; line: number }
  | { op: 'idle'; line: number }
  | { op: 'trust'; line: number };

export class ScriptSyntaxError extends Error {}

const FENCE = /^(```|~~~)\s*gt-script\s*$/;

/** The block's lines, or null when the description has no gt-script block. */
export function extractScriptBlock(description: string): string[] | null {
  const lines = description.replace(/\r\n?/g, '\n').split('\n');
  const start = lines.findIndex((l) => FENCE.test(l.trim()));
  if (start < 0) return null;
  const fence = lines[start].trim().slice(0, 3);
  const end = lines.findIndex((l, i) => i > start && l.trim() === fence);
  if (end < 0) throw new ScriptSyntaxError('gt-script block is not closed');
  return lines.slice(start + 1, end);
}

/** Steps of the description's gt-script block; null when it has none (the default change applies). */
export function parseScript(description: string): ScriptStep[] | null {
  const block = extractScriptBlock(description);
  if (!block) return null;
  const steps: ScriptStep[] = [];
  block.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (!text || text.startsWith('#')) return;
    const [op, ...rest] = text.split(/\s+/);
    const restText = text.slice(op.length).trim();
    const fail = (msg: string) => {
      throw new ScriptSyntaxError(`gt-script line ${line}: ${msg} (${JSON.stringify(text)})`);
    };
    switch (op) {
      case 'write':
      case 'append': {
        if (rest.length < 1) fail(`${op} needs a PATH`);
        const p = rest[0];
        const body = restText.slice(p.length).replace(/^\s/, '');
        steps.push({ op, path: p, text: unescape(body), line });
        break;
      }
      case 'run':
        if (!restText) fail('run needs a command');
        steps.push({ op, command: restText, line });
        break;
      case 'sleep': {
        const s = Number(restText);
        if (!Number.isFinite(s) || s < 0 || s > 86_400) fail('sleep needs SECONDS (0–86400)');
        steps.push({ op, seconds: s, line });
        break;
      }
      case 'output': {
        const n = Number(restText);
        if (!Number.isInteger(n) || n < 0 || n > 10_000_000) fail('output needs a whole number of lines');
        steps.push({ op, lines: n, line });
        break;
      }
      case 'ask':
        if (!restText) fail('ask needs a question');
        steps.push({ op, question: restText, line });
        break;
      case 'fail':
        steps.push({ op, message: restText || 'failed by script', line });
        break;
      case 'hang':
      case 'idle':
      case 'trust':
        if (restText) fail(`${op} takes no arguments`);
        steps.push({ op, line });
        break;
      case 'usage': {
        const nums = rest.slice(0, 4).map(Number);
        if (rest.length < 2 || rest.length > 5 || nums.some((n) => !Number.isInteger(n) || n < 0)) fail('usage needs INPUT OUTPUT [CACHE_WRITE [CACHE_READ [MODEL]]] as whole numbers');
        steps.push({ op, input: nums[0], output: nums[1], cacheWrite: nums[2] ?? 0, cacheRead: nums[3] ?? 0, ...(rest[4] ? { model: rest[4] } : {}), line });
        break;
      }
      default:
        fail(`unknown step "${op}" (write, append, run, sleep, output, ask, fail, hang, idle, trust, usage)`);
    }
  });
  return steps;
}

function unescape(s: string): string {
  return s.replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}
