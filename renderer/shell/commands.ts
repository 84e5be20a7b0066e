// Every action of the app with its keyboard shortcut, in one list: the command palette shows them,
// the key handler runs them, the app menu (Electron) lists the same shortcuts. Pure data + a matcher.
import type { View } from '../state/town-store.ts';

export interface ShortcutKey {
  key: string;
  mod?: boolean;
  alt?: boolean;
  shift?: boolean;
}

export const VIEW_LABELS: Record<View, string> = {
  agents: 'Agents', terminals: 'Terminals', inbox: 'Inbox', feed: 'Feed', convoys: 'Convoys', board: 'Board', 'merge-queue': 'Merge queue', wanted: 'Wanted',
};

export const VIEW_SHORTCUTS: Record<View, ShortcutKey> = {
  agents: { key: '1', alt: true }, terminals: { key: '2', alt: true }, inbox: { key: '3', alt: true }, feed: { key: '4', alt: true },
  convoys: { key: '5', alt: true }, board: { key: '6', alt: true }, 'merge-queue': { key: '7', alt: true }, wanted: { key: '8', alt: true },
};

export const PALETTE_SHORTCUT: ShortcutKey = { key: 'k', mod: true };
export const MAXIMIZE_SHORTCUT: ShortcutKey = { key: 'Enter', mod: true, shift: true };
export const SEARCH_SHORTCUT: ShortcutKey = { key: 'f', mod: true, shift: true };
/** Emergency stop (engages only: releasing is a deliberate click or palette command). */
export const ESTOP_SHORTCUT: ShortcutKey = { key: 'e', mod: true, shift: true };
/** The Board's create dialog. */
export const NEW_BEAD_SHORTCUT: ShortcutKey = { key: 'n', alt: true };
/** Pick a Markdown, CSV or beads JSONL file to import (the same preview as dropping it). */
export const IMPORT_SHORTCUT: ShortcutKey = { key: 'i', alt: true };

export function shortcutLabel(s: ShortcutKey, mac = false): string {
  const parts: string[] = [];
  if (s.mod) parts.push(mac ? '⌘' : 'Ctrl');
  if (s.alt) parts.push(mac ? '⌥' : 'Alt');
  if (s.shift) parts.push(mac ? '⇧' : 'Shift');
  parts.push(s.key.length === 1 ? s.key.toUpperCase() : s.key);
  return parts.join(mac ? '' : '+');
}

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Whether a key event is the shortcut (mod = Ctrl, or ⌘ on a Mac). Digits and letters match by code too (Alt changes their key on a Mac). */
export function matches(e: KeyLike, s: ShortcutKey, mac = false): boolean {
  const mod = mac ? e.metaKey : e.ctrlKey;
  if (!!s.mod !== mod || !!s.alt !== e.altKey || !!s.shift !== e.shiftKey) return false;
  if (e.key.toLowerCase() === s.key.toLowerCase()) return true;
  if (/^\d$/.test(s.key)) return e.code === `Digit${s.key}`;
  return /^[a-z]$/i.test(s.key) && e.code === `Key${s.key.toUpperCase()}`;
}

/** Convoy graph: fit every node in view (goes to the graph first). */
export const GRAPH_FIT_SHORTCUT: ShortcutKey = { key: 'f', alt: true, shift: true };
/** Convoy graph: clear the convoy / rig / status filter. */
export const GRAPH_CLEAR_FILTER_SHORTCUT: ShortcutKey = { key: 'c', alt: true, shift: true };
/** Merge queue: read the queues again (goes to the merge queue first). */
export const MQ_RELOAD_SHORTCUT: ShortcutKey = { key: 'r', alt: true, shift: true };
