// The Witness's decisions: each case is acted on once its threshold passed, once per episode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPolecat, type PolecatView, type WitnessMemory } from '../../main/town/supervision/witness-checks.ts';
import { safeDialog } from '../../main/town/supervision/startup-dialogs.ts';

const T = { stalledMs: 1_000, guppMs: 5_000, idleMs: 500 };
const view = (v: Partial<PolecatView>): PolecatView => ({
  agent: 'r/polecats/a', bead: 'r-1', beadTitle: 'x', beadChangedAt: 0, sessionStartedAt: 0, state: 'working', stateSince: 0,
  lastOutputAt: 0, reason: '', dialog: null, ...v,
});

function run(v: PolecatView, times: number[], memory: WitnessMemory = {}) {
  const kinds: string[] = [];
  for (const now of times) {
    const r = checkPolecat(v, memory, T, now);
    memory = r.memory;
    kinds.push(...r.actions.map((a) => `${now}:${a.kind}${'reason' in a ? `:${a.reason}` : ''}`));
  }
  return kinds;
}

test('stalled: nudge at the threshold, restart one threshold later, once each', () => {
  assert.deepEqual(run(view({ beadChangedAt: 1e9 }), [500, 1_000, 1_500, 2_000, 2_500, 9_000]), ['1000:nudge:stalled', '2000:restart:stalled']);
});

test('stalled: a session that has not printed yet gets twice the time', () => {
  assert.deepEqual(run(view({ beadChangedAt: 1e9, state: 'starting' }), [1_000, 1_900, 2_000]), ['2000:nudge:stalled']);
});

test('stalled: output after the nudge starts over', () => {
  let m: WitnessMemory = {};
  m = checkPolecat(view({ beadChangedAt: 1e9 }), m, T, 1_000).memory;
  const r = checkPolecat(view({ beadChangedAt: 1e9, lastOutputAt: 1_200 }), m, T, 2_000);
  assert.deepEqual(r.actions, []);
  assert.equal(r.memory.stalledNudgedAt, undefined);
});

test('GUPP violation: nudge with the hook, then escalate; a ledger change clears it', () => {
  const v = view({ lastOutputAt: 1e9, state: 'working' });
  assert.deepEqual(run(v, [4_000, 5_000, 6_000, 10_000, 20_000]), ['5000:nudge:gupp', '10000:escalate:gupp']);
  let m = checkPolecat(v, {}, T, 5_000).memory;
  m = checkPolecat(view({ lastOutputAt: 1e9, beadChangedAt: 6_000 }), m, T, 7_000).memory;
  assert.equal(m.guppNudgedAt, undefined);
});

test('idle with work hooked: one nudge per idle spell', () => {
  const kinds = run(view({ state: 'idle', stateSince: 100, lastOutputAt: 100, beadChangedAt: 1e9 }), [400, 600, 700, 5_000]);
  assert.deepEqual(kinds, ['600:nudge:idle']);
  assert.deepEqual(run(view({ state: 'idle', stateSince: 900, lastOutputAt: 900, beadChangedAt: 1e9 }), [1_500], { idleNudgedFor: 100 }), ['1500:nudge:idle']);
});

test('waiting: reported once per spell; a safe startup dialog is accepted instead', () => {
  assert.deepEqual(run(view({ state: 'waiting-for-input', stateSince: 10, lastOutputAt: 10, beadChangedAt: 1e9, reason: 'prompt: ok? [y/n]' }), [20, 30, 40]), ['20:report-waiting']);
  const r = checkPolecat(view({ state: 'waiting-for-input', stateSince: 10, lastOutputAt: 10, beadChangedAt: 1e9, dialog: { name: 'folder-trust dialog', keys: 'y\r' } }), {}, T, 20);
  assert.equal(r.actions[0].kind, 'accept-dialog');
});

test('startup dialogs: accepted only for the agent\'s own worktree', () => {
  const wt = '/town/rigs/r/polecats/a';
  const screen = `gt-script: Do you trust the files in this folder? ${wt} [y/n] `;
  assert.deepEqual(safeDialog(screen, 'script', wt, wt), { name: 'folder-trust dialog', keys: 'y\r' });
  assert.equal(safeDialog(screen.replace(wt, '/home/someone/else'), 'script', wt, wt), null, 'another folder: left to the human');
  assert.equal(safeDialog(screen, 'script', '/tmp', wt), null, 'not started in its worktree');
  assert.equal(safeDialog('Do you trust the files in this folder?\n 1. Yes, proceed', 'claude', wt, wt)?.keys, '\r');
  assert.equal(safeDialog('? delete everything [y/n]', 'script', wt, wt), null, 'a question is not a startup dialog');
});
