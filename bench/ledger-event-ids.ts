// The events table's ids and what a commit writes: WRITES ledger-shaped writes (an issues UPDATE and
// three events rows, then DOLT_ADD + DOLT_COMMIT) against a fresh real Dolt server for each arm, the
// events ids random (version 4, as before session 26) or time-ordered (version 7, what row-ids.ts
// now makes). Prints, per arm and per 1,000 writes, the ledger's growth on disk a commit and Dolt's
// CPU a commit, then new against old in the same run (the arms alternate: v4, v7, v4, v7).
//   npx tsx bench/ledger-event-ids.ts        (WRITES=2000 by default)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { v7 } from 'uuid';
import { mysqlEndpoint } from '../main/ledger/dolt-server.ts';
import { Ledger } from '../main/ledger/ledger.ts';
import { startTempDolt } from '../main/ledger/temp-dolt.ts';
import { cpuSeconds } from './town-bench-util.ts';

// Dolt's automatic GC comes at about 2,500 such writes and shrinks the folder: the default stops before.
const WRITES = Number(process.env.WRITES ?? 2000);
const STEP = 1000;
const arms = { v4: randomUUID, v7: () => v7() };
const totals = { v4: { kb: [] as number[], ms: [] as number[] }, v7: { kb: [] as number[], ms: [] as number[] } };

for (const arm of ['v4', 'v7', 'v4', 'v7'] as const) {
  const dolt = await startTempDolt();
  const conn = dolt.server.connection();
  const ledger = await Ledger.open(conn);
  const pid = dolt.server.pid!;
  const c = await mysql.createConnection({ ...mysqlEndpoint(conn), user: conn.user, password: conn.password, database: conn.database });
  try {
    const beads = await ledger.createMany(Array.from({ length: 500 }, (_, i) => ({ title: `bead ${i}` })), 'overseer');
    const onDisk = () => Number(execFileSync('du', ['-sb', dolt.dir]).toString().split('\t')[0]);
    let cpu0 = cpuSeconds(pid);
    let disk0 = onDisk();
    const steps: string[] = [];
    for (let i = 1; i <= WRITES; i++) {
      const id = beads[i % beads.length].id;
      // As the town writes (write-tx.ts): the UPDATE of issues without foreign key checks.
      await c.query('BEGIN');
      await c.query('SET foreign_key_checks = 0');
      await c.query('UPDATE issues SET metadata = ?, updated_at = NOW() WHERE id = ?', [JSON.stringify({ i }), id]);
      await c.query('SET foreign_key_checks = 1');
      const rows = [0, 1, 2].map(() => [arms[arm](), id, 'updated', 'bench', '', '', '', new Date()]);
      await c.query('INSERT INTO events (id, issue_id, event_type, actor, old_value, new_value, comment, created_at) VALUES ?', [rows]);
      await c.query("CALL DOLT_ADD('issues', 'events')");
      await c.query("CALL DOLT_COMMIT('-m', 'bench write', '--author', 'bench <bench@example.com>')");
      if (i % STEP === 0) {
        const kb = (onDisk() - disk0) / STEP / 1024;
        const ms = ((cpuSeconds(pid) - cpu0) * 1000) / STEP;
        steps.push(`${i}: ${kb.toFixed(1)} KB, ${ms.toFixed(2)} ms`);
        // A step in which Dolt's automatic GC shrank the folder says nothing about a commit's size.
        if (kb > 0) totals[arm].kb.push(kb);
        totals[arm].ms.push(ms);
        cpu0 = cpuSeconds(pid);
        disk0 = onDisk();
      }
    }
    console.log(`${arm} (per commit, by 1,000 writes: on disk, Dolt CPU)  ${steps.join(' | ')}`);
  } finally {
    await c.end();
    await ledger.close();
    await dolt.dispose();
  }
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
console.log(`on disk a commit: v4 ${mean(totals.v4.kb).toFixed(1)} KB, v7 ${mean(totals.v7.kb).toFixed(1)} KB → ratio ${(mean(totals.v7.kb) / mean(totals.v4.kb)).toFixed(2)}`);
console.log(`Dolt CPU a commit: v4 ${mean(totals.v4.ms).toFixed(2)} ms, v7 ${mean(totals.v7.ms).toFixed(2)} ms → ratio ${(mean(totals.v7.ms) / mean(totals.v4.ms)).toFixed(2)}`);
