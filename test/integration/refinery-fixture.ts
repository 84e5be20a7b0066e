// A real rig-shaped git fixture for the refinery tests and benchmarks: a bare repository (the
// rig's .repo.git) holding `main`, a working clone where branches are made and pushed, and a
// real gate: `node check.mjs` imports every module in src/ and fails when one returns false.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Fixture', GIT_AUTHOR_EMAIL: 'fixture@test', GIT_COMMITTER_NAME: 'Fixture', GIT_COMMITTER_EMAIL: 'fixture@test',
  GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const CHECK = `// The fixture's test suite: every module in src/ must export a function returning true.
import { readdirSync } from 'node:fs';
const files = readdirSync('src').filter((f) => f.endsWith('.mjs')).sort();
let failed = 0;
for (const f of files) {
  const mod = await import('./src/' + f);
  let ok = false;
  try { ok = mod.default() === true; } catch (e) { console.error('FAIL ' + f + ': threw ' + e.message); failed++; continue; }
  if (!ok) { console.error('FAIL ' + f + ': ' + (mod.why ?? 'returned false')); failed++; }
}
if (failed) { console.error(failed + ' of ' + files.length + ' modules failed'); process.exit(1); }
console.log('ok ' + files.length + ' modules');
`;

export const GATE = 'node check.mjs';

export interface RigFixture {
  root: string;
  repoDir: string;
  clone: string;
  workDir: string;
  storeFile: string;
  /** Makes a branch off main (as it is in the bare repo now) with one commit per file map, pushes it. */
  branch(name: string, ...commits: Array<Record<string, string | null>>): string;
  /** Adds commits to an existing branch (starting from its current head) and pushes. */
  extend(name: string, ...commits: Array<Record<string, string | null>>): string;
  head(ref: string): string | null;
  cleanup(): void;
}

export function goodModule(name: string): Record<string, string> {
  return { [`src/${name}.mjs`]: `export default () => true; // ${name}\n` };
}

export function badModule(name: string): Record<string, string> {
  return { [`src/${name}.mjs`]: `export const why = '${name} is broken';\nexport default () => false;\n` };
}

export function makeRig(opts: { notesLines?: number } = {}): RigFixture {
  const root = mkdtempSync(join(tmpdir(), 'gt-refinery-'));
  const repoDir = join(root, 'rig', '.repo.git');
  const clone = join(root, 'clone');
  mkdirSync(repoDir, { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', repoDir], { env: ENV });
  execFileSync('git', ['init', '-q', '-b', 'main', clone], { env: ENV });
  const lines = Array.from({ length: opts.notesLines ?? 20 }, (_, i) => `line ${i + 1}`).join('\n');
  writeFileSync(join(clone, 'check.mjs'), CHECK);
  writeFileSync(join(clone, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(clone, 'NOTES.md'), `${lines}\n`);
  mkdirSync(join(clone, 'src'));
  writeFileSync(join(clone, 'src', 'base.mjs'), 'export default () => true;\n');
  git(clone, 'add', '-A');
  git(clone, 'commit', '-q', '-m', 'initial');
  git(clone, 'remote', 'add', 'rig', repoDir);
  git(clone, 'push', '-q', 'rig', 'main');

  const apply = (files: Record<string, string | null>, msg: string): void => {
    for (const [path, content] of Object.entries(files)) {
      const full = join(clone, path);
      if (content === null) rmSync(full, { force: true });
      else {
        mkdirSync(join(full, '..'), { recursive: true });
        writeFileSync(full, content);
      }
    }
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '--allow-empty', '-m', msg);
  };
  const push = (name: string): string => {
    git(clone, 'push', '-q', '--force', 'rig', `${name}:refs/heads/${name}`);
    return git(clone, 'rev-parse', name);
  };
  const fix: RigFixture = {
    root, repoDir, clone,
    workDir: join(root, 'rig', 'refinery', 'rig'),
    storeFile: join(root, 'queue.json'),
    branch(name, ...commits) {
      git(clone, 'fetch', '-q', 'rig', 'main');
      git(clone, 'checkout', '-q', '-B', name, 'FETCH_HEAD');
      commits.forEach((c, i) => apply(c, `${name}: change ${i + 1}`));
      return push(name);
    },
    extend(name, ...commits) {
      git(clone, 'fetch', '-q', 'rig', name);
      git(clone, 'checkout', '-q', '-B', name, 'FETCH_HEAD');
      commits.forEach((c, i) => apply(c, `${name}: more ${i + 1}`));
      return push(name);
    },
    head(ref) {
      try {
        return git(repoDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${ref}`);
      } catch {
        return null;
      }
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return fix;
}

/** NOTES.md with one line replaced: two branches editing the same line conflict. */
export function notesWith(fix: RigFixture, line: number, text: string): Record<string, string> {
  const base = git(fix.repoDir, 'show', 'main:NOTES.md').split('\n');
  base[line - 1] = text;
  return { 'NOTES.md': base.join('\n') };
}

/** Runs the gate on one commit in a throwaway worktree: true when it passes. */
export function gatePasses(fix: RigFixture, sha: string, gate = GATE): boolean {
  const dir = join(fix.root, `verify-${sha.slice(0, 12)}`);
  git(fix.repoDir, 'worktree', 'add', '-q', '--detach', dir, sha);
  try {
    execFileSync('sh', ['-c', gate], { cwd: dir, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    git(fix.repoDir, 'worktree', 'remove', '--force', dir);
  }
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
