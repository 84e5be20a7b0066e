// The app menu as data: the views, the palette and the e-stop with the same shortcuts as the renderer's
// (renderer/shell/commands.ts). A menu item does not steal its key from the page: it is shown with
// its accelerator but not registered, and a click sends that same key to the page, so the page's
// one key handler runs every action whether typed or picked from the menu.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuKey {
  /** Electron accelerator, e.g. "CmdOrCtrl+K". */
  accelerator: string;
  /** The key event the page gets: keyCode and modifiers as webContents.sendInputEvent takes them. */
  keyCode: string;
  modifiers: Array<'control' | 'meta' | 'alt' | 'shift'>;
}

export const MENU_VIEWS: ReadonlyArray<{ label: string; key: string }> = [
  { label: 'Agents', key: '1' }, { label: 'Terminals', key: '2' }, { label: 'Inbox', key: '3' }, { label: 'Feed', key: '4' },
  { label: 'Convoys', key: '5' }, { label: 'Board', key: '6' }, { label: 'Merge queue', key: '7' },
];

export function appMenuTemplate(platform: NodeJS.Platform, sendKey: (key: MenuKey) => void): MenuItemConstructorOptions[] {
  const mod: 'meta' | 'control' = platform === 'darwin' ? 'meta' : 'control';
  const item = (label: string, key: MenuKey): MenuItemConstructorOptions => ({
    label, accelerator: key.accelerator, registerAccelerator: false, click: () => sendKey(key),
  });
  const menu: MenuItemConstructorOptions[] = [];
  if (platform === 'darwin') menu.push({ role: 'appMenu' });
  menu.push({ role: 'fileMenu' }, { role: 'editMenu' });
  menu.push({
    label: 'View',
    submenu: [
      item('Command Palette…', { accelerator: 'CmdOrCtrl+K', keyCode: 'K', modifiers: [mod] }),
      { type: 'separator' },
      ...MENU_VIEWS.map((v) => item(v.label, { accelerator: `Alt+${v.key}`, keyCode: v.key, modifiers: ['alt'] })),
      { type: 'separator' },
      item('Maximize Terminal', { accelerator: 'CmdOrCtrl+Shift+Enter', keyCode: 'Enter', modifiers: [mod, 'shift'] }),
      item('Search in Terminal', { accelerator: 'CmdOrCtrl+Shift+F', keyCode: 'F', modifiers: [mod, 'shift'] }),
      { type: 'separator' },
      item('Fit Convoy Graph', { accelerator: 'Alt+Shift+F', keyCode: 'F', modifiers: ['alt', 'shift'] }),
      item('Clear Convoy Graph Filter', { accelerator: 'Alt+Shift+C', keyCode: 'C', modifiers: ['alt', 'shift'] }),
      item('Reload Merge Queue', { accelerator: 'Alt+Shift+R', keyCode: 'R', modifiers: ['alt', 'shift'] }),
      { type: 'separator' },
      { role: 'togglefullscreen' },
      { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' },
    ],
  });
  menu.push({
    label: 'Town',
    submenu: [
      item('Emergency Stop (freeze every agent)', { accelerator: 'CmdOrCtrl+Shift+E', keyCode: 'E', modifiers: [mod, 'shift'] }),
      { type: 'separator' },
      item('New Bead…', { accelerator: 'Alt+N', keyCode: 'N', modifiers: ['alt'] }),
      item('Import a File…', { accelerator: 'Alt+I', keyCode: 'I', modifiers: ['alt'] }),
    ],
  });
  menu.push({ role: 'windowMenu' });
  return menu;
}
