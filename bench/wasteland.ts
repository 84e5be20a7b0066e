// Benchmark: the wanted board at scale, no agents. One hub (a dolt sql-server serving the commons over
// remotesapi) and N simulated towns: N clones of the commons in one second dolt sql-server, each driven
// by this script through the same protocol the towns run (commons-sync.ts): claim on the clone, then
// fetch → merge by the rules → push until the push lands.
//   1. Claims per minute and conflicting-claim resolution time for N = 1, 2, 8, 32 (WL_NS), each run
//      for WL_SECONDS, ratios against N = 1 in the same run. Towns pick among the WL_HOT oldest open
//      items, so they collide.
//   2. Sync time against the commons' size (WL_SIZES, default 1000 and 10000 items, with 100 as the
//      baseline): a fresh clone, a sync with nothing new, a sync that brings 10 new items, a claim.
// Run: npm run bench -- wasteland     (WL_NS=1,2,8 WL_SECONDS=20 to scale down)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { DoltServer } from '../main/ledger/dolt-server.ts';
import { freePort } from '../main/ledger/free-port.ts';
import { startTempDolt, type TempDolt } from '../main/ledger/temp-dolt.ts';
import { nowSql } from '../main/ledger/write-tx.ts';
import { COMMONS_TABLES } from '../main/town/federation/commons-schema.ts';
import { exchangeWithUpstream } from '../main/town/federation/commons-sync.ts';
import { openConnection, rows } from '../main/town/federation/dolt-sync.ts';
import { ms, pct, time } from './ledger-bench-util.ts';

const NS = (process.env.WL_NS ?? '1,2,8,32').split(',').map(Number);
const SECONDS = Number(process.env.WL_SECONDS ?? 30);
const HOT = Number(process.env.WL_HOT ?? 3);
const SIZES = (process.env.WL_SIZES ?? '100,1000,10000').split(',').map(Number);
const USER = 'gastown';

interface Hub { server: DoltServer; dir: string; url: string; password: string; port: number }

async function startHub(): Promise<Hub> {
  const dir = mkdtempSync(join(tmpdir(), 'gt-wl-hub-'));
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const server = new DoltServer({ dataDir: join(dir, 'data'), logFile: join(dir, 'dolt.log'), user: USER, password, database: 'town', remotesApiPort: port, stopGraceMs: 5000 });
  await server.start();
  return { server, dir, url: `http://127.0.0.1:${port}/`, password, port };
}

async function hubConnection(hub: Hub, database: string | null): Promise<mysql.Connection> {
  return openConnection(hub.server.connection(), database);
}

/** A fresh commons named `db` on the hub with `items` open items (one commit). */
async function createCommons(hub: Hub, db: string, items: number): Promise<void> {
  const root = await hubConnection(hub, null);
  await root.query(`CREATE DATABASE \`${db}\``);
  await root.end();
  const c = await hubConnection(hub, db);
  for (const sql of COMMONS_TABLES) await c.query(sql);
  await c.query('INSERT INTO towns (handle, accepted, accepted_by, joined_at) VALUES (?, 1, ?, ?)', ['hub', 'hub', nowSql()]);
  await addItems(c, items, 'hub');
  await c.query("CALL DOLT_COMMIT('-A', '-m', 'create commons', '--author', 'bench <bench@gastown.local>')");
  await c.end();
}

async function addItems(c: mysql.Connection, n: number, by: string): Promise<void> {
  const base = Date.now();
  for (let i = 0; i < n; i += 500) {
    const chunk = Array.from({ length: Math.min(500, n - i) }, (_, k) => {
      const at = nowSql(new Date(base + i + k));
      return [`w-${randomBytes(5).toString('hex')}`, `Item ${i + k}`, 'x'.repeat(200), 'task', 2, by, '', '', 'open', at, at];
    });
    await c.query('INSERT INTO wanted (id, title, description, type, priority, posted_by, source_bead, link, status, created_at, updated_at) VALUES ?', [chunk]);
  }
}

async function cloneInto(sim: TempDolt, hub: Hub, commons: string, name: string): Promise<mysql.Connection> {
  const root = await openConnection(sim.server.connection(), null);
  await root.query("CALL DOLT_CLONE('--user', ?, ?, ?)", [USER, `${hub.url}${commons}`, name]);
  await root.end();
  return openConnection(sim.server.connection(), name);
}

async function claimOnClone(c: mysql.Connection, me: string): Promise<string | null> {
  const open = await rows<{ id: string }>(c, "SELECT id FROM wanted WHERE status = 'open' ORDER BY created_at, id LIMIT ?", [HOT]);
  if (!open.length) return null;
  const id = open[Math.floor(Math.random() * open.length)].id;
  const now = nowSql();
  await c.query('BEGIN');
  await c.query("UPDATE wanted SET status = 'claimed', claimed_by = ?, claimed_at = ?, updated_at = ? WHERE id = ? AND status = 'open'", [me, now, now, id]);
  await c.query("INSERT INTO claim_attempts (wanted_id, town, outcome, at) VALUES (?, ?, 'claimed', ?)", [id, me, now]);
  await c.query("CALL DOLT_COMMIT('-A', '-m', ?, '--author', 'bench <bench@gastown.local>')", [`wl claim: ${id} by ${me}`]);
  await c.query('COMMIT');
  return id;
}

interface RaceResult { n: number; won: number; lost: number; errors: number; seconds: number; resolveMs: number[]; winMs: number[]; retries: number; steps: { fetch: number; merge: number; push: number } }

async function race(hub: Hub, sim: TempDolt, n: number): Promise<RaceResult> {
  const commons = `race_${n}`;
  await createCommons(hub, commons, 5000);
  const towns: mysql.Connection[] = [];
  for (let i = 0; i < n; i++) towns.push(await cloneInto(sim, hub, commons, `r${n}_t${i}`));
  const r: RaceResult = { n, won: 0, lost: 0, errors: 0, seconds: SECONDS, resolveMs: [], winMs: [], retries: 0, steps: { fetch: 0, merge: 0, push: 0 } };
  const deadline = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(towns.map(async (c, i) => {
    const me = `town-${i}`;
    while (Date.now() < deadline) {
      try {
        const id = await claimOnClone(c, me);
        if (!id) break;
        const started = performance.now();
        const x = await exchangeWithUpstream(c, { identity: me, remoteUser: USER, maxRounds: 50 });
        const took = performance.now() - started;
        r.retries += x.retries;
        for (const k of ['fetch', 'merge', 'push'] as const) r.steps[k] += x.ms[k];
        if (x.lost.includes(id)) { r.lost++; r.resolveMs.push(took); } else { r.won++; r.winMs.push(took); }
      } catch {
        r.errors++;
        await c.query('ROLLBACK').catch(() => undefined);
      }
    }
  }));
  r.seconds = (performance.now() - t0) / 1000;
  // Check: on the hub, every claimed item has exactly one claimant and one standing attempt.
  const hc = await hubConnection(hub, commons);
  const [check] = await rows<{ claimed: number; standing: number }>(hc,
    "SELECT (SELECT COUNT(*) FROM wanted WHERE status = 'claimed') AS claimed, (SELECT COUNT(*) FROM claim_attempts a JOIN wanted w ON w.id = a.wanted_id AND w.claimed_by = a.town WHERE a.outcome = 'claimed') AS standing");
  await hc.end();
  if (Number(check.claimed) !== r.won || Number(check.standing) !== r.won) console.log(`  !! hub has ${check.claimed} claimed items and ${check.standing} standing claims for ${r.won} wins`);
  for (const c of towns) await c.end().catch(() => c.destroy());
  return r;
}

async function syncGrowth(hub: Hub, sim: TempDolt, size: number): Promise<Record<string, number>> {
  const commons = `size_${size}`;
  await createCommons(hub, commons, size);
  const out: Record<string, number> = {};
  let c!: mysql.Connection;
  out.clone = await time(async () => { c = await cloneInto(sim, hub, commons, `s_${size}`); });
  out.noop = await time(() => exchangeWithUpstream(c, { identity: 'town-s', remoteUser: USER }));
  const hc = await hubConnection(hub, commons);
  await addItems(hc, 10, 'hub');
  await hc.query("CALL DOLT_COMMIT('-A', '-m', 'ten more', '--author', 'bench <bench@gastown.local>')");
  await hc.end();
  out.tenNew = await time(() => exchangeWithUpstream(c, { identity: 'town-s', remoteUser: USER }));
  out.claim = await time(async () => { await claimOnClone(c, 'town-s'); await exchangeWithUpstream(c, { identity: 'town-s', remoteUser: USER }); });
  await c.end();
  return out;
}

const hub = await startHub();
const sim = await startTempDolt({ remotePassword: hub.password });
try {
  console.log(`wanted board at scale: hub remotesapi ${hub.url}, towns as clones in one dolt sql-server; ${SECONDS}s per N, hot set ${HOT}`);
  const races: RaceResult[] = [];
  for (const n of NS) {
    const r = await race(hub, sim, n);
    races.push(r);
    const base = races[0];
    const perMin = (x: RaceResult) => (x.won / x.seconds) * 60;
    console.log(`  N=${String(n).padStart(2)}  won ${String(r.won).padStart(4)}  lost ${String(r.lost).padStart(4)}  errors ${r.errors}  rejected pushes ${r.retries}  claims/min ${perMin(r).toFixed(1).padStart(6)} (×${(perMin(r) / perMin(base)).toFixed(2)} of N=1)` +
      `  win p50 ${ms(pct(r.winMs, 50) || 0)}  lost-claim resolution p50 ${r.resolveMs.length ? ms(pct(r.resolveMs, 50)) : '-'} p95 ${r.resolveMs.length ? ms(pct(r.resolveMs, 95)) : '-'}` +
      `  (win p50 ×${((pct(r.winMs, 50) || 0) / (pct(base.winMs, 50) || 1)).toFixed(2)} of N=1)`);
    const exchanges = r.won + r.lost || 1;
    console.log(`        per exchange: fetch ${ms(r.steps.fetch / exchanges)}  merge ${ms(r.steps.merge / exchanges)}  push ${ms(r.steps.push / exchanges)}`);
  }
  console.log('sync time against the commons\' size (one clone):');
  const sizes: Array<[number, Record<string, number>]> = [];
  for (const size of SIZES) {
    const s = await syncGrowth(hub, sim, size);
    sizes.push([size, s]);
    const base = sizes[0][1];
    console.log(`  ${String(size).padStart(6)} items  clone ${ms(s.clone)} (×${(s.clone / base.clone).toFixed(2)})  no-op sync ${ms(s.noop)} (×${(s.noop / base.noop).toFixed(2)})  sync of 10 new ${ms(s.tenNew)} (×${(s.tenNew / base.tenNew).toFixed(2)})  claim+sync ${ms(s.claim)} (×${(s.claim / base.claim).toFixed(2)})`);
  }
} finally {
  await sim.dispose();
  await hub.server.stop();
  rmSync(hub.dir, { recursive: true, force: true });
}
