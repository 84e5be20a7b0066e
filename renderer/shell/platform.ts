// Whether the page runs on a Mac (⌘ instead of Ctrl in shortcuts).
export const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
