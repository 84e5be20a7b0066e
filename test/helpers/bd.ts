// Finds the real `bd` (beads v1.0.5) for the compatibility tests: $GT_BD, else the build cache
// ~/.cache/gastown-desktop/bd/1.0.5/bd, else `bd` on PATH. Anything that does not report version
// 1.0.5 is not used. Tests that need it say plainly that they did not run when none is found.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const BD_VERSION = '1.0.5';

function reportsVersion(path: string): boolean {
  const r = spawnSync(path, ['version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, BD_NON_INTERACTIVE: '1' } });
  return r.status === 0 && r.stdout.includes(BD_VERSION);
}

let found: { path: string | null; reason: string } | undefined;

/** The bd binary, or null with the reason the tests did not run. */
export function findBd(): { path: string | null; reason: string } {
  if (found) return found;
  const candidates: string[] = [];
  if (process.env.GT_BD) candidates.push(process.env.GT_BD);
  candidates.push(join(homedir(), '.cache', 'gastown-desktop', 'bd', BD_VERSION, 'bd'));
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(join(dir, 'bd'));
  for (const c of candidates) {
    if (existsSync(c) && reportsVersion(c)) return (found = { path: c, reason: '' });
  }
  return (found = { path: null, reason: `DID NOT RUN: no bd ${BD_VERSION} found ($GT_BD, ~/.cache/gastown-desktop/bd/${BD_VERSION}/bd, PATH); build it from github.com/steveyegge/beads tag v${BD_VERSION}` });
}

export interface BdResult { code: number | null; stdout: string; stderr: string }

/** Runs bd with the given environment (from bdEnvironment / gt bd-env) in `cwd`, never a shell. */
export function runBd(bd: string, args: string[], env: Record<string, string>, cwd: string): Promise<BdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bd, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, BD_NON_INTERACTIVE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs bd and parses its --json output; throws with stderr when it fails. */
export async function bdJson<T>(bd: string, args: string[], env: Record<string, string>, cwd: string): Promise<T> {
  const r = await runBd(bd, [...args, '--json'], env, cwd);
  if (r.code !== 0) throw new Error(`bd ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/** The fields bd and the town both show, normalised (times as epoch ms, empties as bd omits them). */
export interface ComparableBead {
  id: string; title: string; description: string; status: string; priority: number; type: string;
  assignee: string | null; owner: string; createdBy: string; createdAt: number; updatedAt: number;
  closedAt: number | null; closeReason: string; labels: string[]; dependencies: string[]; comments: string[];
}

const ms = (v: unknown): number => new Date(String(v)).getTime();

/** One issue of `bd show --json` / `bd list --json`. */
export function fromBd(j: Record<string, unknown>): ComparableBead {
  const deps = (j.dependencies as Array<Record<string, unknown>> | undefined) ?? [];
  const comments = (j.comments as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    id: String(j.id), title: String(j.title), description: String(j.description ?? ''), status: String(j.status),
    priority: Number(j.priority), type: String(j.issue_type), assignee: j.assignee ? String(j.assignee) : null,
    owner: String(j.owner ?? ''), createdBy: String(j.created_by ?? ''), createdAt: ms(j.created_at), updatedAt: ms(j.updated_at),
    closedAt: j.closed_at ? ms(j.closed_at) : null, closeReason: String(j.close_reason ?? ''),
    labels: [...((j.labels as string[] | undefined) ?? [])].sort(),
    // bd show nests each dependency as the target issue with a dependency_type; bd list as edges.
    dependencies: deps.map((d) => `${String(d.depends_on_id ?? d.id)}:${String(d.type ?? d.dependency_type)}`).sort(),
    comments: comments.map((c) => `${String(c.author)}:${String(c.text)}`).sort(),
  };
}

/** A town Bead (gt bead show --json / Ledger.show). */
export function fromTown(b: {
  id: string; title: string; description: string; status: string; priority: number; type: string; assignee: string | null;
  owner: string; createdBy: string; createdAt: string; updatedAt: string; closedAt: string | null; closeReason: string; labels: string[];
  dependencies?: Array<{ dependsOnId: string; type: string }>; comments?: Array<{ author: string; text: string }>;
}): ComparableBead {
  return {
    id: b.id, title: b.title, description: b.description, status: b.status, priority: b.priority, type: b.type, assignee: b.assignee,
    owner: b.owner, createdBy: b.createdBy, createdAt: ms(b.createdAt), updatedAt: ms(b.updatedAt),
    closedAt: b.closedAt ? ms(b.closedAt) : null, closeReason: b.closeReason, labels: [...b.labels].sort(),
    dependencies: (b.dependencies ?? []).map((d) => `${d.dependsOnId}:${d.type}`).sort(),
    comments: (b.comments ?? []).map((c) => `${c.author}:${c.text}`).sort(),
  };
}
