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
import { readOpencodeDb } from '../../main/agents/usage/opencode-db.ts';
import { spawnSync } from 'node:child_process';

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

test('tailer: only the appended bytes are read; a line across the 1 MiB read chunk is whole; nothing new leaves the cursor as it was; a replaced file starts over', async () => {
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
    const before = r.cursor;
    r = await tailUsage(before, parse);
    assert.equal(r.records.length, 0);
    assert.equal(r.bytesRead, 0);
    assert.equal(r.cursor, before, 'nothing new: the very cursor comes back (the watcher has nothing to save)');
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

test('OpenCode 1.x database: message rows read incrementally by time_updated through sqlite3, a streaming message counted once completed', { skip: spawnSync('sqlite3', ['-version']).status !== 0 ? 'the sqlite3 command is not installed' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-usage-'));
  try {
    const db = join(dir, 'opencode.db');
    // The two tables as opencode-ai 1.18.33 creates them (columns used here).
    const sql = (q: string) => {
      const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    sql('CREATE TABLE `session` (`id` text PRIMARY KEY, `project_id` text NOT NULL, `directory` text NOT NULL, `title` text NOT NULL, `version` text NOT NULL); CREATE TABLE `message` (`id` text PRIMARY KEY, `session_id` text NOT NULL, `time_created` integer NOT NULL, `time_updated` integer NOT NULL, `data` text NOT NULL);');
    sql("INSERT INTO session VALUES ('ses_01abc', 'p', '/home/u/gt/rigs/app/polecats/max', 't', '1.18.33');");
    const msg = JSON.parse(readFileSync(join(FIXTURES, 'opencode-message.json'), 'utf8')) as Record<string, unknown>;
    const { id: _id, sessionID: _s, path: _p, ...data } = msg;
    const streaming = JSON.stringify({ ...data, time: { created: 1 } }).replace(/'/g, "''");
    sql(`INSERT INTO message VALUES ('msg_0f3a9', 'ses_01abc', 1, 100, '${streaming}');`);
    let rows = await readOpencodeDb(db, 0);
    assert.ok(rows);
    const parser = USAGE_FORMATS.opencode('opencode');
    assert.equal(rows.lines.flatMap((l) => parser.line(l, 0)).length, 0, 'not completed yet');
    sql(`UPDATE message SET time_updated = 200, data = '${JSON.stringify(data).replace(/'/g, "''")}' WHERE id = 'msg_0f3a9';`);
    rows = await readOpencodeDb(db, rows.last);
    assert.ok(rows);
    const recs = rows.lines.flatMap((l) => parser.line(l, 0));
    assert.deepEqual(sum(recs), { calls: 1, input: 1200, output: 400, cacheWrite: 1500, cacheRead: 20000 });
    assert.equal(recs[0].cwd, '/home/u/gt/rigs/app/polecats/max', 'the session\'s directory is the call\'s');
    assert.equal(rows.last, 200);
    const again = await readOpencodeDb(db, rows.last);
    assert.equal(again!.lines.flatMap((l) => parser.line(l, 0)).length, 0, 'read again at the watermark: counted once');
    assert.equal(await readOpencodeDb(db, 0, 'no-such-sqlite3-binary'), null, 'no sqlite3: a clear "not available", not a crash');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
