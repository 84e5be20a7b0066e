// The Deacon's care for work and the Mayor, on a real town (`gt up` as a process, real Dolt, PTY
// host, git, scripted agents): the Mayor kept up when configured (its session killed → started
// again); the work of a stuck polecat re-dispatched to another polecat after the cooldown, at most
// `redispatchCap` times, and then the Mayor is mailed once and the bead left where it is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TownClient } from '../../preload/contract.ts';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, MailMessage, SlingResult } from '../../preload/requests/work-types.ts';
import type { SupervisionEvent } from '../../preload/requests/supervision-types.ts';
import type { SocketClient } from '../../main/cli/socket-client.ts';
import { overseerConnection, startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig } from './town-work-helpers.ts';

let t: TestTown;
let conn: SocketClient;
let api: TownClient;
const events: SupervisionEvent[] = [];

before(async () => {
  t = await startTestTown(
    { tickMs: 300, respawnBaseMs: 100, respawnMaxMs: 300, respawnCap: 1, runtimes: { roles: { mayor: 'shell' } } },
    { witnessPatrolMs: 200, deaconPatrolMs: 300, bootIntervalMs: 1_000, deaconStaleMs: 3_000, keepMayor: true, redispatchCooldownMs: 0, redispatchCap: 1, announceMail: false },
  );
  await addRig(t, 'care', 'ca', 3);
  conn = await overseerConnection(t);
  api = conn.client;
  api.on('supervision', (e) => events.push(e));
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

test('keepMayor: the Deacon starts the Mayor, and starts it again when its session dies', async () => {
  const first = await waitFor('the Deacon to start the Mayor', async () => (await t.json<AgentInfo>(['agent', 'show', 'mayor']).catch(() => null))?.session ?? null, 30_000, 200);
  process.kill(first.pid, 'SIGKILL');
  const second = await waitFor('a new Mayor session', async () => {
    const s = (await t.json<AgentInfo>(['agent', 'show', 'mayor'])).session;
    return s && s.terminal !== first.terminal ? s : null;
  }, 30_000, 200);
  assert.notEqual(second.pid, first.pid);
  // (The first start may come before this test subscribed; the restart comes after.)
  const restart = await waitFor('the restart\'s mayor-started event', () => events.find((e) => e.kind === 'mayor-started' && e.message.includes(second.terminal)), 10_000);
  assert.equal(restart.by, 'deacon', 'the Deacon restarted it');
});

test('a stuck polecat\'s work goes to another polecat; past the cap the Mayor is mailed once', async () => {
  const crash = ['```gt-script', 'fail crashed at start (scripted)', '```'].join('\n');
  const bead = await t.json<Bead>(['bead', 'create', '--rig', 'care', '-t', 'always crashes', '-d', crash]);
  const first = (await t.json<SlingResult>(['sling', bead.id, 'care'])).agent!;
  await waitFor('the first polecat to be stuck', async () => (await t.json<AgentInfo>(['agent', 'show', first])).state === 'stuck', 60_000, 200);

  const moved = await waitFor('the re-dispatch to another polecat', async () => {
    const b = await t.json<Bead>(['bead', 'show', bead.id]);
    return b.assignee && b.assignee !== first ? b : null;
  }, 60_000, 200);
  const second = moved.assignee!;
  assert.match(second, /^care\/polecats\//);
  const firstNow = await t.json<AgentInfo>(['agent', 'show', first]);
  assert.equal(firstNow.state, 'stuck', 'the first stays stuck until someone resets it');
  assert.equal(firstNow.hook, null, 'and no longer holds the bead');
  assert.ok(events.some((e) => e.kind === 'redispatched' && e.bead === bead.id && e.agent === first));

  // The second crashes too: the cap (1) is reached, so the Mayor is mailed, once, and the bead stays.
  await waitFor('the second polecat to be stuck', async () => (await t.json<AgentInfo>(['agent', 'show', second])).state === 'stuck', 60_000, 200);
  const mail = await waitFor('mail to the Mayor', async () => {
    const inbox = await api.mailInbox({ agent: 'mayor', all: true });
    return inbox.find((m: MailMessage) => m.subject.includes('Work keeps failing') && m.subject.includes(bead.id)) ?? null;
  }, 60_000, 200);
  assert.match(mail.body, /re-dispatched 1 times/);
  await new Promise((r) => setTimeout(r, 1_500)); // several patrols
  const inbox = await api.mailInbox({ agent: 'mayor', all: true });
  assert.equal(inbox.filter((m: MailMessage) => m.subject.includes('Work keeps failing') && m.subject.includes(bead.id)).length, 1, 'mailed once');
  const after = await t.json<Bead>(['bead', 'show', bead.id]);
  assert.equal(after.assignee, second, 'left with the second polecat');
});
