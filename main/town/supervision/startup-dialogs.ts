// Startup dialogs a runtime shows before it works, and which of them the Witness may accept on
// the agent's behalf. Pure: a screen's text in, a decision out.
//
// Invariants:
//   - Only folder-trust dialogs are accepted, only for a session started in the agent's own
//     worktree, and only when every absolute path on the screen lies inside that worktree (a dialog
//     about another folder is left to the human).
//   - Anything not listed here is a question for the human (reported, never answered).

export interface StartupDialog {
  name: string;
  /** Runtimes that show it (a runtime name, or '*' for any). */
  runtimes: string[];
  pattern: RegExp;
  /** What accepting types: the default choice of these dialogs is "trust", so Enter (or y). */
  keys: string;
}

export const STARTUP_DIALOGS: StartupDialog[] = [
  // Claude Code, Gemini CLI (0.61.0), Copilot CLI (1.0.102): the highlighted first option trusts the folder.
  { name: 'folder-trust dialog', runtimes: ['claude', 'gemini', 'copilot'], pattern: /Do you trust the files in this folder\?|Confirm folder trust/, keys: '\r' },
  // The scripted runtime's stand-in for them (tests, demos).
  { name: 'folder-trust dialog', runtimes: ['script'], pattern: /^gt-script: Do you trust the files in this folder\?.*\[y\/n\]/m, keys: 'y\r' },
];

/** The dialog on this screen that is safe to accept for this session, or null. */
export function safeDialog(screen: string, runtime: string, cwd: string, worktree: string | null): { name: string; keys: string } | null {
  if (!worktree || !sameOrInside(cwd, worktree)) return null;
  const dialog = STARTUP_DIALOGS.find((d) => (d.runtimes.includes(runtime) || d.runtimes.includes('*')) && d.pattern.test(screen));
  if (!dialog) return null;
  const paths = screen.match(/(?:^|\s)(\/[^\s'"`]+)/g)?.map((p) => p.trim().replace(/[.,:;?)\]]+$/, '')) ?? [];
  if (paths.some((p) => !sameOrInside(p, worktree))) return null;
  return { name: dialog.name, keys: dialog.keys };
}

function sameOrInside(path: string, dir: string): boolean {
  const d = dir.replace(/\/+$/, '');
  return path === d || path.startsWith(`${d}/`);
}
