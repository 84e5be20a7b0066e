// The pure parts of cost and controls: prices (unknown is never $0), grouping and burn rates,
// budgets and the dispatch decision, the usage store's recovery from a torn line, --since.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceTable } from '../../main/town/costs/price-table.ts';
import { burnRate, costSeries, groupUsage, totalUsage } from '../../main/town/costs/cost-report.ts';
import { alertDue, budgetStatus, convoyBudgetReached, dispatchBlock } from '../../main/town/costs/budgets.ts';
import { emptyControls } from '../../main/town/costs/controls.ts';
import { UsageStore, type StoredUsage } from '../../main/town/costs/usage-store.ts';
import { parseSince } from '../../main/cli/commands/cost-commands.ts';
import { parseScript } from '../../main/agents/script-runtime/script-parse.ts';
import type { Budget } from '../../preload/requests/cost-types.ts';

const row = (p: Partial<StoredUsage>): StoredUsage => ({
  key: Math.random().toString(36), runtime: 'claude', session: 's', model: 'claude-sonnet-4-5-20250929', at: Date.UTC(2026, 10, 30, 12), input: 0, output: 0, cacheWrite: 0, cacheRead: 0,
  agent: 'app/polecats/nux', rig: 'app', bead: 'ap-abc', convoy: null, ...p,
});

test('prices: dated and dotted model names find their family; an unknown model has no price, not $0', () => {
  const prices = new PriceTable({ 'my-local-model': { input: 1, output: 2, cacheWrite: 0, cacheRead: 0 } });
  assert.deepEqual(prices.priceOf('claude-sonnet-4-5-20250929'), { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 });
  assert.deepEqual(prices.priceOf('claude-sonnet-4.5'), prices.priceOf('claude-sonnet-4-5'));
  assert.equal(prices.priceOf('anthropic/claude-haiku-4-5')?.input, 1);
  assert.equal(prices.priceOf('gpt-5-mini')?.input, 0.25, 'the longest known prefix wins (gpt-5-mini, not gpt-5)');
  assert.equal(prices.priceOf('my-local-model')?.output, 2);
  assert.equal(prices.priceOf('mystery-model'), null);
  assert.equal(prices.costOf('mystery-model', { input: 1e6, output: 0, cacheWrite: 0, cacheRead: 0 }), null);
  assert.equal(prices.costOf('claude-haiku-4-5', { input: 1e6, output: 1e6, cacheWrite: 1e6, cacheRead: 1e6 }), 1 + 5 + 1.25 + 0.1);
});

test('reports: exact tokens, dollars only from priced calls, unknown models named; burn rates over 5 and 60 minutes', () => {
  const prices = new PriceTable();
  const now = Date.UTC(2026, 10, 30, 12);
  const rows = [
    row({ at: now - 60_000, input: 1_000_000 }), // $3 one minute ago
    row({ at: now - 30 * 60_000, output: 100_000, agent: 'app/polecats/max', bead: 'ap-def' }), // $1.5 half an hour ago
    row({ at: now - 2 * 60_000, model: 'mystery', input: 500, agent: 'app/polecats/max' }),
  ];
  const byAgent = groupUsage(rows, 'agent', prices);
  assert.deepEqual(byAgent.map((r) => [r.key, r.cost, r.unpricedTokens]), [['app/polecats/nux', 3, 0], ['app/polecats/max', 1.5, 500]]);
  assert.deepEqual(byAgent[1].unpricedModels, ['mystery']);
  assert.equal(totalUsage(rows, prices).input, 1_000_500);
  assert.equal(groupUsage(rows, 'convoy', prices).length, 0, 'usage outside any convoy is not in the convoy grouping');
  assert.equal(burnRate(rows, prices, now, 5), 36, '$3 in 5 minutes is $36/h');
  assert.equal(burnRate(rows, prices, now, 60), 4.5);
  const series = costSeries(rows, prices, now - 60 * 60_000, now, 15 * 60_000);
  assert.equal(series.length, 4);
  assert.equal(series.reduce((s, p) => s + p.cost, 0), 4.5);
});

test('budgets: warning at 80%, exceeded at 100%, per day from midnight UTC; the dispatch gate', () => {
  const prices = new PriceTable();
  const now = Date.UTC(2026, 10, 30, 12);
  const b: Budget = { id: 'convoy:hq-cv1:total', scope: 'convoy', target: 'hq-cv1', amount: 10, period: 'total' };
  const spend = (dollars: number, at = now) => row({ at, convoy: 'hq-cv1', input: Math.round((dollars / 3) * 1e6) });
  assert.equal(budgetStatus(b, [spend(7.9)], prices, now).state, 'ok');
  assert.equal(budgetStatus(b, [spend(8)], prices, now).state, 'warning');
  assert.equal(budgetStatus(b, [spend(6), spend(4.5)], prices, now).state, 'exceeded');
  const day: Budget = { ...b, id: 'convoy:hq-cv1:day', period: 'day' };
  assert.equal(budgetStatus(day, [spend(9, now - 13 * 3_600_000), spend(1.5)], prices, now).spent, 1.5, 'yesterday does not count today');
  const exceeded = budgetStatus(b, [spend(12)], prices, now);
  const c = emptyControls();
  assert.match(dispatchBlock(c, [exceeded], { rig: 'app', convoy: 'hq-cv1' }) ?? '', /budget convoy:hq-cv1:total reached: \$12\.00 of \$10\.00/);
  assert.equal(dispatchBlock(c, [exceeded], { rig: 'app', convoy: 'hq-other' }), null, 'another convoy is not held');
  assert.equal(dispatchBlock(c, [exceeded], { rig: 'app', convoy: 'hq-cv1', restart: true }), null, 'a hooked bead may restart…');
  assert.ok(dispatchBlock({ ...c, budgetPaused: [b.id] }, [exceeded], { rig: 'app', convoy: 'hq-cv1', restart: true }), '…unless the budget pauses its agents');
  // A bead's convoy is read only when a convoy's budget is reached (the gate's ledger read).
  assert.equal(convoyBudgetReached([budgetStatus(b, [spend(8)], prices, now)]), false, 'a warning holds nothing');
  assert.equal(convoyBudgetReached([budgetStatus({ ...b, id: 'rig:app:total', scope: 'rig', target: 'app' }, [row({ at: now, rig: 'app', input: 4e6 })], prices, now)]), false, 'a rig budget needs no convoy');
  assert.equal(convoyBudgetReached([exceeded]), true);
  assert.match(dispatchBlock({ ...c, parkedRigs: ['app'] }, [], { rig: 'app' }) ?? '', /parked/);
  assert.equal(dispatchBlock({ ...c, parkedRigs: ['app'] }, [], { rig: 'app', restart: true }), null);
  assert.match(dispatchBlock({ ...c, estop: { since: now, by: 'overseer' } }, [], { rig: 'app', restart: true }) ?? '', /e-stop/);
  // Alerts: once per level, again after the budget is changed or a new day begins.
  const warn = budgetStatus(b, [spend(8.5)], prices, now);
  assert.equal(alertDue(warn, undefined, 'total'), 'warning');
  assert.equal(alertDue(warn, { level: 'warning', amount: 10, period: 'total' }, 'total'), null);
  assert.equal(alertDue(exceeded, { level: 'warning', amount: 10, period: 'total' }, 'total'), 'exceeded');
  assert.equal(alertDue(warn, { level: 'exceeded', amount: 10, period: 'total' }, 'total'), null);
  assert.equal(alertDue({ ...warn, amount: 10.5 }, { level: 'warning', amount: 10, period: 'total' }, 'total'), 'warning');
});

test('usage store: a torn last line is skipped and the next append starts on a fresh line; keys stored once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-usage-store-'));
  try {
    const file = join(dir, 'usage.jsonl');
    const clock = { now: () => Date.UTC(2026, 10, 30, 13) }; // an hour after the rows' calls
    const s1 = new UsageStore(file, clock);
    assert.equal(s1.add([row({ key: 'a', input: 1 }), row({ key: 'a', input: 1 })]).length, 1);
    appendFileSync(file, '{"key":"torn","agent":"x","at":1,"inp');
    const s2 = new UsageStore(file, clock);
    assert.equal(s2.damaged, 1);
    assert.equal(s2.recentRows().length, 1);
    assert.equal(s2.add([row({ key: 'a' }), row({ key: 'b', input: 2 })]).length, 1);
    const s3 = new UsageStore(file, clock);
    assert.deepEqual(s3.recentRows().map((r) => r.key), ['a', 'b']);
    assert.equal(s3.damaged, 1);
    assert.ok(readFileSync(file, 'utf8').endsWith('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--since: durations back from now and dates; nonsense is a clear error', () => {
  const now = Date.UTC(2026, 10, 30, 12);
  assert.equal(parseSince('2h', now), now - 7_200_000);
  assert.equal(parseSince('30m', now), now - 1_800_000);
  assert.equal(parseSince('2026-11-29', now), Date.UTC(2026, 10, 29));
  assert.throws(() => parseSince('yesterday-ish', now), /duration/);
});

test('gt-script usage step: exact tokens, optional model; malformed numbers refused', () => {
  assert.deepEqual(parseScript('```gt-script\nusage 1000 20 3 4 claude-haiku-4-5\nusage 5 6\n```'), [
    { op: 'usage', input: 1000, output: 20, cacheWrite: 3, cacheRead: 4, model: 'claude-haiku-4-5', line: 1 },
    { op: 'usage', input: 5, output: 6, cacheWrite: 0, cacheRead: 0, line: 2 },
  ]);
  assert.throws(() => parseScript('```gt-script\nusage ten 2\n```'), /whole numbers/);
});
