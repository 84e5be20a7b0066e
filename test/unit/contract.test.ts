import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BeadIdSchema, isRequestName, parseArgs, REQUEST_NAMES, TownError } from '../../preload/contract.ts';
import { makeClient } from '../../preload/client.ts';

test('bead ids: prefix-base36 with optional child suffixes; anything else is refused', () => {
  for (const ok of ['hq-a1b', 'gt-x9k2m', 'hq-a1b.2', 'hq-a1b.2.10', 'my_rig-abc']) assert.ok(BeadIdSchema.safeParse(ok).success, ok);
  for (const bad of ['', 'hq', 'HQ-abc', 'hq-AB', "hq-a1'; DROP TABLE issues;--", 'hq-a1b.', '-abc', 'hq-ab']) assert.ok(!BeadIdSchema.safeParse(bad).success, bad);
});

test('parseArgs names the field and the rule, as an invalid TownError', () => {
  assert.throws(() => parseArgs('beadCreate', { title: '' }), (e: TownError) => e.code === 'invalid' && /title: title must not be empty/.test(e.message));
  assert.throws(() => parseArgs('beadCreate', { title: 'x'.repeat(501) }), /longer than 500/);
  assert.throws(() => parseArgs('beadCreate', { title: 'ok', priority: 7 }), /priority/);
  assert.throws(() => parseArgs('beadCreate', { title: 'ok', surprise: 1 }), /surprise|Unrecognized/i);
  assert.throws(() => parseArgs('beadShow', { id: 'nope' }), /malformed bead id/);
});

test('parseArgs applies defaults and trims', () => {
  assert.deepEqual(parseArgs('terminalOpen', {}), { cols: 80, rows: 24 });
  assert.equal(parseArgs('beadCreate', { title: '  hello  ' }).title, 'hello');
});

test('unknown request names are not request names', () => {
  assert.equal(isRequestName('beadCreate'), true);
  assert.equal(isRequestName('constructor'), false);
  assert.equal(isRequestName('__proto__'), false);
});

test('TownError survives a JSON round trip with its code', () => {
  const back = TownError.from(JSON.parse(JSON.stringify(new TownError('not_found', 'no bead hq-abc'))));
  assert.equal(back.code, 'not_found');
  assert.equal(back.message, 'no bead hq-abc');
  assert.equal(TownError.from(new Error('boom')).code, 'internal');
});

test('makeClient derives one method per contract request and routes events', async () => {
  const calls: Array<[string, unknown]> = [];
  const subscribed: string[] = [];
  const { client, emit } = makeClient({
    call: async (name, args) => {
      calls.push([name, args]);
      return name;
    },
    subscribe: (e) => subscribed.push(e),
  });
  for (const name of REQUEST_NAMES) assert.equal(typeof (client as unknown as Record<string, unknown>)[name], 'function', name);
  assert.equal(await client.beadShow({ id: 'hq-abc' }), 'beadShow');
  assert.deepEqual(calls, [['beadShow', { id: 'hq-abc' }]]);

  const seen: string[] = [];
  const off = client.on('terminalExit', (e) => seen.push(e.id));
  assert.deepEqual(subscribed, ['terminalExit']);
  emit('terminalExit', { id: 't1', exitCode: 0, signal: null, reason: 'exited' });
  off();
  emit('terminalExit', { id: 't2', exitCode: 0, signal: null, reason: 'exited' });
  assert.deepEqual(seen, ['t1']);
});
