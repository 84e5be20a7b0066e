// An idle town with 4 rigs and 8 idle polecats, watched for SECONDS (the issue asks 600), once with
// supervision on and once with it off, in the same run: agent sessions started (goal 0), the town's
// CPU as a share of one core (this process + PTY host + dolt; goal ≤ 2 %), and ledger commits made
// during the window (goal 0 beyond backups' own records — backups write files, not commits).
//   npx tsx bench/supervision-idle.ts            (SECONDS=60 by default; SECONDS=600 for the 10 minutes)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RigInfo } from '../preload/requests/work-types.ts';
import { initTown, Town } from '../main/town/town.ts';
import { cpuSeconds, OVERSEER } from './town-bench-util.ts';

const SECONDS = Number(process.env.SECONDS ?? 60);

async function run(supervision: boolean): Promise<{ sessions: number; cpuShare: number; commits: number; parts: string }> {
  const base = mkdtempSync(join(tmpdir(), 'gt-bench-idle-'));
  const dir = join(base, 'town');
  initTown(dir);
  mkdirSync(join(dir, 'settings'), { recursive: true });
  writeFileSync(join(dir, 'settings', 'supervision.json'), JSON.stringify({ enabled: supervision }));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  const town = await Town.start({ dir });
  try {
    for (let r = 0; r < 4; r++) {
      const repo = join(base, `src${r}`);
      mkdirSync(repo);
      execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main'], { env });
      writeFileSync(join(repo, 'README.md'), '# bench\n');
      execFileSync('git', ['-C', repo, 'add', '-A'], { env });
      execFileSync('git', ['-C', repo, 'commit', '-q', '-m', 'init'], { env });
      const rig = await town.call('rigAdd', { name: `rig${r}`, source: repo, prefix: `r${r}`, runtime: 'script' }, OVERSEER) as RigInfo;
      for (const name of ['alpha', 'beta']) await town.work.agents.create({ address: `${rig.name}/polecats/${name}`, role: 'polecat', name, rig: rig.name }, rig.prefix, 'bench');
    }
    // Settle: the first patrols start the Witnesses and the Refineries.
    await new Promise((r) => setTimeout(r, 5_000));
    const commits = async () => Number(((await town.ledger.pool.query('SELECT COUNT(*) AS n FROM dolt_log'))[0] as Array<{ n: number }>)[0].n);
    const c0 = await commits();
    const terminals0 = (await town.pty.list()).length;
    let exits = 0;
    town.pty.on('exit', () => exits++);
    const parts = () => { const u = process.cpuUsage(); return [(u.user + u.system) / 1e6, cpuSeconds(town.pty.pid), cpuSeconds(town.dolt.pid)]; };
    const p0 = parts();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const wall = (Date.now() - t0) / 1000;
    const share = parts().map((x, i) => (x - p0[i]) / wall);
    return {
      sessions: (await town.pty.list()).length - terminals0 + exits, cpuShare: share[0] + share[1] + share[2], commits: (await commits()) - c0,
      parts: `node ${(share[0] * 100).toFixed(2)}, pty host ${(share[1] * 100).toFixed(2)}, dolt ${(share[2] * 100).toFixed(2)}`,
    };
  } finally {
    await town.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

const off = await run(false);
const on = await run(true);
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
console.log(`idle town, 4 rigs, 8 idle polecats, ${SECONDS} s each; machine load (1/5/15 min) ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`supervision off: sessions started ${off.sessions}, town CPU ${pct(off.cpuShare)} of a core (${off.parts}), ledger commits ${off.commits}`);
console.log(`supervision on:  sessions started ${on.sessions}, town CPU ${pct(on.cpuShare)} of a core (${on.parts}), ledger commits ${on.commits}`);
console.log(`supervision's own cost: ${pct(on.cpuShare - off.cpuShare)} of a core; goals: 0 sessions, ≤ 2 %, 0 commits`);
