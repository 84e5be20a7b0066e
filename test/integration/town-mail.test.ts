// Mail and nudge round trips between two agents (crew members in real shells, typing the real `gt`
// inside their terminals with their own per-agent tokens), an escalation reaching the user's inbox
// and the TownApi event stream, and an agent refused when it claims another agent's identity.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TownClient } from '../../preload/contract.ts';
import type { AgentInfo, EscalationEvent, MailMessage } from '../../preload/requests/work-types.ts';
import { connectToTown, type SocketClient } from '../../main/cli/socket-client.ts';
import { agentToken } from '../../main/town/sessions/agent-token.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig } from './town-work-helpers.ts';

let t: TestTown;
let conn: SocketClient;
let api: TownClient;
let token: string;
const ALICE = 'post/crew/alice';
const BOB = 'post/crew/bob';

before(async () => {
  t = await startTestTown({ tickMs: 500 });
  await addRig(t, 'post', 'po', 2);
  token = (JSON.parse(readFileSync(join(t.dir, 'secrets.json'), 'utf8')) as { apiToken: string }).apiToken;
  conn = await connectToTown(join(t.dir, '.runtime', 'gt.sock'), token, 'overseer', t.dir);
  api = conn.client;
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

async function shellOf(name: string): Promise<{ terminal: string; workdir: string }> {
  const added = await t.json<AgentInfo>(['crew', 'add', name, 'post']);
  const started = await t.json<{ terminal: string }>(['crew', 'start', name, 'post', '--runtime', 'shell']);
  return { terminal: started.terminal, workdir: added.workdir! };
}

/** Types a command line into an agent's shell, as its human would. */
async function type(terminal: string, line: string): Promise<void> {
  await api.terminalWrite({ id: terminal, data: `${line}\r` });
}

test('mail round trip and nudge between two agents; escalation reaches the inbox and the event stream', async () => {
  const alice = await shellOf('alice');
  const bob = await shellOf('bob');
  const escalations: EscalationEvent[] = [];
  api.on('escalation', (e) => escalations.push(e));
  await new Promise((r) => setTimeout(r, 1000)); // shells print their prompt

  await type(alice.terminal, `gt mail send ${BOB} -s "hello bob" -m "ping from alice"`);
  const got = await waitFor('bob to receive mail', async () => (await api.mailInbox({ agent: BOB })).find((m) => m.subject === 'hello bob'), 30_000, 200);
  assert.equal(got.from, ALICE, 'the sender is the agent whose terminal typed it');
  assert.equal(got.body, 'ping from alice');
  assert.equal(got.read, false);

  await type(bob.terminal, `gt mail read ${got.id} > read.txt && gt mail reply ${got.id} -m "pong from bob"`);
  const reply = await waitFor('alice to receive the reply', async () => (await api.mailInbox({ agent: ALICE })).find((m) => m.replyTo === got.id), 30_000, 200);
  assert.equal(reply.from, BOB);
  assert.equal(reply.subject, 'Re: hello bob');
  assert.equal(reply.body, 'pong from bob');
  assert.match(readFileSync(join(bob.workdir, 'read.txt'), 'utf8'), /ping from alice/);
  const bobAll: MailMessage[] = await api.mailInbox({ agent: BOB, all: true });
  assert.equal(bobAll.find((m) => m.id === got.id)?.read, true, 'reading marked it read');
  assert.equal((await api.mailInbox({ agent: BOB })).length, 0, 'nothing unread left for bob');

  // Nudge: alice's gt nudge types into bob's idle shell, which runs it; alice learns it arrived.
  await type(alice.terminal, `gt nudge ${BOB} "touch nudged.txt" > nudge-out.txt 2>&1`);
  await waitFor('the nudge to be typed and run in bob\'s shell', () => existsSync(join(bob.workdir, 'nudged.txt')), 30_000, 200);
  const out = await waitFor('alice\'s nudge result', () => existsSync(join(alice.workdir, 'nudge-out.txt')) && readFileSync(join(alice.workdir, 'nudge-out.txt'), 'utf8'), 30_000, 200);
  await waitFor('the nudge command to finish', () => /nudged|not delivered/.test(readFileSync(join(alice.workdir, 'nudge-out.txt'), 'utf8')), 30_000, 200);
  assert.match(readFileSync(join(alice.workdir, 'nudge-out.txt'), 'utf8'), new RegExp(`nudged ${BOB} \\(it was (idle|waiting-for-input|quiet)\\)`), String(out));

  // Escalation from alice: a bead in the overseer's inbox, and an event on the TownApi.
  await type(alice.terminal, 'gt escalate --severity high "the build server is on fire"');
  const esc = await waitFor('the escalation in the inbox', async () => (await t.json<MailMessage[]>(['mail', 'inbox'])).find((m) => m.kind === 'escalation'), 30_000, 200);
  assert.equal(esc.severity, 'high');
  assert.equal(esc.from, ALICE);
  assert.match(esc.subject, /\[HIGH\] the build server is on fire/);
  await waitFor('the escalation event', () => escalations.find((e) => e.id === esc.id), 10_000);
  assert.equal((await t.json<MailMessage>(['mail', 'read', esc.id])).read, true);
});

test('an agent cannot speak as another agent: its token only works for itself', async () => {
  const aliceToken = agentToken(token, ALICE);
  const asBob = await t.gt(['mail', 'inbox'], { GT_AGENT: BOB, GT_SOCKET_TOKEN: aliceToken });
  assert.equal(asBob.code, 1);
  assert.match(asBob.stderr, /unauthorized/);
  const asAlice = await t.gt(['mail', 'inbox', '--json'], { GT_AGENT: ALICE, GT_SOCKET_TOKEN: aliceToken });
  assert.equal(asAlice.code, 0, asAlice.stderr);
  // Mail to nobody, and reading someone else's mail, are refused.
  const nobody = await t.gt(['mail', 'send', 'post/crew/nobody', '-s', 'x'], { GT_AGENT: ALICE, GT_SOCKET_TOKEN: aliceToken });
  assert.match(nobody.stderr, /no agent post\/crew\/nobody/);
  const bobMail = (await api.mailInbox({ agent: BOB, all: true }))[0];
  const steal = await t.gt(['mail', 'read', bobMail.id], { GT_AGENT: ALICE, GT_SOCKET_TOKEN: aliceToken });
  assert.match(steal.stderr, /addressed to post\/crew\/bob/);
});
