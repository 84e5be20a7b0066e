// The reaper dog: transcripts beyond the town's size budget (oldest first), ephemeral rows of
// sessions that no longer exist are not kept by us (nudges live in memory); orphaned worktrees are
// reported (moved aside only by `gt doctor --fix`, a person's decision).
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkOrphans } from '../doctor/doctor-checks.ts';
import type { Dog, DogOutcome } from './dog.ts';

/** Pure: which files to remove (oldest first) to fit the budget; files in use are never chosen. */
export function overBudget(files: Array<{ path: string; size: number; mtime: number }>, budget: number, inUse: Set<string>): string[] {
  let total = files.reduce((n, f) => n + f.size, 0);
  const out: string[] = [];
  for (const f of [...files].sort((a, b) => a.mtime - b.mtime)) {
    if (total <= budget) break;
    if (inUse.has(f.path)) continue;
    out.push(f.path);
    total -= f.size;
  }
  return out;
}

export const reaperDog: Dog = {
  name: 'reaper',
  summary: 'old transcripts beyond the size budget; reports orphaned worktrees',
  async run(s): Promise<DogOutcome> {
    const dir = s.paths.transcripts;
    let files: Array<{ path: string; size: number; mtime: number }> = [];
    try {
      files = readdirSync(dir).map((name) => {
        const p = join(dir, name);
        const st = statSync(p);
        return { path: p, size: st.size, mtime: st.mtimeMs };
      });
    } catch {
      files = [];
    }
    const live = new Set(s.work.sessions.list().map((r) => r.terminal));
    const inUse = new Set(files.filter((f) => [...live].some((t) => f.path.includes(t))).map((f) => f.path));
    const remove = overBudget(files, s.settings.transcriptBudgetBytes, inUse);
    for (const p of remove) rmSync(p, { force: true });
    const known = new Set((await s.work.agents.list({ role: 'polecat' })).map((a) => a.meta.address));
    const orphans = checkOrphans(s.paths, known).filter((r) => r.status === 'fail');
    return { ok: true, message: `${remove.length} old transcript(s) removed; ${orphans.length} orphaned worktree(s)${orphans.length ? ' (gt doctor --fix moves them aside)' : ''}`, details: { removed: remove, orphans: orphans.map((o) => o.detail) } };
  },
};
