// The watchers watched, on a real Town (in-process, real Dolt and PTY host): the Deacon's loop
// killed → Boot restarts it; the Deacon hung → Boot restarts it; Boot killed → the town restarts
// it. The Deacon's heartbeat lives in the ephemeral rows (no commit). It returns work hooked to an
// agent that no longer exists, and raises an unacknowledged escalation again, twice at most.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName, TownEvents } from '../../preload/contract.ts';
import type { EscalationEvent, MailMessage } from '../../preload/requests/work-types.ts';
import { Town } from '../../main/town/town.ts';
import { gt, tempTownDir, waitFor } from '../helpers/gt.ts';

const RERAISE_MS = 1_500;
let town: Town;
let cleanup: () => void;
const escalations: EscalationEvent[] = [];
const ctx = { actor: 'overseer', transport: 'in-process' as const, consumer: 'test' };

before(async () => {
  const t = tempTownDir();
  cleanup = t.cleanup;
  const init = await gt(['init'], { town: t.dir });
  assert.equal(init.code, 0, init.stderr);
  mkdirSync(join(t.dir, 'settings'), { recursive: true });
  writeFileSync(join(t.dir, 'settings', 'supervision.json'), JSON.stringify({ deaconPatrolMs: 200, bootIntervalMs: 300, deaconStaleMs: 1_200, escalationReraiseMs: RERAISE_MS }));
  town = await Town.start({ dir: t.dir });
  town.onEvent(<E extends EventName>(name: E, payload: TownEvents[E]) => {
    if (name === 'escalation') escalations.push(payload as EscalationEvent);
  });
});
after(async () => {
  await town?.stop();
  cleanup?.();
});

test('the Deacon beats in the ephemeral rows, without commits', async () => {
  await waitFor('a few patrols', () => town.supervision.deacon.patrols >= 3, 20_000);
  const hb = await town.ledger.getEphemeral('supervision', 'deacon');
  assert.ok(hb && (hb.value as { patrols: number }).patrols >= 1);
  const [rows] = await town.ledger.pool.query("SELECT COUNT(*) AS n FROM dolt_log WHERE message LIKE '%deacon%'");
  assert.equal((rows as Array<{ n: number }>)[0].n, 0, 'no commit for the heartbeat');
});

test('the Deacon\'s loop killed → Boot restarts it; hung → Boot restarts it', async () => {
  const first = town.supervision.deacon;
  first.killForTest();
  await waitFor('Boot to restart the dead Deacon', () => town.supervision.health().deacon.restarts === 1 && town.supervision.deacon !== first, 20_000);
  await waitFor('the new Deacon to patrol', () => town.supervision.deacon.patrols >= 1, 20_000);
  const second = town.supervision.deacon;
  second.hangForTest();
  await waitFor('Boot to restart the hung Deacon', () => town.supervision.health().deacon.restarts === 2 && town.supervision.deacon !== second, 20_000);
  await waitFor('the third Deacon to patrol', () => town.supervision.deacon.patrols >= 1, 20_000);
  assert.ok(town.supervision.health().deacon.alive);
});

test('Boot killed → the town restarts it', async () => {
  const boot = town.supervision.boot;
  boot.killForTest();
  assert.equal(town.supervision.health().boot.alive, false);
  await waitFor('the town to restart Boot', () => town.supervision.health().boot.restarts === 1 && town.supervision.boot !== boot && town.supervision.boot.alive, 20_000);
  // The new Boot still guards the Deacon.
  const d = town.supervision.deacon;
  d.killForTest();
  await waitFor('the new Boot to restart the Deacon', () => town.supervision.deacon !== d, 20_000);
});

test('work hooked to an agent that no longer exists goes back to open', async () => {
  const b = await town.ledger.create({ title: 'orphaned work', prefix: 'hq' }, 'overseer');
  await town.ledger.update(b.id, { status: 'hooked', assignee: 'gone/polecats/ghost' }, 'overseer');
  await waitFor('the Deacon to return it', async () => (await town.ledger.show(b.id)).status === 'open', 20_000, 200);
  assert.equal((await town.ledger.show(b.id)).assignee, null);
});

test('an unacknowledged escalation comes back after the interval, twice at most; an acknowledged one never', async () => {
  const mine = (id: string) => escalations.filter((e) => e.id === id);
  const esc = await town.call('escalate', { severity: 'medium', message: 'nobody looks at me' }, ctx) as MailMessage;
  const acked = await town.call('escalate', { severity: 'medium', message: 'I was seen' }, ctx) as MailMessage;
  await town.call('escalationAck', { id: acked.id }, ctx);
  await waitFor('the second re-raise', () => mine(esc.id).some((e) => e.reraised === 2), 30_000, 100);
  const raised = mine(esc.id);
  assert.deepEqual(raised.map((e) => e.reraised), [0, 1, 2]);
  // Interval respected (no assertion on an upper bound: the machine is shared).
  await new Promise((r) => setTimeout(r, RERAISE_MS * 2.5));
  assert.equal(mine(esc.id).length, 3, 'never a third time');
  assert.deepEqual(mine(acked.id).map((e) => e.reraised), [0], 'acknowledged: never again');
  const mayor = await town.call('mailInbox', { agent: 'mayor', all: true }, ctx) as MailMessage[];
  assert.equal(mayor.filter((m) => m.body.includes(esc.id)).length, 3, 'the Mayor is told each time');
});
