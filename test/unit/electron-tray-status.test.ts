// What the tray shows and when the app notifies: from TownStatus values, transitions only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TownStatus } from '../../preload/types.ts';
import { statusAlerts, trayStatusLines, trayTooltip } from '../../main/electron/tray-status.ts';

const status = (over: Partial<TownStatus> = {}, dolt: Partial<TownStatus['dolt']> = {}, ptyHost: Partial<TownStatus['ptyHost']> = {}): TownStatus => ({
  up: true,
  town: '/home/me/gt',
  beads: 3,
  agents: 0,
  terminals: 1,
  ...over,
  dolt: { port: 41234, pid: 100, state: 'ready', ...dolt },
  ptyHost: { pid: 101, state: 'ready', ...ptyHost },
});

test('the tooltip reads the town at a glance, including before it is up and when it failed', () => {
  assert.equal(trayTooltip(status()), 'Gas Town: running · 3 beads · 1 terminal');
  assert.equal(trayTooltip(status({ beads: 1, terminals: 0 })), 'Gas Town: running · 1 bead · 0 terminals');
  assert.equal(trayTooltip(null), 'Gas Town: starting…');
  assert.equal(trayTooltip(null, 'dolt not found'), 'Gas Town: dolt not found');
  assert.equal(trayTooltip(status({}, { state: 'failed' })), 'Gas Town: ledger down · 3 beads · 1 terminal');
  assert.equal(trayTooltip(status({}, {}, { state: 'restarting' })), 'Gas Town: terminals restarting · 3 beads · 1 terminal');
  // A count the Town could not read (-1) is shown as unknown, never as a healthy-looking zero.
  assert.equal(trayTooltip(status({ beads: -1 })), 'Gas Town: running · ? beads · 1 terminal');
});

test('the menu lines name the folder, the ledger port and the PTY host', () => {
  assert.deepEqual(trayStatusLines(status()), [
    'Town: /home/me/gt',
    'Ledger (Dolt): ready on port 41234',
    'PTY host: ready',
    '3 beads · 0 agents · 1 terminal',
  ]);
  assert.equal(trayStatusLines(status({}, { state: 'restarting' }))[1], 'Ledger (Dolt): restarting');
  assert.deepEqual(trayStatusLines(null, 'boom'), ['Town unavailable: boom']);
});

test('notifications fire on transitions, once, never for a state that merely persists', () => {
  const failed = status({}, { state: 'failed' });
  const down = statusAlerts(status(), failed);
  assert.equal(down.length, 1);
  assert.match(down[0].title, /ledger down/);
  assert.deepEqual(statusAlerts(failed, failed), [], 'no repeat while still failed');
  assert.match(statusAlerts(failed, status())[0].title, /ledger back/);
  assert.deepEqual(statusAlerts(status({}, { state: 'starting' }), status()), [], 'a normal start is not news');
  assert.deepEqual(statusAlerts(null, status()), []);
  const restarting = status({}, {}, { state: 'restarting' });
  assert.match(statusAlerts(status(), restarting)[0].title, /terminals restarting/);
  assert.deepEqual(statusAlerts(restarting, restarting), []);
});
