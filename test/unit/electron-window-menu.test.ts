// The Electron shell's logic as plain modules: the window's remembered place, the app menu's
// shortcuts, the tray's agents line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SIZE, MIN_SIZE, parseWindowState, placeWindow } from '../../main/electron/window-state.ts';
import { appMenuTemplate, MENU_VIEWS, type MenuKey } from '../../main/electron/app-menu.ts';
import { ESTOP_SHORTCUT, IMPORT_SHORTCUT, NEW_BEAD_SHORTCUT } from '../../renderer/shell/commands.ts';
import { trayAgentsLine } from '../../main/electron/tray-status.ts';

const screen = { x: 0, y: 0, width: 1920, height: 1080 };
const right = { x: 1920, y: 0, width: 1280, height: 1024 };

test('window state: a malformed file is no state; a saved place comes back where it was', () => {
  for (const bad of [null, '', '{', '{"bounds":{"x":"1"}}', '{"bounds":{"x":1,"y":2,"width":3}}', '[]']) assert.equal(parseWindowState(bad), null, String(bad));
  const saved = parseWindowState(JSON.stringify({ bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true }));
  assert.deepEqual(placeWindow(saved, [screen, right]), { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true });
  // On the second display, it stays there.
  const onRight = placeWindow({ bounds: { x: 2000, y: 100, width: 900, height: 600 }, maximized: false }, [screen, right]);
  assert.deepEqual(onRight.bounds, { x: 2000, y: 100, width: 900, height: 600 });
});

test('window state: a place on a display that is gone falls back to the primary, centred; sizes are clamped', () => {
  const gone = placeWindow({ bounds: { x: 2000, y: 100, width: 900, height: 600 }, maximized: false }, [screen]);
  assert.equal(gone.bounds.width, DEFAULT_SIZE.width);
  assert.equal(gone.bounds.x, Math.round((1920 - DEFAULT_SIZE.width) / 2));
  const none = placeWindow(null, [screen]);
  assert.deepEqual(none, gone);
  const tiny = placeWindow({ bounds: { x: 10, y: 10, width: 100, height: 100 }, maximized: false }, [screen]);
  assert.equal(tiny.bounds.width, MIN_SIZE.width);
  assert.equal(tiny.bounds.height, MIN_SIZE.height);
  const huge = placeWindow({ bounds: { x: 1800, y: 900, width: 5000, height: 3000 }, maximized: false }, [screen]);
  assert.deepEqual(huge.bounds, { x: 0, y: 0, width: 1920, height: 1080 }, 'clamped into the display');
});

test('app menu: every view and the palette with the renderer\'s shortcuts; a click sends that key to the page', () => {
  const sent: MenuKey[] = [];
  const menu = appMenuTemplate('linux', (k) => sent.push(k));
  const view = menu.find((m) => m.label === 'View')!;
  const items = (view.submenu as Array<{ label?: string; accelerator?: string; registerAccelerator?: boolean; click?: () => void }>).filter((i) => i.label);
  const palette = items.find((i) => i.label === 'Command Palette…')!;
  assert.equal(palette.accelerator, 'CmdOrCtrl+K');
  assert.equal(palette.registerAccelerator, false, 'the page keeps its keys');
  palette.click!();
  assert.deepEqual(sent[0], { accelerator: 'CmdOrCtrl+K', keyCode: 'K', modifiers: ['control'] });
  for (const v of MENU_VIEWS) assert.equal(items.find((i) => i.label === v.label)?.accelerator, `Alt+${v.key}`);
  const estop = (menu.find((m) => m.label === 'Town')!.submenu as Array<{ label?: string; accelerator?: string; click?: () => void }>)[0];
  assert.equal(estop.accelerator, `CmdOrCtrl+Shift+${ESTOP_SHORTCUT.key.toUpperCase()}`, 'the renderer\'s e-stop shortcut');
  estop.click!();
  assert.deepEqual(sent.at(-1), { accelerator: 'CmdOrCtrl+Shift+E', keyCode: 'E', modifiers: ['control', 'shift'] });
  sent.pop();
  const town = (menu.find((m) => m.label === 'Town')!.submenu as Array<{ label?: string; accelerator?: string }>);
  assert.equal(town.find((i) => i.label === 'New Bead…')?.accelerator, `Alt+${NEW_BEAD_SHORTCUT.key.toUpperCase()}`);
  assert.equal(town.find((i) => i.label === 'Import a File…')?.accelerator, `Alt+${IMPORT_SHORTCUT.key.toUpperCase()}`);
  const mac = appMenuTemplate('darwin', (k) => sent.push(k));
  assert.equal((mac[0] as { role?: string }).role, 'appMenu');
  ((mac.find((m) => m.label === 'View')!.submenu as Array<{ label?: string; click?: () => void }>).find((i) => i.label === 'Command Palette…')!).click!();
  assert.deepEqual(sent[1].modifiers, ['meta']);
});

test('tray: agents working / waiting / stuck and the inbox', () => {
  assert.equal(trayAgentsLine(null, null), 'Agents: …');
  assert.equal(trayAgentsLine({ working: 3, waiting: 1, stuck: 0, idle: 2 }, 2), 'Agents: 3 working · 1 waiting · 0 stuck · Inbox 2');
});
