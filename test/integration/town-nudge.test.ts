// Nudges wait for the right moment: a nudge to an agent in the middle of a command is queued and
// typed only once the agent is idle again, intact and in order; a caller whose --timeout passes
// first is told it is queued (exit 4), and that nudge is still typed later. Real town, real Dolt,
// the Mayor running a real shell in a real PTY.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TownClient } from '../../preload/contract.ts';
import type { AgentStatusEvent, NudgeResult } from '../../preload/requests/work-types.ts';
import type { SocketClient } from '../../main/cli/socket-client.ts';
import { overseerConnection, startTestTown, waitFor, type TestTown } from './town-fixture.ts';

let t: TestTown;
let conn: SocketClient;
let api: TownClient;
let terminal: string;
const statuses: AgentStatusEvent[] = [];

before(async () => {
  t = await startTestTown({ tickMs: 500 });
  conn = await overseerConnection(t);
  api = conn.client;
  api.on('agentStatus', (e) => statuses.push(e));
  terminal = (await t.json<{ terminal: string }>(['mayor', '--runtime', 'shell'])).terminal;
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

const transcript = (): string => readFileSync(join(t.dir, 'transcripts', `${terminal}.log`), 'utf8');
const mayorState = (): string | undefined => statuses.filter((s) => s.agent === 'mayor').at(-1)?.state;

test('a nudge to a working agent is typed only once it is idle, intact; a timed-out caller hears "queued" and it still arrives, in order', async () => {
  await waitFor('the Mayor\'s shell to be idle at its prompt', () => mayorState() === 'idle', 30_000);
  await api.terminalWrite({ id: terminal, data: 'sleep 3; echo done-$((2+3))\r' });
  await waitFor('the Mayor to be working', () => mayorState() === 'working', 10_000);

  // Two nudges while it works: the first waits for its delivery, the second gives up waiting after 1 s.
  const first = t.json<NudgeResult>(['nudge', 'mayor', 'echo', 'first-nudge:', 'intact', 'text', 'ünïcode', '--timeout', '30']);
  await new Promise((r) => setTimeout(r, 300));
  const second = await t.gt(['nudge', 'mayor', 'echo second-nudge-$((3*3))', '--timeout', '1']);
  assert.equal(second.code, 4, `queued, not delivered yet: ${second.stdout}${second.stderr}`);
  assert.match(second.stdout, /queued, not delivered yet: mayor has been busy for 1 s; it will be typed when mayor is idle \(position 2 in its queue\)/);
  assert.doesNotMatch(transcript(), /first-nudge/, 'nothing typed while the command runs');

  const r = await first;
  assert.deepEqual({ delivered: r.delivered, when: r.when, queued: r.queued }, { delivered: true, when: 'idle', queued: false });
  // The second nudge, whose caller stopped waiting, is typed at the next idle moment after the first.
  await waitFor('the queued second nudge to run', () => transcript().includes('second-nudge-9'), 30_000, 200);

  const out = transcript();
  const done = out.indexOf('done-5');
  const typedFirst = out.indexOf('echo first-nudge: intact text ünïcode');
  const typedSecond = out.indexOf('echo second-nudge-$((3*3))');
  assert.ok(done > 0, 'the command finished');
  assert.ok(typedFirst > done, 'the first nudge was typed after the command\'s output, not in the middle of it');
  assert.ok(typedSecond > out.indexOf('first-nudge: intact text', typedFirst + 10), 'the second after the first had run');
});

test('bad input: no session, nothing printable, a bad timeout', async () => {
  const none = await t.gt(['nudge', 'nowhere/crew/nobody', 'hello']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /nowhere\/crew\/nobody has no running session to nudge/);
  const blank = await t.gt(['nudge', 'mayor', '\x01\x02']);
  assert.equal(blank.code, 2);
  assert.match(blank.stderr, /nothing printable/);
  const badTimeout = await t.gt(['nudge', 'mayor', 'hi', '--timeout', 'soon']);
  assert.equal(badTimeout.code, 2);
  assert.match(badTimeout.stderr, /--timeout must be a number of seconds from 0 to 600/);
});
