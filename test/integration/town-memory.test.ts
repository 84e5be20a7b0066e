// The town's agents, rigs, open convoys and molecule roots held in memory (main/town/bead-mirror.ts),
// on a real Dolt server with the real BeadFeed: reads after the first load ask Dolt nothing; the
// town's own writes are seen at once; a commit made through another connection (raw SQL, or another
// Ledger as `bd` or a second process would write) is seen once the feed delivers it; a failed write
// changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Ledger } from '../../main/ledger/ledger.ts';
import { BeadFeed } from '../../main/ledger/bead-feed.ts';
import { doltAvailable, startTempDolt, type TempDolt } from '../../main/ledger/temp-dolt.ts';
import { AgentStore, polecatAddress } from '../../main/town/polecats/agent-store.ts';
import { RigManager } from '../../main/town/rigs/rig-manager.ts';
import { RIG_LABEL } from '../../main/town/rigs/rig-store.ts';
import { ConvoyService } from '../../main/town/convoys/convoy-service.ts';
import { MoleculeService, type MoleculeDeps } from '../../main/town/molecules/molecule-service.ts';
import { MOLECULE_LABEL } from '../../main/town/molecules/cook-plan.ts';
import type { WorkContext } from '../../main/town/supervisors/work-context.ts';
import { waitFor } from '../helpers/wait.ts';

const skip = doltAvailable();

describe('agents, rigs, convoys and molecules held in memory', { skip: skip ?? false }, () => {
  let dolt: TempDolt;
  let ledger: Ledger;
  let other: Ledger;
  let feed: BeadFeed;
  let raw: mysql.Connection;
  let root: string;
  let agents: AgentStore;
  let rigs: RigManager;
  let convoys: ConvoyService;
  let molecules: MoleculeService;
  let lists = 0;
  let shows = 0;

  /** Waits until the feed has delivered the current HEAD (so every commit so far reached the town). */
  async function feedCaughtUp(): Promise<void> {
    const [rows] = await raw.query("SELECT HASHOF('HEAD') AS h");
    const head = (rows as Array<{ h: string }>)[0].h;
    feed.poke();
    await waitFor(`the feed to deliver ${head}`, () => feed.headSeen === head);
  }

  /** A commit through another connection: SQL, then a Dolt commit, as any outside writer does. */
  async function rawCommit(sql: string, params: unknown[]): Promise<void> {
    await raw.query(sql, params);
    await raw.query("CALL DOLT_COMMIT('-Am', 'outside write', '--author', 'someone <someone@elsewhere>')");
  }

  before(async () => {
    dolt = await startTempDolt();
    const conn = dolt.server.connection();
    ledger = await Ledger.open(conn);
    other = await Ledger.open(conn);
    raw = await mysql.createConnection({ host: conn.host, port: conn.port, user: conn.user, password: conn.password, database: conn.database });
    root = mkdtempSync(join(tmpdir(), 'gt-memory-'));
    // Count the ledger reads the stores make (the instance's own methods, wrapped in place).
    const list = ledger.list.bind(ledger);
    ledger.list = (f) => { lists++; return list(f); };
    const show = ledger.show.bind(ledger);
    ledger.show = (id, o) => { shows++; return show(id, o); };
    agents = new AgentStore(ledger);
    rigs = new RigManager({ ledger, townRoot: root, townPrefix: 'hq', runtimeExists: () => true });
    const ctx = { ledger, townRoot: root, townPrefix: 'hq', rigs, agents, wake: () => undefined } as unknown as WorkContext;
    convoys = new ConvoyService(ctx);
    // moleculeFor and the patrol use the ledger only; the deps are for cooking and slinging.
    molecules = new MoleculeService({ ...ctx, locks: undefined, log: () => undefined } as unknown as WorkContext, {} as MoleculeDeps);
    feed = new BeadFeed(conn, { pollMs: 50, idleMs: 200 });
    feed.on('event', (e) => { agents.onFeed(e); rigs.onFeed(e); convoys.onFeed(e); molecules.onFeed(e); });
    await feed.start();
  });

  after(async () => {
    await feed?.stop();
    await raw?.end();
    await other?.close();
    await ledger?.close();
    await dolt?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('agents: one load, then own writes seen at once without asking Dolt', async () => {
    const a = await agents.create({ address: polecatAddress('alpha', 'one'), role: 'polecat', name: 'one', rig: 'alpha' }, 'al', 'town/witness');
    await feedCaughtUp();
    const before = lists;
    assert.equal((await agents.get(a.meta.address)).meta.state, 'idle');
    assert.equal(lists, before + 1, 'the first read loads every agent with one list');
    await agents.patch(a.meta.address, { state: 'working', hook: 'al-1' }, 'town/witness');
    assert.equal((await agents.get(a.meta.address)).meta.state, 'working');
    await feedCaughtUp();
    const b = await agents.create({ address: polecatAddress('alpha', 'two'), role: 'polecat', name: 'two', rig: 'alpha' }, 'al', 'town/witness');
    await feedCaughtUp();
    assert.deepEqual((await agents.list({ rig: 'alpha' })).map((r) => r.meta.name), ['one', 'two']);
    // A write past the store (several beads in one commit) handed to it.
    const work = await ledger.create({ title: 'work', prefix: 'al' }, 'overseer');
    agents.written(await ledger.updateMany([
      { id: work.id, patch: { status: 'hooked', assignee: b.meta.address, expectStatus: ['open'] } },
      agents.updateOf(b, { state: 'working', hook: work.id }),
    ], 'town/witness'));
    assert.equal((await agents.get(b.meta.address)).meta.hook, work.id);
    assert.equal((await agents.find(polecatAddress('alpha', 'nobody'))), null);
    await feedCaughtUp();
    assert.equal((await agents.get(b.meta.address)).meta.hook, work.id);
    assert.equal(lists, before + 1, 'the feed delivering our own commits, one at a time, asked for no load');
    // A burst of own writes to one agent: the feed delivers the first after the last was taken, so
    // the held set is dropped and loaded again (never an older state served).
    for (const state of ['stuck', 'idle', 'working'] as const) await agents.patch(a.meta.address, { state }, 'town/witness');
    await feedCaughtUp();
    assert.equal((await agents.get(a.meta.address)).meta.state, 'working');
  });

  test('agents: a commit through another connection is seen once the feed delivers it', async () => {
    const address = polecatAddress('alpha', 'one');
    const rec = await agents.get(address);
    await rawCommit("UPDATE issues SET metadata = JSON_SET(metadata, '$.state', 'stuck'), updated_at = NOW(3) WHERE id = ?", [rec.bead.id]);
    await feedCaughtUp();
    assert.equal((await agents.get(address)).meta.state, 'stuck');
    // Another writer's Ledger (what `bd` or a second process does): a new agent bead and a label.
    const made = await other.create({ title: 'crew', type: 'agent', prefix: 'al', labels: ['gt:agent', 'agent:alpha/crew/ann', 'rig:alpha'], metadata: { address: 'alpha/crew/ann', role: 'crew', name: 'ann', rig: 'alpha' } }, 'someone');
    await feedCaughtUp();
    assert.equal((await agents.get('alpha/crew/ann')).bead.id, made.id);
    await other.closeBead(made.id, 'gone', 'someone');
    await feedCaughtUp();
    assert.equal(await agents.find('alpha/crew/ann'), null, 'a closed agent bead is no agent');
  });

  test('agents: a failed write leaves what is held unchanged', async () => {
    const address = polecatAddress('alpha', 'one');
    const rec = await agents.get(address);
    const work = await ledger.create({ title: 'not open', prefix: 'al' }, 'overseer');
    await ledger.closeBead(work.id, 'done', 'overseer');
    const wrote = await ledger.updateMany([
      { id: work.id, patch: { status: 'hooked', assignee: address, expectStatus: ['open'] } },
      agents.updateOf(rec, { state: 'working', hook: work.id }),
    ], 'town/witness').then((beads) => { agents.written(beads); return true; }, () => false);
    assert.equal(wrote, false, 'the compare-and-set refused the write');
    assert.equal((await agents.get(address)).meta.state, 'stuck');
    assert.equal((await ledger.show(rec.bead.id)).metadata.state, 'stuck', 'and Dolt agrees');
    await assert.rejects(agents.patch(polecatAddress('alpha', 'ghost'), { state: 'working' }, 'town/witness'), /no agent/);
  });

  test('rigs: read from memory, and a change by another connection seen after the feed delivers it', async () => {
    const bead = await ledger.create({ title: 'rig alpha', type: 'rig', prefix: 'hq', labels: [RIG_LABEL, 'rig:alpha'], metadata: { name: 'alpha', prefix: 'al', maxPolecats: 2 } }, 'overseer');
    await feedCaughtUp();
    const before = lists;
    assert.equal((await rigs.get('alpha')).maxPolecats, 2);
    assert.equal((await rigs.byPrefix('al'))?.name, 'alpha');
    assert.equal((await rigs.list()).length, 1);
    assert.ok(lists <= before + 1, 'at most one load for three reads');
    const loaded = lists;
    await rawCommit("UPDATE issues SET metadata = JSON_SET(metadata, '$.maxPolecats', 7), updated_at = NOW(3) WHERE id = ?", [bead.id]);
    await feedCaughtUp();
    assert.equal((await rigs.get('alpha')).maxPolecats, 7);
    await other.closeBead(bead.id, 'rig removed', 'someone');
    await feedCaughtUp();
    assert.equal(await rigs.find('alpha'), null);
    assert.equal(lists, loaded + 2, 'one load after each outside change, none for the reads between');
  });

  test('convoys: the open convoys held across patrols; an edge added by another writer seen after the feed', async () => {
    const [w1, w2] = await ledger.createMany([{ title: 'one', prefix: 'al' }, { title: 'two', prefix: 'al' }], 'overseer');
    const made = await convoys.create({ name: 'c', beads: [w1.id] }, 'overseer');
    await feedCaughtUp(); // its commit delivered: a load racing it would rightly not be kept
    const before = { lists, shows };
    assert.deepEqual((await convoys.openConvoys()).map((c) => [c.convoy.id, c.tracked]), [[made.id, [w1.id]]]);
    assert.deepEqual((await convoys.openConvoys()).map((c) => c.tracked), [[w1.id]]);
    assert.deepEqual({ lists: lists - before.lists, shows: shows - before.shows }, { lists: 1, shows: 1 }, 'two reads, one load');
    // One view per version of the convoy, shared by every reader: frozen, so no reader can change it for the others.
    const [first] = await convoys.openConvoys();
    assert.equal((await convoys.openConvoys())[0], first, 'the same view, not a copy per read');
    assert.throws(() => first.tracked.push('al-x'), TypeError);
    assert.throws(() => { (first.convoy.metadata as Record<string, unknown>).rig = 'x'; }, TypeError);
    await other.addDependency(made.id, w2.id, 'tracks', 'someone');
    await feedCaughtUp();
    assert.deepEqual((await convoys.openConvoys()).map((c) => [...c.tracked].sort()), [[w1.id, w2.id].sort()]);
    await convoys.close(made.id, 'landed', 'overseer');
    assert.deepEqual(await convoys.openConvoys(), [], 'its own close is seen at once');
  });

  test('molecules: the open roots held; one cooked or closed by another writer seen after the feed', async () => {
    const work = await ledger.create({ title: 'walks a molecule', prefix: 'al' }, 'overseer');
    const note = (forId: string) => ({ molecule: { formula: 'f', version: 1, mode: 'parallel', vars: {}, for: forId, steps: [] } });
    assert.equal(await molecules.moleculeFor(work), null);
    const before = lists;
    assert.equal(await molecules.moleculeFor(work), null);
    assert.equal(lists, before, 'the second ask is answered from memory');
    const root = await other.create({ title: 'root', type: 'molecule', prefix: 'al', labels: [MOLECULE_LABEL], metadata: note(work.id) }, 'someone');
    await feedCaughtUp();
    assert.equal((await molecules.moleculeFor(work))?.id, root.id);
    await other.closeBead(root.id, 'done', 'someone');
    await feedCaughtUp();
    assert.equal(await molecules.moleculeFor(work), null, 'a closed molecule walks nothing');
  });
});
