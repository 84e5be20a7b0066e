// Writes a runtime's hook settings into the folder an agent runs in (its worktree, clone, or the
// Mayor's folder) and keeps them out of git: the file is added to the repository's info/exclude, so
// `gt done`'s `git add -A` never commits it into the rig's branch.
//
// Invariants:
// - An existing settings file is merged, never clobbered: other settings and hooks stay.
// - A settings file that is not a JSON object is left untouched; the session then runs without
//   hooks (the screen is read instead) and the reason is returned for the log.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { runGit } from '../../git/run-git.ts';
import type { HookAdapterName } from './hook-adapters.ts';
import { mergeHooks, SETTINGS_FILES } from './hook-settings.ts';

export interface InstallResult {
  /** The settings file written (absolute), or null when the adapter needs none (Codex). */
  file: string | null;
  /** Why hooks were not installed, if they were not. */
  problem: string | null;
}

export async function installHooks(adapter: HookAdapterName, cwd: string): Promise<InstallResult> {
  const spec = SETTINGS_FILES[adapter];
  if (!spec) return { file: null, problem: null };
  const file = path.join(cwd, spec.path);
  let existing: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { file: null, problem: `${file} is not a JSON object; left as it is, status is read from the screen` };
      existing = parsed as Record<string, unknown>;
    } catch (e) {
      return { file: null, problem: `${file} is not valid JSON (${(e as Error).message}); left as it is, status is read from the screen` };
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(mergeHooks(existing, spec.table()), null, 2) + '\n');
  renameSync(tmp, file);
  await excludeFromGit(cwd, spec.path);
  return { file, problem: null };
}

/** Adds `relative` to the repository's info/exclude (shared by all worktrees), once. */
async function excludeFromGit(cwd: string, relative: string): Promise<void> {
  const r = await runGit(cwd, ['rev-parse', '--git-path', 'info/exclude']);
  if (!r.ok) return; // not a git repository (the Mayor's folder): nothing to keep out
  const excludeFile = path.resolve(cwd, r.stdout.trim());
  const line = `/${relative.replace(/\\/g, '/')}`;
  const current = existsSync(excludeFile) ? readFileSync(excludeFile, 'utf8') : '';
  if (current.split('\n').includes(line)) return;
  mkdirSync(path.dirname(excludeFile), { recursive: true });
  appendFileSync(excludeFile, `${current && !current.endsWith('\n') ? '\n' : ''}# Gas Town: agent hook settings\n${line}\n`);
}
