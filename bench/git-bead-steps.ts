// Benchmark: the git CPU of one bead's git steps as the rig grows: the steps as the town ran them
// before (the baseline: their argv sequence is kept here) against the town's own functions now, in
// the same run, on real git, rounds alternated. Per bead, as in the swarm bench (docs/work-loop.md, "Git"):
//   prep      a polecat's worktree put on its next bead's branch (gt done going on in the same session)
//   agent     the script runtime's commit of its change (the agent's own git)
//   done      gt done's leftovers check (clean: the agent committed) and its commits-ahead count
//   refinery  one gate run's merge (merge-tree, commit-tree) and its worktree put at the tip
//             (checkout --force --detach, clean -ffd); the Refinery does this once per batch
// Before each bead, OTHERS files land on the target (other polecats' beads), so the checkouts move.
// Layouts: `flat:N` N files in one folder (the swarm bench's rig: a file per bead in its root),
// `nested:N` N files in folders of 100 (a real repository's shape). Figures are CPU-ms of git per
// bead (user+system of the git processes, from the kernel's 10 ms ticks of waited children: this
// process's and the git runner's), and the ratio new / baseline.
//   npx tsx bench/git-bead-steps.ts   (ROUNDS=30, OTHERS=10, LAYOUTS=flat:100,flat:6000,nested:6000)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitChanges } from '../main/agents/script-runtime/script-commit.ts';
import { commitTree } from '../main/git/commit-tree.ts';
import { mergeTree } from '../main/git/merge-tree.ts';
import { resolveBranch } from '../main/git/resolve-commit.ts';
import { countAhead } from '../main/git/rev-list.ts';
import { gitOrThrow, gitRunnerPid, runGit } from '../main/git/run-git.ts';
import { checkoutClean } from '../main/git/worktree-checkout.ts';
import { addDetachedWorktree } from '../main/git/worktree-add.ts';
import { commitLeftovers, prepareWorktree } from '../main/town/polecats/polecat-git.ts';
import { createRigRepos } from '../main/town/rigs/rig-git.ts';
import { rigPaths } from '../main/town/rigs/rig-paths.ts';
import { childCpuSeconds } from './town-bench-util.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 30);
const OTHERS = Number(process.env.OTHERS ?? 10);
const LAYOUTS = (process.env.LAYOUTS ?? 'flat:100,flat:6000,nested:6000').split(',').map((l) => {
  const [shape, n] = l.split(':');
  if ((shape !== 'flat' && shape !== 'nested') || !(Number(n) > 0)) throw new Error(`LAYOUTS: ${l} is not flat:N or nested:N`);
  return { shape, files: Number(n) };
});
const STEPS = ['prep', 'agent', 'done', 'refinery'] as const;
type Step = (typeof STEPS)[number];
const who = { name: 'bench', email: 'bench@bench.local' };
Object.assign(process.env, { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email });

const git = (cwd: string, args: string[], input?: string) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
/** git CPU seconds so far: the waited children of this process (execFile, execFileSync) and of the git runner. */
const gitCpu = () => childCpuSeconds(process.pid) + childCpuSeconds(gitRunnerPid());

/** A source repository with `files` files on main, written by fast-import (one commit). */
function sourceRepo(dir: string, shape: string, files: number): void {
  git(dir, ['init', '-q', '-b', 'main']);
  const lines = ['commit refs/heads/main', 'committer b <b@b> 0 +0000', 'data 4', 'init'];
  for (let i = 0; i < files; i++) {
    const body = `file ${i}\n`;
    lines.push(`M 100644 inline ${shape === 'nested' ? `d${String(Math.floor(i / 100)).padStart(4, '0')}/` : ''}f${String(i).padStart(6, '0')}.txt`, `data ${body.length}`, body);
  }
  git(dir, ['fast-import', '--quiet'], `${lines.join('\n')}\n`);
}

interface Rig {
  mode: 'baseline' | 'new';
  bare: string;
  polecat: string;
  refinery: string;
  /** Where other polecats' beads are made (not measured). */
  other: string;
  bead: number;
  cpu: Record<Step, number>;
}

async function makeRig(mode: Rig['mode'], base: string, source: string): Promise<Rig> {
  const paths = rigPaths(join(base, mode), 'bench');
  if (mode === 'new') await createRigRepos(source, paths, 'main');
  else {
    // createRigRepos as it was: the bare clone and its fetch refspec, nothing else set.
    mkdirSync(paths.root, { recursive: true });
    git(paths.root, ['clone', '--quiet', '--bare', '--', source, paths.bare]);
    git(paths.bare, ['config', 'remote.origin.fetch', '+refs/heads/main:refs/remotes/origin/main']);
  }
  const main = (await resolveBranch(paths.bare, 'main'))!;
  const rig: Rig = { mode, bare: paths.bare, polecat: join(paths.polecats, 'a'), refinery: paths.refinery, other: join(paths.root, 'other'), bead: 0, cpu: { prep: 0, agent: 0, done: 0, refinery: 0 } };
  mkdirSync(paths.polecats, { recursive: true });
  if (mode === 'new') await prepareWorktree(rig.bare, rig.polecat, 'polecat/a/b0', 'main');
  else git(rig.bare, ['worktree', 'add', '--quiet', '-b', 'polecat/a/b0', rig.polecat, main]);
  const add = await addDetachedWorktree(rig.bare, rig.refinery, main);
  if (!add.ok) throw new Error(add.message);
  git(rig.bare, ['worktree', 'add', '--quiet', '--detach', rig.other, main]);
  return rig;
}

/** OTHERS beads of other polecats land on main (not measured). */
function landOthers(rig: Rig, round: number, shape: string): void {
  git(rig.other, ['checkout', '--quiet', '--detach', 'main']);
  for (let i = 0; i < OTHERS; i++) {
    const dir = shape === 'nested' ? join(rig.other, `o${String(round % 50).padStart(2, '0')}`) : rig.other;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `other-${round}-${i}.txt`), `other ${round} ${i}\n`);
  }
  git(rig.other, ['add', '-A']);
  git(rig.other, ['commit', '--quiet', '-m', `others ${round}`]);
  git(rig.bare, ['update-ref', 'refs/heads/main', git(rig.other, ['rev-parse', 'HEAD']).trim()]);
}

/** The bead's file, where an agent would write it: the root (flat) or a folder of its own (nested). */
function writeBeadFile(rig: Rig, shape: string): void {
  const dir = shape === 'nested' ? join(rig.polecat, `b${String(rig.bead % 50).padStart(2, '0')}`) : rig.polecat;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `bead-${rig.mode}-${rig.bead}.txt`), `bead ${rig.bead}\n`);
}

async function timed(rig: Rig, step: Step, fn: () => Promise<unknown> | unknown): Promise<void> {
  const before = gitCpu();
  await fn();
  rig.cpu[step] += gitCpu() - before;
}

/** One bead, the steps as the town ran them before this change (argv as they were). */
async function beadBaseline(rig: Rig, shape: string): Promise<void> {
  const branch = `polecat/a/b${++rig.bead}`;
  const main = (await resolveBranch(rig.bare, 'main'))!;
  const wt = rig.polecat;
  const run = async (cwd: string, args: string[]) => {
    const r = await runGit(cwd, args);
    if (!r.ok) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await timed(rig, 'prep', async () => {
    await run(wt, ['status', '--porcelain=v2', '--branch']);
    await run(wt, ['checkout', '--quiet', '-b', branch, main]);
  });
  writeBeadFile(rig, shape);
  await timed(rig, 'agent', () => {
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: wt, encoding: 'utf8' });
    if (!status.trim()) throw new Error('the bead wrote nothing');
    execFileSync('git', ['add', '-A'], { cwd: wt, stdio: 'ignore' });
    execFileSync('git', ['commit', '-q', '-m', `bead ${rig.bead}`], { cwd: wt, stdio: 'ignore' });
  });
  await timed(rig, 'done', async () => {
    if ((await run(wt, ['status', '--porcelain'])).trim()) throw new Error('leftovers: the agent committed everything');
    await run(rig.bare, ['rev-list', '--count', `refs/heads/main..refs/heads/${branch}`, '--']);
  });
  await timed(rig, 'refinery', async () => {
    const head = (await resolveBranch(rig.bare, branch))!;
    const tree = (await run(rig.bare, ['merge-tree', '--write-tree', '--name-only', '--no-messages', main, head])).split('\n')[0];
    const merged = (await run(rig.bare, ['commit-tree', tree, '-p', main, '-p', head, '-m', 'merge'])).trim();
    await run(rig.refinery, ['checkout', '--force', '--detach', merged]);
    await run(rig.refinery, ['clean', '-ffd', '-q']);
    await run(rig.bare, ['update-ref', '-m', 'land', 'refs/heads/main', merged, main]);
  });
}

/** One bead, through the town's functions as they are now. */
async function beadNew(rig: Rig, shape: string): Promise<void> {
  const branch = `polecat/a/b${++rig.bead}`;
  const wt = rig.polecat;
  // The previous bead's gt done found the worktree clean (below): gt done's moveOn passes that on.
  await timed(rig, 'prep', () => prepareWorktree(rig.bare, wt, branch, 'main', { knownClean: true }));
  writeBeadFile(rig, shape);
  await timed(rig, 'agent', () => {
    if (!commitChanges(wt, `bead ${rig.bead}`)) throw new Error('the bead wrote nothing');
  });
  await timed(rig, 'done', async () => {
    const left = await commitLeftovers(wt, 'leftovers', who);
    if (left.commit || !left.clean) throw new Error('leftovers: the agent committed everything');
    await countAhead(rig.bare, 'main', branch);
  });
  await timed(rig, 'refinery', async () => {
    const main = (await resolveBranch(rig.bare, 'main'))!;
    const head = (await resolveBranch(rig.bare, branch))!;
    const m = await mergeTree(rig.bare, main, head);
    if (m.kind !== 'clean') throw new Error(`merge: ${m.kind}`);
    const merged = await commitTree(rig.bare, m.tree, [main, head], 'merge', who);
    const co = await checkoutClean(rig.refinery, merged);
    if (!co.ok) throw new Error(co.message);
    await gitOrThrow(rig.bare, ['update-ref', '-m', 'land', 'refs/heads/main', merged, main]);
  });
}

const perBead = (s: number) => (s * 1000) / ROUNDS;
const fmt = (ms: number) => ms.toFixed(1).padStart(7);

for (const { shape, files } of LAYOUTS) {
  const base = mkdtempSync(join(tmpdir(), 'gt-bench-beadgit-'));
  try {
    const source = join(base, 'src');
    mkdirSync(source);
    sourceRepo(source, shape, files);
    const rigs = [await makeRig('baseline', base, source), await makeRig('new', base, source)];
    // Every worktree read once and the index's timestamps past the racy-git second of its checkout.
    for (const r of rigs) for (const wt of [r.polecat, r.refinery]) git(wt, ['status', '--porcelain']);
    await new Promise((r) => setTimeout(r, 1100));
    for (let round = 0; round < ROUNDS; round++) {
      for (const rig of round % 2 ? [...rigs].reverse() : rigs) {
        landOthers(rig, round, shape);
        await (rig.mode === 'baseline' ? beadBaseline(rig, shape) : beadNew(rig, shape));
      }
    }
    const [old, now] = rigs;
    const total = (r: Rig, steps: readonly Step[]) => steps.reduce((n, s) => n + r.cpu[s], 0);
    console.log(`\n${files} files ${shape === 'flat' ? 'in one folder' : 'in folders of 100'}: git CPU-ms per bead, ${ROUNDS} beads each, ${OTHERS} others' beads landed before each`);
    console.log(`  ${'step'.padEnd(30)} ${'baseline'.padStart(8)} ${'new'.padStart(7)}  ratio`);
    const line = (name: string, a: number, b: number) => console.log(`  ${name.padEnd(30)} ${fmt(perBead(a))} ${fmt(perBead(b))}  ${a > 0 ? (b / a).toFixed(2) : '-'}x`);
    for (const s of STEPS) line(s, old.cpu[s], now.cpu[s]);
    const town: Step[] = ['prep', 'done', 'refinery'];
    line('town (prep + done + refinery)', total(old, town), total(now, town));
    line('all (with the agent\'s)', total(old, STEPS), total(now, STEPS));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
