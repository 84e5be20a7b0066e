// Benchmark: what one statement costs the town's process and Dolt over the server's Unix socket
// against loopback TCP (the baseline), on one temp server in the same run: a bead's point read and
// a small ledger write (one bead updated, one Dolt commit), 4 connections side by side as the town's
// pool, alternated rounds so drift on a busy machine hits both. CPU is read from /proc (Linux).
// Run: npx tsx bench/dolt-socket.ts        (READS=4000 WRITES=200 ROUNDS=3 by default: ROUNDS × 4 blocks a side)
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { mysqlEndpoint, type DoltConnection } from '../main/ledger/dolt-server.ts';

const READS = Number(process.env.READS ?? 4000);
const WRITES = Number(process.env.WRITES ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PARALLEL = 4;

if (process.platform !== 'linux') throw new Error('bench/dolt-socket.ts reads CPU from /proc (Linux only)');
const ticks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // ms (100 ticks a second)
};
const nodeMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };

interface Cost { wallUs: number; nodeUs: number; doltUs: number }

const town = await startTempDolt();
try {
  const base = town.server.connection();
  if (!base.socketPath) throw new Error('the server offered no Unix socket (GT_DOLT_UNIX_SOCKET=off, or the path is too long)');
  const tcp: DoltConnection = { ...base, socketPath: undefined };
  const ledger = await Ledger.open(base);
  const bead = await ledger.create({ title: 'socket bench', description: 'x'.repeat(2000), labels: ['a', 'b'] }, 'bench');
  await ledger.close();
  const pid = town.server.pid!;

  interface Side { name: string; pool: mysql.Pool; ledger: Ledger; reads: Cost; writes: Cost }
  const zero = (): Cost => ({ wallUs: 0, nodeUs: 0, doltUs: 0 });
  async function side(name: string, conn: DoltConnection): Promise<Side> {
    const pool = mysql.createPool({ ...mysqlEndpoint(conn), user: conn.user, password: conn.password, database: conn.database, connectionLimit: PARALLEL });
    return { name, pool, ledger: await Ledger.open(conn), reads: zero(), writes: zero() };
  }
  /** Runs `n` operations, PARALLEL at a time, and adds their wall and CPU time (µs) to `into`. */
  async function block(n: number, op: (i: number) => Promise<unknown>, into: Cost): Promise<void> {
    const n0 = nodeMs(), d0 = ticks(pid), t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => { while (next < n) await op(next++); }));
    into.wallUs += (performance.now() - t0) * 1000;
    into.nodeUs += (nodeMs() - n0) * 1000;
    into.doltUs += (ticks(pid) - d0) * 1000;
  }
  const read = (s: Side) => () => s.pool.query('SELECT id, title, description, status FROM issues WHERE id = ?', [bead.id]);
  const write = (s: Side) => (i: number) => s.ledger.update(bead.id, { priority: (i % 4) as 0 }, 'bench');

  const sides = [await side('tcp', tcp), await side('socket', base)];
  try {
    // Both warmed, then blocks alternated (and their order swapped every block): drift, the
    // collector and Dolt's caches fall on both sides alike.
    for (const s of sides) { await block(200, read(s), zero()); await block(20, write(s), zero()); }
    const BLOCKS = ROUNDS * 4;
    for (let b = 0; b < BLOCKS; b++) {
      for (const s of b % 2 ? [...sides].reverse() : sides) {
        await block(Math.ceil(READS / 4), read(s), s.reads);
        await block(Math.ceil(WRITES / 4), write(s), s.writes);
      }
    }
    const per = (c: Cost, n: number): Cost => ({ wallUs: c.wallUs / n, nodeUs: c.nodeUs / n, doltUs: c.doltUs / n });
    const line = (what: string, c: Cost) => `${what.padEnd(6)} wall ${c.wallUs.toFixed(0).padStart(6)} µs, node ${c.nodeUs.toFixed(0).padStart(5)} µs CPU, dolt ${c.doltUs.toFixed(0).padStart(6)} µs CPU`;
    const ratio = (a: Cost, b: Cost) => `ratio socket/tcp: node ${(a.nodeUs / b.nodeUs).toFixed(2)}, dolt ${(a.doltUs / b.doltUs).toFixed(2)}, wall ${(a.wallUs / b.wallUs).toFixed(2)}`;
    const nReads = BLOCKS * Math.ceil(READS / 4), nWrites = BLOCKS * Math.ceil(WRITES / 4);
    const [t, u] = sides;
    console.log(`per statement or write, ${PARALLEL} connections side by side, ${BLOCKS} alternated blocks: ${nReads} reads and ${nWrites} writes a side (Dolt's CPU at /proc's 10 ms resolution)`);
    console.log(`  point read   ${line('tcp', per(t.reads, nReads))}`);
    console.log(`               ${line('socket', per(u.reads, nReads))}   ${ratio(per(u.reads, nReads), per(t.reads, nReads))}`);
    console.log(`  ledger write ${line('tcp', per(t.writes, nWrites))}`);
    console.log(`               ${line('socket', per(u.writes, nWrites))}   ${ratio(per(u.writes, nWrites), per(t.writes, nWrites))}`);
  } finally {
    for (const s of sides) { await s.pool.end(); await s.ledger.close(); }
  }
} finally {
  await town.dispose();
}
