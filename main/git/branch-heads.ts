// Every local branch's head in one git run, and the branches already contained in a commit: what a
// merge queue needs about all its requests at once (one process for the whole queue instead of two
// per request).

import { runGit } from './run-git.ts';

const HEADS = 'refs/heads/';

/** branch name → commit id, for every local branch. Throws when git cannot list them. */
export async function branchHeads(repoDir: string): Promise<Map<string, string>> {
  const r = await runGit(repoDir, ['for-each-ref', '--format=%(objectname) %(refname)', HEADS]);
  if (!r.ok) throw new Error(`git for-each-ref failed in ${repoDir}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parse(r.stdout);
}

/** branch name → commit id, for the local branches whose head is reachable from `commit` (merged into it). */
export async function branchesMergedInto(repoDir: string, commit: string): Promise<Map<string, string>> {
  if (commit.startsWith('-')) throw new Error(`not a commit: ${commit}`);
  const r = await runGit(repoDir, ['for-each-ref', `--merged=${commit}`, '--format=%(objectname) %(refname)', HEADS]);
  if (!r.ok) throw new Error(`git for-each-ref --merged failed in ${repoDir}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parse(r.stdout);
}

function parse(out: string): Map<string, string> {
  const heads = new Map<string, string>();
  for (const line of out.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const ref = line.slice(sp + 1).trim();
    if (ref.startsWith(HEADS)) heads.set(ref.slice(HEADS.length), line.slice(0, sp));
  }
  return heads;
}
