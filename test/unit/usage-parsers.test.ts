// Each runtime's real record format (fixtures in test/fixtures/usage/, shapes from the CLIs' own
// packages) parses to the right totals; the tailer reads incrementally and never loses or doubles
// a line that was being written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USAGE_FORMATS, type UsageFormat } from '../../main/agents/usage/usage-parsers.ts';
import { newCursor, tailUsage, type TailCursor } from '../../main/agents/usage/usage-tailer.ts';
import type { UsageRecord } from '../../main/agents/usage/usage-record.ts';
import { claudeProjectName } from '../../main/agents/usage/claude-usage.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'usage');

function sum(records: UsageRecord[]): { calls: number; input: number; output: number; cacheWrite: number; cacheRead: number } {
  return records.reduce((s, r) => ({ calls: s.calls + 1, input: s.input + r.input, output: s.output + r.output, cacheWrite: s.cacheWrite + r.cacheWrite, cacheRead: s.cacheRead + r.cacheRead }), { calls: 0, input: 0, output: 0, cacheWrite: 0, cacheRead: 0 });
}

async function readAll(file: string, format: UsageFormat, whole = false): Promise<UsageRecord[]> {
  const r = await tailUsage(newCursor(file), (saved) => USAGE_FORMATS[format](format, saved), { whole });
  return r.records;
}

test('Claude Code: one call per message id + request id, however many content-block lines repeat it; synthetic lines skipped', async () => {
  const records = await readAll(join(FIXTURES, 'claude.jsonl'), 'claude');
  assert.deepEqual(sum(records), { calls: 3, input: 1510, output: 345, cacheWrite: 12800, cacheRead: 12000 });
  assert.deepEqual(records.map((r) => r.model), ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']);
  assert.equal(records[0].session, '5b0c6f2e-1d3a-4c1e-9f0e-2a7b1c9d8e01');
  assert.equal(records[0].cwd, '/home/u/gt/rigs/app/polecats/nux');
  assert.equal(records[0].at, Date.parse('2026-11-30T10:00:03.000Z'));
});

test('Codex: growth of the running total per token_count event; a repeated total counts nothing; cached input split out', async () => {
  const records = await readAll(join(FIXTURES, 'codex.jsonl'), 'codex');
  assert.deepEqual(sum(records), { calls: 2, input: 10540, output: 520, cacheWrite: 0, cacheRead: 8960 });
  assert.equal(records[0].model, 'gpt-5-codex');
  assert.equal(records[0].cwd, '/home/u/gt/rigs/app/polecats/furiosa');
  assert.equal(records[1].session, '019a7f3e-55aa-7c10-b1b2-0c0ffee00001');
});

test('Gemini CLI: a message re-appended as it changes counts once; thoughts are output, tool prompts input', async () => {
  const records = await readAll(join(FIXTURES, 'gemini.jsonl'), 'gemini');
  assert.deepEqual(sum(records), { calls: 2, input: 8240, output: 480, cacheWrite: 0, cacheRead: 4800 });
  assert.deepEqual(records.map((r) => r.model), ['gemini-2.5-pro', 'gemini-2.5-flash']);
  assert.equal(records[0].session, 'e3b1f0aa-2222-4a4a-8b8b-123456789abc');
});

test('Copilot CLI: growth of the persisted per-model snapshots; ephemeral usage events ignored', async () => {
  const records = await readAll(join(FIXTURES, 'copilot.jsonl'), 'copilot');
  assert.deepEqual(sum(records), { calls: 3, input: 10700, output: 530, cacheWrite: 0, cacheRead: 6500 });
  assert.deepEqual(records.map((r) => r.model).sort(), ['claude-sonnet-4.5', 'claude-sonnet-4.5', 'gpt-5-mini']);
  assert.equal(records[0].cwd, '/home/u/gt/rigs/app/polecats/slit');
});

test('OpenCode: a completed assistant message, reasoning counted as output; read whole, counted once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-usage-'));
  try {
    const file = join(dir, 'msg.json');
    const msg = JSON.parse(readFileSync(join(FIXTURES, 'opencode-message.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...msg, time: { created: 1 } }));
    const parser = (saved: unknown) => USAGE_FORMATS.opencode('opencode', saved);
    let r = await tailUsage(newCursor(file), parser, { whole: true });
    assert.equal(r.records.length, 0, 'still streaming: not counted yet');
    writeFileSync(file, JSON.stringify(msg, null, 2));
    r = await tailUsage(r.cursor, parser, { whole: true });
    assert.deepEqual(sum(r.records), { calls: 1, input: 1200, output: 400, cacheWrite: 1500, cacheRead: 20000 });
    writeFileSync(file, JSON.stringify(msg));
    r = await tailUsage(r.cursor, parser, { whole: true });
    assert.equal(r.records.length, 0, 'rewritten, same message: not counted again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [format, file] of [['claude', 'claude.jsonl'], ['codex', 'codex.jsonl'], ['gemini', 'gemini.jsonl'], ['copilot', 'copilot.jsonl']] as const) {
  test(`${format}: written in pieces (a last line cut anywhere) gives the same totals, nothing doubled or lost`, async () => {
    const full = readFileSync(join(FIXTURES, file));
    const expected = sum(await readAll(join(FIXTURES, file), format));
    const dir = mkdtempSync(join(tmpdir(), 'gt-usage-'));
    try {
      const target = join(dir, file);
      for (const step of [1, 7, 97, 1000]) {
        writeFileSync(target, '');
        let cursor: TailCursor = newCursor(target);
        const got: UsageRecord[] = [];
        for (let at = 0; at < full.length; at += step) {
          appendFileSync(target, full.subarray(at, Math.min(full.length, at + step)));
          const r = await tailUsage(cursor, (saved) => USAGE_FORMATS[format](format, saved));
          got.push(...r.records);
          cursor = r.cursor;
          assert.ok(cursor.offset === 0 || full[cursor.offset - 1] === 0x0a, 'the offset stops right after a newline');
        }
        assert.deepEqual(sum(got), expected, `appending ${step} bytes at a time`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('tailer: only the appended bytes are read; a line across the 1 MiB read chunk is whole; a replaced file starts over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-usage-'));
  try {
    const file = join(dir, 's.jsonl');
    const line = (i: number, pad = 0) => JSON.stringify({ type: 'assistant', requestId: `r${i}`, timestamp: '2026-11-30T10:00:00Z', message: { id: `m${i}`, model: 'm', content: [{ type: 'text', text: 'x'.repeat(pad) }], usage: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 3, cache_read_input_tokens: 4 } } }) + '\n';
    writeFileSync(file, line(0, (1 << 20) - 100) + line(1, 500));
    const parse = (saved: unknown) => USAGE_FORMATS.claude('claude', saved);
    let r = await tailUsage(newCursor(file), parse);
    assert.equal(r.records.length, 2);
    const size = r.cursor.offset;
    appendFileSync(file, line(2));
    r = await tailUsage(r.cursor, parse);
    assert.equal(r.records.length, 1);
    assert.equal(r.bytesRead, line(2).length, 'reads the append, not the file');
    assert.equal(r.cursor.offset, size + line(2).length);
    r = await tailUsage(r.cursor, parse);
    assert.equal(r.records.length, 0);
    assert.equal(r.bytesRead, 0);
    rmSync(file);
    writeFileSync(file, line(7));
    r = await tailUsage(r.cursor, parse);
    assert.deepEqual(r.records.map((x) => x.key), ['m7:r7'], 'a new file under the same name is read from its start');
    const gone = await tailUsage({ ...r.cursor, file: join(dir, 'missing.jsonl') }, parse);
    assert.equal(gone.records.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Claude project folder name: every non-alphanumeric becomes a dash', () => {
  assert.equal(claudeProjectName('/home/u/gt/rigs/app/polecats/nux'), '-home-u-gt-rigs-app-polecats-nux');
  assert.equal(claudeProjectName('/tmp/a_b.c'), '-tmp-a-b-c');
});
