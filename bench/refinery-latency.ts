// Time from submit to landed for one request with a trivial gate (`true`), through the running
// loop (run() + the poke a submit gives it), against a baseline measured in this run: the same
// merge done by hand with plain git (worktree checkout, merge --no-ff, update-ref).
//   npx tsx bench/refinery-latency.ts

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Refinery } from '../main/refinery/refinery.ts';
import { JsonFileStore } from '../main/refinery/json-file-store.ts';
import { goodModule, makeRig } from '../test/integration/refinery-fixture.ts';

const ROUNDS = 10;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ENV = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd: string, ...a: string[]) => execFileSync('git', ['-C', cwd, ...a], { env: ENV, stdio: 'ignore' });

export interface RefineryLatency {
  /** submit → landed through run(), ms per round. */
  viaRefinery: number[];
  /** The same merge by hand with plain git, ms per round. */
  byHand: number[];
}

/** The measurement, also the in-run baseline of bench/town-done-to-landed.ts. */
export async function measureRefineryLatency(rounds = ROUNDS): Promise<RefineryLatency> {
  const fix = makeRig();
  const refinery = new Refinery({ repoDir: fix.repoDir, workDir: fix.workDir, gate: { command: 'true', timeoutMs: 10_000 }, pollMs: 60_000 }, new JsonFileStore(fix.storeFile));
  const viaRefinery: number[] = [];
  const byHand: number[] = [];
  try {
    refinery.run();
    await refinery.processOnce(); // create the worktree outside the measurement
    const manual = join(fix.root, 'manual');
    git(fix.repoDir, 'worktree', 'add', '-q', '--detach', manual, 'main');
    for (let i = 0; i < rounds; i++) {
      fix.branch(`r${i}`, goodModule(`r${i}`));
      const t0 = performance.now();
      const landed = new Promise<void>((res) => refinery.on('event', (e) => e.type === 'landed' && res()));
      await refinery.submit(`r${i}`);
      await landed;
      viaRefinery.push(performance.now() - t0);

      fix.branch(`h${i}`, goodModule(`h${i}`));
      const t1 = performance.now();
      const old = execFileSync('git', ['-C', fix.repoDir, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
      git(manual, 'checkout', '-q', '--force', '--detach', old);
      git(manual, 'merge', '-q', '--no-ff', '-m', `merge h${i}`, `h${i}`);
      execFileSync('sh', ['-c', 'true'], { cwd: manual });
      const tip = execFileSync('git', ['-C', manual, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
      git(fix.repoDir, 'update-ref', 'refs/heads/main', tip, old);
      byHand.push(performance.now() - t1);
    }
    return { viaRefinery, byHand };
  } finally {
    await refinery.stop();
    fix.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { viaRefinery, byHand } = await measureRefineryLatency();
  const r = median(viaRefinery);
  const h = median(byHand);
  console.log(`submit → landed, trivial gate, ${ROUNDS} rounds (median): refinery ${r.toFixed(1)} ms, plain git by hand ${h.toFixed(1)} ms, ratio ${(r / h).toFixed(2)}`);
  console.log(`  refinery rounds: ${viaRefinery.map((x) => x.toFixed(0)).join(' ')}`);
}
