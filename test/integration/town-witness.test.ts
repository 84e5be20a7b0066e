// The Witness's cases with short thresholds, on the scripted runtime through `gt up`: idle with work
// hooked (nudged, then it finishes), waiting for input (an escalation in the inbox, notified), a
// folder-trust dialog for its own worktree (accepted, logged, it finishes), stalled (nudged, then
// restarted), GUPP violation (nudged with the hook, then escalated). Each is detected no earlier
// than its threshold.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TownClient } from '../../preload/contract.ts';
import type { Bead } from '../../preload/types.ts';
import type { AgentInfo, SlingResult } from '../../preload/requests/work-types.ts';
import type { EscalationInfo, SupervisionEvent } from '../../preload/requests/supervision-types.ts';
import type { SocketClient } from '../../main/cli/socket-client.ts';
import { overseerConnection, startTestTown, waitFor, type TestTown } from './town-fixture.ts';
import { addRig } from './town-work-helpers.ts';

const STALLED_MS = 5_000;
const GUPP_MS = 8_000;
const IDLE_MS = 1_000;
let t: TestTown;
let conn: SocketClient;
let api: TownClient;
const events: SupervisionEvent[] = [];

before(async () => {
  // `reader`: an agent CLI stand-in that reads what is typed to it (a plain shell gets no announcements).
  // It shows a prompt when it waits for a line, so its status becomes idle and queued nudges are typed.
  const reader = { name: 'reader', label: 'Reader', kind: 'llm', command: '/bin/sh', args: ['-c', 'while printf "reader> "; IFS= read -r line; do echo "read: $line"; done'], firstInstructions: 'self', patterns: { idle: ['^reader> $'] } };
  t = await startTestTown({ tickMs: 300, respawnBaseMs: 100, maxPolecats: 8, runtimes: { custom: [reader] } }, {
    witnessPatrolMs: 200, stalledMs: STALLED_MS, guppMs: GUPP_MS, idleMs: IDLE_MS, deaconPatrolMs: 300, bootIntervalMs: 1_000, deaconStaleMs: 3_000,
  });
  await addRig(t, 'watch', 'wa', 6);
  conn = await overseerConnection(t);
  api = conn.client;
  api.on('supervision', (e) => events.push(e));
});
after(async () => {
  conn?.close();
  await t?.cleanup();
});

async function slingScript(title: string, lines: string[]): Promise<{ bead: Bead; agent: string; startedAt: number }> {
  const bead = await t.json<Bead>(['bead', 'create', '--rig', 'watch', '-t', title, '-d', ['```gt-script', ...lines, '```'].join('\n')]);
  const slung = await t.json<SlingResult>(['sling', bead.id, 'watch']);
  const a = await waitFor('its session', async () => (await t.json<AgentInfo>(['agent', 'show', slung.agent!])).session, 20_000);
  return { bead, agent: slung.agent!, startedAt: Date.parse(a.startedAt) };
}

// By bead, not agent: an idle polecat is reused for the next bead.
const eventOf = (bead: Bead, kind: SupervisionEvent['kind']) => () => events.find((e) => e.bead === bead.id && e.kind === kind);
const closed = (id: string) => async () => (await t.json<Bead>(['bead', 'show', id])).status === 'closed';

test('idle with work hooked: nudged to run its hook, and it finishes', async () => {
  const { bead } = await slingScript('sits at its prompt', ['idle', 'write idle.txt done\\n']);
  const ev = await waitFor('an idle nudge', eventOf(bead, 'idle-nudge'), 30_000);
  assert.match(ev.message, new RegExp(bead.id));
  await waitFor('the bead to close after the nudge', closed(bead.id), 30_000, 200);
});

test('a folder-trust dialog for its own worktree is accepted (and logged); a question is reported', async () => {
  const trust = await slingScript('trust dialog at start', ['trust', 'write trusted.txt ok\\n']);
  const accepted = await waitFor('the dialog accepted', eventOf(trust.bead, 'dialog-accepted'), 30_000);
  assert.match(accepted.message, /folder-trust dialog/);
  await waitFor('the trusting bead to close', closed(trust.bead.id), 30_000, 200);
  assert.match(t.town.output(), /accepted the folder-trust dialog .*decision/);

  const ask = await slingScript('asks a question', ['ask Deploy to production?']);
  const waiting = await waitFor('the question reported', eventOf(ask.bead, 'waiting'), 30_000);
  assert.match(waiting.message, /Deploy to production\?/);
  const esc = (await t.json<EscalationInfo[]>(['escalate', 'list'])).find((e) => e.source === 'witness' && e.message.includes(ask.bead.id) && /waiting for input/.test(e.message));
  assert.ok(esc, 'the question is in the inbox as an escalation');
  assert.equal(esc.severity, 'high', 'high: notified');
  assert.ok(!events.some((e) => e.bead === ask.bead.id && e.kind === 'dialog-accepted'), 'a question is never answered for the human');
  await t.gt(['polecat', 'remove', ask.agent, '--force']);
});

test('stalled: no output → nudge after the threshold, then a restart', async () => {
  const { bead, agent, startedAt } = await slingScript('hangs silently', ['hang']);
  const nudge = await waitFor('a stalled nudge', eventOf(bead, 'stalled-nudge'), 40_000);
  assert.ok(nudge.at - startedAt >= STALLED_MS, 'not before the threshold');
  const first = (await t.json<AgentInfo>(['agent', 'show', agent])).session!;
  const restart = await waitFor('a stalled restart', eventOf(bead, 'stalled-restart'), 40_000);
  assert.ok(restart.at - nudge.at >= STALLED_MS);
  const second = await waitFor('a new session', async () => {
    const s = (await t.json<AgentInfo>(['agent', 'show', agent])).session;
    return s && s.terminal !== first.terminal ? s : null;
  }, 30_000, 200);
  assert.notEqual(second.terminal, first.terminal);
  await t.gt(['polecat', 'remove', agent, '--force']);
});

test('GUPP violation: busy but the bead never moves → nudge with the hook, then an escalation', async () => {
  const { bead, agent, startedAt } = await slingScript('busy forever', ['run while true; do echo tick; sleep 0.3; done']);
  const nudge = await waitFor('a GUPP nudge', eventOf(bead, 'gupp-nudge'), 40_000);
  assert.ok(nudge.at - startedAt >= GUPP_MS, 'not before the threshold');
  assert.ok(!events.some((e) => e.bead === bead.id && e.kind === 'stalled-nudge'), 'it prints: not stalled');
  await waitFor('a GUPP escalation', eventOf(bead, 'gupp-escalation'), 40_000);
  const esc = (await t.json<EscalationInfo[]>(['escalate', 'list'])).find((e) => e.message.includes(agent) && e.message.includes(bead.id));
  assert.ok(esc);
  assert.equal(esc.severity, 'medium');
  await t.gt(['polecat', 'remove', agent, '--force']);
});

test('new mail for a running agent is announced in its terminal', async () => {
  await t.json(['crew', 'add', 'reader', 'watch']);
  await t.json(['crew', 'start', 'reader', 'watch', '--runtime', 'reader']);
  await t.json(['crew', 'add', 'sleeper', 'watch']);
  const m = await t.json<{ id: string }>(['mail', 'send', 'watch/crew/reader', '-s', 'lunch at noon', '-m', 'bring bread']);
  await t.json(['mail', 'send', 'watch/crew/sleeper', '-s', 'no session', '-m', 'read me later']);
  const ev = await waitFor('the announcement', () => events.find((e) => e.kind === 'mail-announced' && e.message.includes(m.id)), 30_000, 100);
  assert.equal(ev.agent, 'watch/crew/reader');
  // On its screen: the reader's terminal shows the announcement (its transcript is what the PTY printed).
  const reader = await t.json<AgentInfo>(['agent', 'show', 'watch/crew/reader']);
  const transcript = join(t.dir, 'transcripts', `${reader.session!.terminal}.log`);
  await waitFor('the announcement on the reader\'s screen', () => {
    try {
      return readFileSync(transcript, 'utf8').includes(`read: You have new mail`) && readFileSync(transcript, 'utf8').includes(`gt mail read ${m.id}`);
    } catch {
      return false;
    }
  }, 30_000, 100);
  await new Promise((r) => setTimeout(r, 1_000));
  assert.ok(!events.some((e) => e.kind === 'mail-announced' && e.agent === 'watch/crew/sleeper'), 'an agent without a session reads it at its next prime');
  // A plain shell (a human's terminal) is not typed into.
  await t.json(['crew', 'add', 'human', 'watch']);
  await t.json(['crew', 'start', 'human', 'watch', '--runtime', 'shell']);
  const toShell = await t.json<{ id: string }>(['mail', 'send', 'watch/crew/human', '-s', 'fyi', '-m', 'no typing']);
  const after = await t.json<{ id: string }>(['mail', 'send', 'watch/crew/reader', '-s', 'second', '-m', 'after the shell one']);
  await waitFor('the reader\'s second announcement', () => events.find((e) => e.kind === 'mail-announced' && e.message.includes(after.id)), 30_000, 100);
  assert.ok(!events.some((e) => e.kind === 'mail-announced' && e.message.includes(toShell.id)), 'no announcement typed into a shell');
});
