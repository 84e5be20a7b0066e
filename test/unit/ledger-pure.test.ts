// Pure ledger logic: id lengths and shapes, time conversions, JSON lists read from the server, JSONL
// line validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashId, hashLengthFor, idCandidates, prefixOf } from '../../main/ledger/bead-ids.ts';
import { inCreationOrder, isoTime, parseJsonList, rowLabels, sqlTime, type IssueRow } from '../../main/ledger/bead-rows.ts';
import { parseJsonl } from '../../main/ledger/jsonl.ts';
import { BeadCreateInputSchema, validate } from '../../main/ledger/ledger-schemas.ts';
import { TownError } from '../../preload/contract.ts';

test('id length grows with the number of beads (beads thresholds)', () => {
  assert.equal(hashLengthFor(0), 3);
  assert.equal(hashLengthFor(163), 3);
  assert.equal(hashLengthFor(164), 4);
  assert.equal(hashLengthFor(983), 4);
  assert.equal(hashLengthFor(5_898), 5);
  assert.equal(hashLengthFor(35_389), 6);
  assert.equal(hashLengthFor(212_339), 7);
  assert.equal(hashLengthFor(10_000_000), 8);
});

test('ids are <prefix>-<base36> of the right length, and differ per call', () => {
  const seed = { title: 't', description: '', creator: 'mayor', nonce: 0 };
  for (const L of [3, 4, 5, 6, 7, 8]) assert.match(hashId('hq', L, seed), new RegExp(`^hq-[0-9a-z]{${L}}$`));
  const ids = new Set(Array.from({ length: 50 }, () => hashId('gt', 8, seed)));
  assert.ok(ids.size > 45);
  const c = [...idCandidates('hq', 200, { title: 't', description: '', creator: 'x' })];
  assert.equal(c.length, 50); // lengths 4..8, 10 nonces each
  assert.equal(prefixOf('my_rig-abc.1.2'), 'my_rig');
});

test('times round-trip between ISO and the stored UTC datetime', () => {
  assert.equal(sqlTime('2026-03-04T05:06:07.089+02:00'), '2026-03-04 03:06:07.089');
  assert.equal(isoTime('2026-03-04 03:06:07.089'), '2026-03-04T03:06:07.089Z');
  assert.equal(isoTime('2026-03-04 03:06:07'), '2026-03-04T03:06:07.000Z');
});

test('JSON lists from the server: raw control characters, none, the outer join\'s [null], sorted labels', () => {
  // Dolt 1.88 escapes \b \t \n \r but writes other control characters raw.
  assert.deepEqual(parseJsonList('["a\u0001b", "esc\u001b[31m", "nl\\nx", "q\\"x"]'), ['a\u0001b', 'esc\u001b[31m', 'nl\nx', 'q"x']);
  assert.deepEqual(parseJsonList(null), []);
  assert.deepEqual(parseJsonList('[]'), []);
  assert.deepEqual(parseJsonList(['parsed']), ['parsed'], 'a list the driver already parsed');
  assert.throws(() => parseJsonList('{"a": 1}'), /not a JSON list/);
  const row = (labels: unknown) => ({ labels }) as unknown as IssueRow;
  assert.deepEqual(rowLabels(row('[null]')), [], 'a bead with no label row');
  assert.deepEqual(rowLabels(row(undefined)), []);
  assert.deepEqual(rowLabels(row('["b", "a", "123"]')), ['b', 'a', '123'], 'strings as they come (rowToBead sorts)');
});

test('dependencies and comments in the order ORDER BY created_at, id gives', () => {
  const rows = [
    { id: 'b', created_at: '2026-01-01 00:00:01.000000' },
    { id: 'c', created_at: '2026-01-01 00:00:00.5' },
    { id: 'a', created_at: '2026-01-01 00:00:01' },
    { id: 'z', created_at: null },
  ];
  assert.deepEqual(inCreationOrder(rows).map((r) => r.id), ['z', 'c', 'a', 'b'], 'NULL first, then time, then id');
});

test('create input: trims, rejects empty/huge titles and bad metadata', () => {
  assert.equal(validate(BeadCreateInputSchema, { title: '  x  ' }, 'create').title, 'x');
  assert.deepEqual(validate(BeadCreateInputSchema, { title: 'x', metadata: '{"a":1}' }, 'create').metadata, { a: 1 });
  for (const bad of [{ title: '' }, { title: 'x'.repeat(501) }, { title: 'x', metadata: '[1' }, { title: 'x', priority: 5 }, { title: 'x', bogus: 1 }]) {
    assert.throws(() => validate(BeadCreateInputSchema, bad, 'create'), (e: unknown) => e instanceof TownError && e.code === 'invalid');
  }
});

test('JSONL: header and memory lines skipped, errors carry the line number', () => {
  const ok = [
    '{"_schema":"beads-jsonl/1"}',
    '{"_type":"issue","id":"bd-a1b","title":"one","status":"open","priority":0,"issue_type":"task","created_at":"2026-01-01T00:00:00Z","labels":["x"],"dependencies":[{"issue_id":"bd-a1b","depends_on_id":"bd-c2d","type":"blocks"}]}',
    '',
    '{"_type":"memory","key":"k","value":"v"}',
    '{"id":"bd-c2d","title":"two","created_at":"2026-01-01T00:00:00Z","comments":[{"id":7,"author":"a","text":"t","created_at":"2026-01-01T00:00:00Z"}]}',
  ].join('\n');
  const r = parseJsonl(ok);
  assert.equal(r.issues.length, 2);
  assert.equal(r.skipped, 2);
  assert.equal(r.issues[1].line, 5);
  const bad = (text: string, re: RegExp) => assert.throws(() => parseJsonl(text), (e: unknown) => e instanceof TownError && re.test(e.message));
  bad('{"id":"bd-a1b","title":"x","created_at":"2026-01-01T00:00:00Z"}\n{oops', /line 2: not valid JSON/);
  bad('{"id":"BAD ID","title":"x","created_at":"2026-01-01T00:00:00Z"}', /line 1: id: malformed bead id/);
  bad('{"id":"bd-a1b","title":"x","created_at":"yesterday"}', /line 1: created_at/);
  bad('{"id":"bd-a1b","title":"x","created_at":"2026-01-01T00:00:00Z"}\n{"id":"bd-a1b","title":"y","created_at":"2026-01-01T00:00:00Z"}', /line 2: duplicate bead bd-a1b \(first on line 1\)/);
  bad('{"id":"bd-a1b","title":"x","created_at":"2026-01-01T00:00:00Z","metadata":"{nope"}', /line 1: metadata/);
  bad('[1,2]', /line 1: expected a JSON object/);
});
