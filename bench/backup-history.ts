// Benchmark: the backup dog's Dolt step as the ledger's history grows. On one Dolt server with
// BEADS beads and ROUNDS rounds of COMMITS committed updates each, after every round:
//  - baseline: a full Dolt backup into a fresh folder (what each backup folder held before: the
//    whole history copied again on every run);
//  - now: a sync into the one history backup (backup-dog.ts), which writes only the chunks it lacks.
// Prints, per round, the ledger's size on disk, wall time and Dolt's CPU (from /proc, 10 ms ticks)
// of each, and the ratio.
//   npx tsx bench/backup-history.ts            (BEADS=2000 ROUNDS=3 COMMITS=500)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { cpuSeconds } from './town-bench-util.ts';

const BEADS = Number(process.env.BEADS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const COMMITS = Number(process.env.COMMITS ?? 500);
const megabytes = (path: string) => Number(execFileSync('du', ['-sm', path], { encoding: 'utf8' }).split('\t')[0]);

const dolt = await startTempDolt();
const out = mkdtempSync(join(tmpdir(), 'gt-backup-bench-'));
try {
  const ledger = await Ledger.open(dolt.server.connection());
  const ids: string[] = [];
  for (let from = 0; from < BEADS; from += 500) {
    const batch = Array.from({ length: Math.min(500, BEADS - from) }, (_, i) => ({ title: `b ${from + i}`, prefix: 'bk', description: 'x'.repeat(200) }));
    ids.push(...(await ledger.createMany(batch, 'bench')).map((b) => b.id));
  }
  const measure = async (target: string) => {
    const cpu0 = cpuSeconds(dolt.server.pid);
    const t0 = performance.now();
    await ledger.pool.query("CALL DOLT_BACKUP('sync-url', ?)", [pathToFileURL(target).href]);
    return { wall: performance.now() - t0, cpu: (cpuSeconds(dolt.server.pid) - cpu0) * 1000 };
  };
  const history = join(out, 'history');
  await measure(history);
  console.log(`${BEADS} beads; each round ${COMMITS} committed updates, then both backups`);
  console.log('round  ledger MB   full copy: wall / Dolt CPU    sync: wall / Dolt CPU    ratio (CPU)');
  let n = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (let i = 0; i < COMMITS; i++, n++) await ledger.update(ids[(n * 7919) % ids.length], { description: `round ${round} edit ${i} `.padEnd(200, "x") }, 'bench');
    const full = await measure(join(out, `full-${round}`));
    const sync = await measure(history);
    rmSync(join(out, `full-${round}`), { recursive: true, force: true });
    console.log(`${String(round).padStart(5)}  ${String(megabytes(join(dolt.dir, 'dolt-data'))).padStart(9)}   ${full.wall.toFixed(0).padStart(7)} ms / ${full.cpu.toFixed(0).padStart(5)} ms    ${sync.wall.toFixed(0).padStart(6)} ms / ${sync.cpu.toFixed(0).padStart(5)} ms    ${(sync.cpu / Math.max(full.cpu, 10)).toFixed(3)}`);
  }
  await ledger.close();
} finally {
  await dolt.dispose();
  rmSync(out, { recursive: true, force: true });
}
