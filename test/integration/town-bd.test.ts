// The real bd v1.0.5 against a running town (gt up as a real process): `gt bd-env` prints what bd
// needs, bd writes reach the town's feed (its socket events) with bd's author, and `gt bead show`
// agrees with `bd show` field by field. Without a bd 1.0.5 the suite says plainly it did not run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connectToTown, type SocketClient } from '../../main/cli/socket-client.ts';
import { readSecrets } from '../../main/town/config.ts';
import { townPaths } from '../../main/town/paths.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import type { Bead, BeadFeedEvent } from '../../preload/types.ts';
import { bdJson, findBd, fromBd, fromTown, runBd } from '../helpers/bd.ts';
import { startTestTown, waitFor, type TestTown } from './town-fixture.ts';

const bd = findBd();
const skip = doltAvailable() ?? (bd.path ? null : bd.reason);
if (!bd.path) console.log(`# town-bd: ${bd.reason}`);

describe('real bd v1.0.5 against a running town', { skip: skip ?? false }, () => {
  let t: TestTown;
  let conn: SocketClient;
  let env: Record<string, string>;
  const events: BeadFeedEvent[] = [];
  const BD = bd.path!;

  before(async () => {
    t = await startTestTown();
    conn = await connectToTown(townPaths(t.dir).socket, readSecrets(townPaths(t.dir)).apiToken, 'overseer', t.dir);
    conn.client.on('beadFeed', (e) => events.push(e));
    // A request after subscribing makes sure the subscription reached the town.
    await conn.client.townStatus({});
  });
  after(async () => {
    conn?.close();
    await t?.cleanup();
  });

  test('gt bd-env prints the environment and the town keeps a beads folder for bd', async () => {
    const text = await t.gt(['bd-env']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^export BEADS_DOLT_SERVER_MODE='1'$/m);
    assert.match(text.stdout, /^export BEADS_DOLT_SERVER_PORT='\d+'$/m);
    const res = await t.json<{ beadsDir: string; env: Record<string, string> }>(['bd-env', '--actor', 'bd-user']);
    env = res.env;
    assert.equal(res.beadsDir, join(t.dir, '.beads'));
    assert.equal(env.BEADS_DOLT_SERVER_USER, readSecrets(townPaths(t.dir)).doltUser, 'the town\'s own SQL user, not root');
    assert.equal(env.BD_ACTOR, 'bd-user');
    assert.ok(existsSync(join(res.beadsDir, 'metadata.json')));
    assert.equal(statSync(res.beadsDir).mode & 0o777, 0o700);
    const meta = JSON.parse(readFileSync(join(res.beadsDir, 'metadata.json'), 'utf8'));
    assert.equal(meta.backend, 'dolt');
    assert.equal(meta.dolt_mode, 'server');
  });

  test('bd writes show up in the town\'s feed with bd\'s author; gt bead show agrees with bd show', async () => {
    const cwd = t.base;
    const town = await t.json<Bead>(['bead', 'create', '--title', 'made by the town', '--label', 'town']);
    const created = await bdJson<{ id: string }>(BD, ['create', 'made by bd', '-p', '0', '-d', 'from bd'], env, cwd);
    await waitFor('bd\'s create in the town feed', () => events.find((e) => e.author === 'bd-user' && e.changes.some((c) => c.kind === 'created' && c.id === created.id)), 30_000);
    for (const args of [
      ['update', created.id, '--status', 'in_progress'],
      ['dep', 'add', created.id, town.id],
      ['comments', 'add', created.id, 'a comment from bd'],
      ['close', town.id, '--reason', 'closed with bd'],
    ]) {
      const r = await runBd(BD, args, env, cwd);
      assert.equal(r.code, 0, `bd ${args.join(' ')}: ${r.stderr}`);
    }
    await waitFor('bd\'s comment in the town feed', () => events.find((e) => e.author === 'bd-user' && e.changes.some((c) => c.kind === 'comment-added' && c.id === created.id)), 30_000);
    await waitFor('bd\'s close in the town feed', () => events.find((e) => e.author === 'bd-user' && e.changes.some((c) => c.kind === 'closed' && c.id === town.id)), 30_000);
    const ready = await bdJson<Array<{ id: string }>>(BD, ['ready'], env, cwd);
    const gtReady = await t.json<Bead[]>(['bead', 'ready']);
    assert.ok(!gtReady.some((b) => b.id === created.id) && !ready.some((b) => b.id === created.id), 'in progress: ready for neither');
    for (const id of [created.id, town.id]) {
      const [fromBdShow] = await bdJson<Array<Record<string, unknown>>>(BD, ['show', id, '--include-comments'], env, cwd);
      const gtShow = await t.json<Bead>(['bead', 'show', id]);
      assert.deepEqual(fromBd(fromBdShow), fromTown(gtShow), `gt bead show ${id} = bd show ${id}`);
    }
  });
});
