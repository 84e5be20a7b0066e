// The wanted board (Gas Town's Wasteland) of one town: its clone of a commons (claim-rules.ts for the
// protocol), and the bridge to the town's own ledger: a won claim becomes a local bead, a closed
// local bead completes its item, a completed item posted here is noted on the source bead.
//
// Invariants:
//   - Every change to the commons is one Dolt commit on the town's clone, authored by the caller,
//     then pushed by sync(); a rejected push is followed by fetch + merge + push again, so the town
//     never overwrites the commons (Dolt accepts fast-forward pushes only).
//   - Operations on the commons run one at a time in this town (one chain), so a sync never
//     interleaves with a claim of the same town.
//   - An unreachable upstream makes the town `offline`: local changes stay committed in the clone
//     and are pushed by a later sync; nothing is lost and no error is left half-applied.
import { createHash, randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { TownError } from '../../../preload/errors.ts';
import { BEAD_TYPES, type Bead } from '../../../preload/types.ts';
import type { ClaimResult, CommonsInfo, RemoteSyncState, WantedItem, WlSyncResult } from '../../../preload/requests/federation-types.ts';
import type { DoltConnection } from '../../ledger/dolt-server.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { authorOf, nowSql } from '../../ledger/write-tx.ts';
import { claimRefusal, isTrusted } from './claim-rules.ts';
import { exchangeWithUpstream } from './commons-sync.ts';
import { COMMONS_DATABASE, COMMONS_SCHEMA_VERSION, COMMONS_TABLES } from './commons-schema.ts';
import { checkRemoteUrl, FEDERATION_ACTOR, listRemotes, openConnection, remoteError, rows, userArgs } from './dolt-sync.ts';
import type { Row } from './merge-rules.ts';

const ORIGIN = 'origin';
const SCOPE = 'federation-sync';

export interface WastelandDeps {
  conn: DoltConnection;
  ledger: Ledger;
  identity: string;
  remoteUser?: string;
  log(line: string): void;
}

function rowToItem(r: Row, accepted: ReadonlySet<string>, localBead: string | null): WantedItem {
  return {
    id: String(r.id), title: String(r.title), description: String(r.description), type: String(r.type), priority: Number(r.priority),
    postedBy: String(r.posted_by), sourceBead: String(r.source_bead), link: String(r.link), status: r.status as WantedItem['status'],
    claimedBy: (r.claimed_by as string | null) ?? null, claimedAt: (r.claimed_at as string | null) ?? null,
    completedRef: (r.completed_ref as string | null) ?? null, completedAt: (r.completed_at as string | null) ?? null,
    updatedAt: String(r.updated_at), trusted: isTrusted({ postedBy: String(r.posted_by) }, accepted), localBead,
  };
}

const isConflict = (m: string): boolean => /serialization failure|try restarting transaction|conflicts with a committed transaction|cannot commit/i.test(m);

export class Wasteland {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: WastelandDeps) {}

  get identity(): string { return this.d.identity; }

  /** Runs fn after every earlier commons operation of this town. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async connect(database: string | null = COMMONS_DATABASE): Promise<mysql.Connection> {
    return openConnection(this.d.conn, database);
  }

  private async using<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
    if (!(await this.joined())) throw new TownError('not_found', 'this town has not joined a commons (gt wl join URL, or gt wl create to host one)');
    const c = await this.connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => c.destroy());
    }
  }

  async joined(): Promise<boolean> {
    const c = await this.connect(null);
    try {
      return (await rows(c, 'SHOW DATABASES LIKE ?', [COMMONS_DATABASE])).length > 0;
    } finally {
      await c.end().catch(() => c.destroy());
    }
  }

  /** One commit on the clone, authored by actor; reruns on a concurrent commit (a push landing on a hub). */
  private async write<T>(c: mysql.Connection, actor: string, message: string, body: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query('BEGIN');
        const result = await body();
        try {
          await c.query("CALL DOLT_COMMIT('-A', '-m', ?, '--author', ?)", [message, authorOf(actor)]);
        } catch (e) {
          if (!/nothing to commit/i.test((e as Error).message)) throw e;
        }
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (attempt < 8 && isConflict((e as Error).message ?? '')) {
          await new Promise((r) => setTimeout(r, 30 * attempt + Math.random() * 100));
          continue;
        }
        throw e instanceof TownError ? e : new TownError('internal', `commons: ${message}: ${(e as Error).message}`);
      }
    }
  }

  private async hasOrigin(c: mysql.Connection): Promise<string | null> {
    return (await listRemotes(c)).find((r) => r.name === ORIGIN)?.url ?? null;
  }

  private async accepted(c: mysql.Connection): Promise<Set<string>> {
    return new Set((await rows<{ handle: string }>(c, 'SELECT handle FROM towns WHERE accepted = 1')).map((r) => r.handle));
  }

  /** `gt wl create`: this town hosts a new commons (served to others by `gt serve --remotes`). */
  create(actor: string): Promise<CommonsInfo> {
    return this.serial(async () => {
      if (await this.joined()) throw new TownError('conflict', 'this town already has a commons (gt wl browse)');
      const root = await this.connect(null);
      try {
        await root.query(`CREATE DATABASE \`${COMMONS_DATABASE}\``);
      } finally {
        await root.end().catch(() => root.destroy());
      }
      const c = await this.connect();
      try {
        await this.write(c, actor, `wl create: commons hosted by ${this.d.identity}`, async () => {
          for (const sql of COMMONS_TABLES) await c.query(sql);
          await c.query('INSERT INTO commons_meta (`key`, value) VALUES (?, ?), (?, ?)', ['schema_version', String(COMMONS_SCHEMA_VERSION), 'created_by', this.d.identity]);
          await c.query('INSERT INTO towns (handle, accepted, accepted_by, joined_at) VALUES (?, 1, ?, ?)', [this.d.identity, this.d.identity, nowSql()]);
        });
      } finally {
        await c.end().catch(() => c.destroy());
      }
      return this.infoNow();
    });
  }

  /** `gt wl join URL`: clones the commons into this town's server and registers the town in it. */
  join(url: string, actor: string): Promise<CommonsInfo> {
    return this.serial(async () => {
      const u = checkRemoteUrl(url);
      if (await this.joined()) throw new TownError('conflict', 'this town already has a commons (one per town)');
      const root = await this.connect(null);
      try {
        const args = [...userArgs(u, this.d.remoteUser), u, COMMONS_DATABASE];
        await root.query(`CALL DOLT_CLONE(${args.map(() => '?').join(', ')})`, args);
      } catch (e) {
        throw remoteError(e, `clone of the commons ${u}`);
      } finally {
        await root.end().catch(() => root.destroy());
      }
      const c = await this.connect();
      try {
        await this.write(c, actor, `wl join: ${this.d.identity}`, async () => {
          await c.query('INSERT IGNORE INTO towns (handle, accepted, accepted_by, joined_at) VALUES (?, 0, \'\', ?)', [this.d.identity, nowSql()]);
        });
      } finally {
        await c.end().catch(() => c.destroy());
      }
      await this.syncNow().catch((e: Error) => this.d.log(`wl join: first sync failed (retried by the next sync): ${e.message}`));
      return this.infoNow();
    });
  }

  info(): Promise<CommonsInfo | null> {
    return this.serial(async () => ((await this.joined()) ? this.infoNow() : null));
  }

  private async infoNow(): Promise<CommonsInfo> {
    return this.using(async (c) => {
      const towns = await rows<{ handle: string; accepted: number; joined_at: string }>(c, 'SELECT handle, accepted, joined_at FROM towns ORDER BY handle');
      const last = await this.d.ledger.getEphemeral(SCOPE, 'commons').catch(() => null);
      return {
        database: COMMONS_DATABASE, upstream: await this.hasOrigin(c),
        towns: towns.map((t) => ({ handle: t.handle, accepted: Boolean(Number(t.accepted)), joinedAt: t.joined_at })),
        lastSync: (last?.value as RemoteSyncState | undefined) ?? null,
      };
    });
  }

  /** `gt wl accept TOWN`: an accepted town vouches for another (its entries become trusted). */
  accept(handle: string, actor: string): Promise<CommonsInfo> {
    return this.serial(async () => {
      await this.using(async (c) => {
        if (!(await this.accepted(c)).has(this.d.identity)) throw new TownError('forbidden', `${this.d.identity} is not accepted by this commons itself, so it cannot accept others`);
        await this.write(c, actor, `wl accept: ${handle}`, async () => {
          await c.query('INSERT INTO towns (handle, accepted, accepted_by, joined_at) VALUES (?, 1, ?, ?) ON DUPLICATE KEY UPDATE accepted = 1, accepted_by = VALUES(accepted_by)', [handle, this.d.identity, nowSql()]);
        });
      });
      await this.syncNow().catch(() => undefined);
      return this.infoNow();
    });
  }

  /** `gt wl post BEAD`: publishes a bead of this town as wanted (posting town and a link back). */
  post(beadId: string, actor: string): Promise<WantedItem> {
    return this.serial(async () => {
      const [bead] = await this.d.ledger.getMany([beadId]);
      if (!bead) throw new TownError('not_found', `no bead ${beadId}`);
      const id = `w-${createHash('sha256').update(`${this.d.identity}\n${bead.id}\n${Date.now()}\n${randomBytes(4).toString('hex')}`).digest('hex').slice(0, 10)}`;
      const now = nowSql();
      const item = await this.using(async (c) => {
        await this.write(c, actor, `wl post: ${id} ${bead.title.slice(0, 80)}`, async () => {
          await c.query(
            `INSERT INTO wanted (id, title, description, type, priority, posted_by, source_bead, link, status, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
            [id, bead.title, bead.description, bead.type, bead.priority, this.d.identity, bead.id, `gt://${this.d.identity}/${bead.id}`, now, now],
          );
        });
        return this.itemNow(c, id);
      });
      await this.d.ledger.addLabel(bead.id, `wanted:${id}`, actor).catch(() => undefined);
      await this.syncNow().catch((e: Error) => this.d.log(`wl post: sync failed (retried by the next sync): ${e.message}`));
      return item;
    });
  }

  private async itemNow(c: mysql.Connection, id: string): Promise<WantedItem> {
    const [r] = await rows(c, 'SELECT * FROM wanted WHERE id = ?', [id]);
    if (!r) throw new TownError('not_found', `no wanted item ${id}`);
    return rowToItem(r, await this.accepted(c), await this.localBead(id));
  }

  private async localBead(wantedId: string, claimedHere = true): Promise<string | null> {
    if (!claimedHere) return null;
    const beads = await this.d.ledger.list({ label: `wanted-claim:${wantedId}`, limit: 1 }).catch(() => [] as Bead[]);
    return beads[0]?.id ?? null;
  }

  browse(filter: { status?: string } = {}): Promise<WantedItem[]> {
    return this.serial(() => this.using(async (c) => {
      const accepted = await this.accepted(c);
      const list = await rows(c, `SELECT * FROM wanted ${filter.status ? 'WHERE status = ?' : ''} ORDER BY priority, created_at, id`, filter.status ? [filter.status] : []);
      const out: WantedItem[] = [];
      for (const r of list) out.push(rowToItem(r, accepted, await this.localBead(String(r.id), r.claimed_by === this.d.identity)));
      return out;
    }));
  }

  attempts(): Promise<Array<{ wantedId: string; town: string; outcome: string; at: string }>> {
    return this.serial(() => this.using(async (c) => (await rows<{ wanted_id: string; town: string; outcome: string; at: string }>(
      c, 'SELECT wanted_id, town, outcome, at FROM claim_attempts ORDER BY at, town')).map((r) => ({ wantedId: r.wanted_id, town: r.town, outcome: r.outcome, at: r.at }))));
  }

  /** `gt wl claim ID`: check on this town's clone, commit the claim, push (sync); won → a local bead. */
  claim(id: string, actor: string, opts: { untrusted?: boolean; prefix?: string } = {}): Promise<ClaimResult> {
    return this.serial(async () => {
      // No pull first: a claim acts on this town's view of the board and the push decides (a stale
      // view costs one lost claim, recorded; a pull first would only narrow the window, not close it).
      await this.using(async (c) => {
        const [r] = await rows(c, 'SELECT * FROM wanted WHERE id = ?', [id]);
        const entry = r ? { id: String(r.id), status: String(r.status), postedBy: String(r.posted_by), claimedBy: (r.claimed_by as string | null) ?? null } : null;
        const refusal = claimRefusal(entry, await this.accepted(c), this.d.identity, opts.untrusted === true);
        if (refusal) throw new TownError(entry ? 'conflict' : 'not_found', `cannot claim ${id}: ${refusal}`);
        if (entry!.claimedBy === this.d.identity) return;
        const now = nowSql();
        await this.write(c, actor, `wl claim: ${id} by ${this.d.identity}`, async () => {
          const [res] = await c.query("UPDATE wanted SET status = 'claimed', claimed_by = ?, claimed_at = ?, updated_at = ? WHERE id = ? AND status = 'open'", [this.d.identity, now, now, id]);
          if ((res as { affectedRows: number }).affectedRows !== 1) throw new TownError('conflict', `cannot claim ${id}: it was claimed meanwhile`);
          await c.query("INSERT INTO claim_attempts (wanted_id, town, outcome, at) VALUES (?, ?, 'claimed', ?) ON DUPLICATE KEY UPDATE outcome = 'claimed', at = VALUES(at)", [id, this.d.identity, now]);
        });
      });
      const after = await this.syncNow(opts.prefix).catch((e: Error) => ({ offline: e.message, lost: [] as string[] }) as Partial<WlSyncResult>);
      const item = await this.using((c) => this.itemNow(c, id));
      if (after.lost?.includes(id) || (item.claimedBy && item.claimedBy !== this.d.identity)) {
        return { id, outcome: 'lost', bead: null, message: `${id} was claimed first by ${item.claimedBy}; this town's claim is recorded as lost` };
      }
      if (after.offline || (after.pulled !== 'hub' && !after.pushed)) {
        return { id, outcome: 'pending', bead: null, message: `claimed locally; the commons could not be reached (${after.offline ?? 'not pushed'}): the next gt wl sync settles it` };
      }
      return { id, outcome: 'won', bead: item.localBead, message: `${id} claimed by ${this.d.identity}${item.localBead ? `; local bead ${item.localBead}` : ''}` };
    });
  }

  /** `gt wl done ID --ref REF`: completes an item this town won. */
  done(id: string, ref: string, actor: string): Promise<WantedItem> {
    return this.serial(async () => {
      await this.using(async (c) => {
        const [r] = await rows(c, 'SELECT * FROM wanted WHERE id = ?', [id]);
        if (!r) throw new TownError('not_found', `no wanted item ${id}`);
        if (r.claimed_by !== this.d.identity) throw new TownError('conflict', `${id} is not claimed by this town (${String(r.claimed_by ?? 'unclaimed')})`);
        if (r.status === 'completed') return;
        await this.complete(c, id, ref, actor);
      });
      await this.syncNow().catch((e: Error) => this.d.log(`wl done: sync failed (retried by the next sync): ${e.message}`));
      return this.using((c) => this.itemNow(c, id));
    });
  }

  private async complete(c: mysql.Connection, id: string, ref: string, actor: string): Promise<void> {
    const now = nowSql();
    await this.write(c, actor, `wl done: ${id} by ${this.d.identity}`, async () => {
      await c.query("UPDATE wanted SET status = 'completed', completed_ref = ?, completed_at = ?, updated_at = ? WHERE id = ? AND claimed_by = ?", [ref, now, now, id, this.d.identity]);
    });
  }

  /** `gt wl sync`: pull (merge by the commons' rules), push, then bridge to the town's ledger. */
  sync(prefix?: string): Promise<WlSyncResult> {
    return this.serial(() => this.syncNow(prefix));
  }

  private async syncNow(prefix?: string): Promise<WlSyncResult> {
    const result: WlSyncResult = { pulled: 'hub', pushed: false, conflicts: 0, lost: [], newBeads: [], completed: [] };
    await this.using(async (c) => {
      await this.completeClosedBeads(c, result);
      const origin = await this.hasOrigin(c);
      if (origin) await this.exchange(c, result);
      // A claim is this town's only once the commons has it: never make beads from an unpushed claim.
      await this.bridge(c, result, !origin || result.pushed, prefix);
    });
    await this.d.ledger.setEphemeral(SCOPE, 'commons', {
      at: Date.now(), ok: !result.offline, message: result.offline ? `offline: ${result.offline}` : `${result.pulled}${result.pushed ? ', pushed' : ''}${result.lost.length ? `, lost ${result.lost.join(' ')}` : ''}`,
    } satisfies RemoteSyncState).catch(() => undefined);
    return result;
  }

  /** fetch → merge → push until a push lands (commons-sync.ts). */
  private async exchange(c: mysql.Connection, result: WlSyncResult): Promise<void> {
    const x = await exchangeWithUpstream(c, { identity: this.d.identity, remoteUser: this.d.remoteUser, remote: ORIGIN });
    result.pulled = x.pulled;
    result.pushed = x.pushed;
    result.conflicts += x.conflicts;
    result.lost.push(...x.lost);
    if (x.offline) result.offline = x.offline;
  }

  /** Local beads of won items that closed complete their item (ref: the town and the bead). */
  private async completeClosedBeads(c: mysql.Connection, result: WlSyncResult): Promise<void> {
    const mine = await rows<{ id: string }>(c, "SELECT id FROM wanted WHERE claimed_by = ? AND status = 'claimed'", [this.d.identity]);
    for (const { id } of mine) {
      const beadId = await this.localBead(id);
      if (!beadId) continue;
      const [bead] = await this.d.ledger.getMany([beadId]);
      if (bead?.status !== 'closed') continue;
      await this.complete(c, id, `gt://${this.d.identity}/${bead.id}${bead.closeReason ? ` (${bead.closeReason.slice(0, 200)})` : ''}`, FEDERATION_ACTOR);
      result.completed.push(id);
    }
  }

  /** Won items become local beads; completions of items posted here are noted on their source bead. */
  private async bridge(c: mysql.Connection, result: WlSyncResult, confirmed: boolean, prefix?: string): Promise<void> {
    const won = confirmed ? await rows(c, "SELECT * FROM wanted WHERE claimed_by = ? AND status = 'claimed'", [this.d.identity]) : [];
    for (const r of won) {
      const id = String(r.id);
      if (await this.localBead(id)) continue;
      const type = (BEAD_TYPES as readonly string[]).includes(String(r.type)) ? String(r.type) : 'task';
      const bead = await this.d.ledger.create({
        title: String(r.title), description: String(r.description), type: type as Bead['type'], priority: Number(r.priority),
        labels: ['wasteland', `wanted-claim:${id}`],
        metadata: { wasteland: { wanted: id, postedBy: String(r.posted_by), link: String(r.link) } },
        ...(prefix ? { prefix } : {}),
      }, FEDERATION_ACTOR);
      result.newBeads.push({ wanted: id, bead: bead.id });
    }
    const finished = await rows(c, "SELECT * FROM wanted WHERE posted_by = ? AND status = 'completed'", [this.d.identity]);
    for (const r of finished) {
      const source = String(r.source_bead);
      const [bead] = await this.d.ledger.getMany([source]).catch(() => [] as Bead[]);
      if (!bead || bead.labels.includes('wasteland:completed')) continue;
      await this.d.ledger.addComment(source, `Completed in the commons by ${String(r.claimed_by)}: ${String(r.completed_ref ?? '')} (${String(r.id)})`, FEDERATION_ACTOR);
      await this.d.ledger.addLabel(source, 'wasteland:completed', FEDERATION_ACTOR);
    }
  }
}
