// Usage ingestion (main/agents/usage/): MB/s of Claude Code transcript parsed incrementally, and the
// cost of a 1 KB append to a big transcript read from its saved offset, against reading the whole
// file again (what a non-incremental reader does on every change). Same file, same run.
//   npx tsx bench/usage-ingest.ts [MB]      (default 100)
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeParser } from '../main/agents/usage/claude-usage.ts';
import { newCursor, tailUsage } from '../main/agents/usage/usage-tailer.ts';

const MB = Number(process.argv[2] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'gt-usage-bench-'));
const file = join(dir, 'session.jsonl');

// Realistic mix: a user line, then three content-block lines repeating one message's usage.
let n = 0;
function block(): string {
  const i = n++;
  const base = { parentUuid: `p${i}`, isSidechain: false, userType: 'external', cwd: '/home/u/gt/rigs/app/polecats/nux', sessionId: 's', version: '2.1.331', timestamp: new Date(1_764_500_000_000 + i * 1000).toISOString() };
  const usage = { input_tokens: 4, cache_creation_input_tokens: 900 + (i % 50), cache_read_input_tokens: 12000, output_tokens: 150 + (i % 90) };
  const msg = (text: string) => JSON.stringify({ ...base, type: 'assistant', requestId: `req_${i}`, uuid: `a${i}-${text.length}`, message: { id: `msg_${i}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text }], usage } });
  return [
    JSON.stringify({ ...base, type: 'user', uuid: `u${i}`, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: 'line of output\n'.repeat(20) }] } }),
    msg('Thinking about the change. '.repeat(8)),
    msg('Editing src/handlers/route.ts to add the check. '.repeat(4)),
    msg('{"file_path":"src/handlers/route.ts"}'),
  ].join('\n') + '\n';
}

const parts: string[] = [];
let size = 0;
while (size < MB * 1048576) {
  const b = block();
  parts.push(b);
  size += b.length;
}
writeFileSync(file, parts.join(''));
parts.length = 0;

const parse = (saved: unknown) => claudeParser('claude', saved);

/** Non-incremental baseline: read the whole file, parse every line, dedupe. */
function wholeFile(): number {
  const text = readFileSync(file, 'utf8');
  const p = claudeParser();
  let calls = 0;
  for (const l of text.split('\n')) if (l) calls += p.line(l, 0).length;
  return calls;
}

const t0 = performance.now();
const first = await tailUsage(newCursor(file), parse);
const incrementalS = (performance.now() - t0) / 1000;
const t1 = performance.now();
const wholeCalls = wholeFile();
const wholeS = (performance.now() - t1) / 1000;
if (wholeCalls !== first.records.length) throw new Error(`mismatch: ${wholeCalls} vs ${first.records.length}`);

// A 1 KB append, read from the saved cursor, repeated; vs the whole file read again.
let cursor = first.cursor;
const appends: number[] = [];
for (let i = 0; i < 20; i++) {
  let extra = '';
  while (extra.length < 1024) extra += block();
  appendFileSync(file, extra);
  const t = performance.now();
  const r = await tailUsage(cursor, parse);
  appends.push(performance.now() - t);
  if (r.records.length < 1) throw new Error('append not read');
  cursor = r.cursor;
}
const t2 = performance.now();
wholeFile();
const rereadMs = performance.now() - t2;
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const mb = first.bytesRead / 1048576;
console.log(`transcript: ${mb.toFixed(1)} MB, ${first.records.length} calls (${n} messages)`);
console.log(`incremental first read: ${(mb / incrementalS).toFixed(0)} MB/s   whole-file read+parse: ${(mb / wholeS).toFixed(0)} MB/s`);
console.log(`1 KB append read from the cursor: median ${med(appends).toFixed(2)} ms   re-reading the whole file: ${rereadMs.toFixed(0)} ms   ratio ${(rereadMs / med(appends)).toFixed(0)}x`);
rmSync(dir, { recursive: true, force: true });
