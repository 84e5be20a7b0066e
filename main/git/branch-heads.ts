// Every local branch's head in one git run, and the branches already contained in a commit: what a
// merge queue needs about all its requests at once (one process for the whole queue instead of two
// per request). `only`: the branches to read (the open requests'), so a run costs what the queue
// holds, not every branch the rig ever had (merged polecat branches are kept: a pass read them all,
// and `--merged` walked each; docs/performance.md, "Eleventh pass"). A long list is read whole and
// filtered instead (the command line stays short).

import { runGit } from './run-git.ts';

const HEADS = 'refs/heads/';
/** Above this many named branches, every branch is read and the answer filtered. */
const MAX_NAMED = 500;

/** branch name → commit id, for every local branch (or those of `only`). Throws when git cannot list them. */
export async function branchHeads(repoDir: string, only?: string[]): Promise<Map<string, string>> {
  if (only && !only.length) return new Map();
  const r = await runGit(repoDir, ['for-each-ref', '--format=%(objectname) %(refname)', ...patterns(only)]);
  if (!r.ok) throw new Error(`git for-each-ref failed in ${repoDir}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parse(r.stdout, only);
}

/** branch name → commit id, for the local branches (of `only`) whose head is reachable from `commit` (merged into it). */
export async function branchesMergedInto(repoDir: string, commit: string, only?: string[]): Promise<Map<string, string>> {
  if (commit.startsWith('-')) throw new Error(`not a commit: ${commit}`);
  if (only && !only.length) return new Map();
  const r = await runGit(repoDir, ['for-each-ref', `--merged=${commit}`, '--format=%(objectname) %(refname)', ...patterns(only)]);
  if (!r.ok) throw new Error(`git for-each-ref --merged failed in ${repoDir}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parse(r.stdout, only);
}

/** for-each-ref's patterns: each named branch's full ref (git also matches refs below it: parse filters), or every branch. */
function patterns(only: string[] | undefined): string[] {
  return only && only.length <= MAX_NAMED ? [...new Set(only)].map((b) => `${HEADS}${b}`) : [HEADS];
}

function parse(out: string, only: string[] | undefined): Map<string, string> {
  const wanted = only ? new Set(only) : null;
  const heads = new Map<string, string>();
  for (const line of out.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const ref = line.slice(sp + 1).trim();
    if (!ref.startsWith(HEADS)) continue;
    const branch = ref.slice(HEADS.length);
    if (!wanted || wanted.has(branch)) heads.set(branch, line.slice(0, sp));
  }
  return heads;
}
