// Crash loop: a polecat whose agent crashes at start is restarted by the town's restart policy up
// to the cap, then marked stuck with one high escalation (inbox, the Mayor's mail, an OS
// notification event); `gt polecat reset` brings it back to work. Escalations: `gt escalate list`
// lists (never creates one titled "list"), ack and close work.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TownClient } from '../../preload/contract.ts';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, EscalationEvent, MailMessage, SlingResult } from '../../preload/requests/work-types.ts';
import type { EscalationInfo, PolecatResetResult } from '../../preload/requests/supervision-types.ts';
import type { SocketClient } from '../../main/cli/socket-client.ts';
import { overseerConnection, startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig } from './town-work-helpers.ts';

let t: TestTown;
let conn: SocketClient;
let api: TownClient;
const events: EscalationEvent[] = [];

before(async () => {
  t = await startTestTown({ tickMs: 300, respawnBaseMs: 100, respawnMaxMs: 400, respawnCap: 3 });
  await addRig(t, 'loop', 'lp', 2);
  conn = await overseerConnection(t);
  api = conn.client;
  api.on('escalation', (e) => events.push(e));
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

test('a polecat crashing at start hits the cap, is stuck with a high escalation; gt polecat reset brings it back', async () => {
  const crash = ['```gt-script', 'fail crashed at start (scripted)', '```'].join('\n');
  const bead = await t.json<Bead>(['bead', 'create', '--rig', 'loop', '-t', 'crashes at start', '-d', crash]);
  const slung = await t.json<SlingResult>(['sling', bead.id, 'loop']);
  const agent = slung.agent!;
  const stuck = await waitFor('the polecat to be stuck', async () => {
    const a = await t.json<AgentInfo>(['agent', 'show', agent]);
    return a.state === 'stuck' ? a : null;
  }, 60_000, 200);
  assert.equal(stuck.history!.respawns, 3, 'three restarts (the cap), then no more');
  assert.equal(stuck.session, null);

  const list = await t.json<EscalationInfo[]>(['escalate', 'list']);
  const esc = list.find((e) => e.source === 'witness' && e.message.includes(agent));
  assert.ok(esc, 'a witness escalation is listed');
  assert.equal(esc.severity, 'high');
  assert.equal(list.filter((e) => e.message.includes(agent)).length, 1, 'raised once, not once per patrol');
  assert.ok(!list.some((e) => /^\[[A-Z]+\] list$/.test(e.title)), 'gt escalate list creates nothing');
  const ev = await waitFor('the escalation event', () => events.find((e) => e.id === esc.id), 10_000);
  assert.equal(ev.notify, true, 'high: an OS notification');
  const mayor = await api.mailInbox({ agent: 'mayor', all: true });
  assert.ok(mayor.some((m) => m.body.includes(esc.id)), 'the Mayor got mail about it');
  const inbox = await t.json<MailMessage[]>(['mail', 'inbox']);
  assert.ok(inbox.some((m) => m.id === esc.id), 'the overseer\'s inbox has it');

  // Nothing more happens while it is stuck.
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await t.json<AgentInfo>(['agent', 'show', agent])).history!.respawns, 3);

  // Fix the bead, then reset: the Witness restarts it and it finishes.
  const good = ['```gt-script', 'write fixed.txt fixed\\n', '```'].join('\n');
  await t.json<Bead>(['bead', 'update', bead.id, '-d', good]);
  const reset = await t.json<PolecatResetResult>(['polecat', 'reset', agent]);
  assert.equal(reset.was, 'stuck');
  assert.equal(reset.hook, bead.id);
  assert.equal(reset.respawnsCleared, 3);
  await waitFor('the bead to close after the reset', async () => (await t.json<Bead>(['bead', 'show', bead.id])).status === 'closed', 60_000, 200);

  // ack and close; bad ids are clear errors.
  const acked = await t.json<EscalationInfo>(['escalate', 'ack', esc.id]);
  assert.equal(acked.status, 'acked');
  assert.equal(acked.ackedBy, 'overseer');
  const closed = await t.json<EscalationInfo>(['escalate', 'close', esc.id, '--reason', 'reset and finished']);
  assert.equal(closed.status, 'closed');
  assert.ok(!(await t.json<EscalationInfo[]>(['escalate', 'list'])).some((e) => e.id === esc.id));
  assert.ok((await t.json<EscalationInfo[]>(['escalate', 'list', '--all'])).some((e) => e.id === esc.id));
  const bad = await t.gt(['escalate', 'ack', bead.id]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not an escalation/);
  const notPolecat = await t.gt(['polecat', 'reset', 'mayor']);
  assert.equal(notPolecat.code, 2);
});

test('escalation routing: low only in the inbox; medium also mails the Mayor; high also notifies', async () => {
  const before = (await api.mailInbox({ agent: 'mayor', all: true })).length;
  const low = await t.json<MailMessage>(['escalate', '--severity', 'low', 'disk getting full']);
  const medium = await t.json<MailMessage>(['escalate', '--severity', 'medium', 'tests flaky on main']);
  const mayor = await api.mailInbox({ agent: 'mayor', all: true });
  assert.equal(mayor.length, before + 1, 'one mail for the medium one only');
  assert.ok(mayor.some((m) => m.body.includes(medium.id)));
  assert.ok(!mayor.some((m) => m.body.includes(low.id)));
  const evLow = await waitFor('low event', () => events.find((e) => e.id === low.id), 10_000);
  const evMed = await waitFor('medium event', () => events.find((e) => e.id === medium.id), 10_000);
  assert.equal(evLow.notify, false);
  assert.equal(evMed.notify, false);
  const listed = await t.gt(['escalate', 'list']);
  assert.equal(listed.code, 0);
  assert.match(listed.stdout, new RegExp(`${medium.id}.*\\[medium\\] tests flaky on main`));
});
