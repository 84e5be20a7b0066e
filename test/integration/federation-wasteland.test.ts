// The wanted board between towns on this machine, each with its own Dolt server, over loopback:
// town A hosts the commons and serves it over Dolt's remotesapi; B and C clone it with credentials.
// A posts; B and C claim the same item at once (exactly one wins, the loss is recorded); the winner
// works its claim through its own work loop (script agents) and the completion flows back to A;
// trust; a town that was stopped catches up; a hub that is down leaves a claim pending, not lost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../../preload/types.ts';
import type { ClaimResult, CommonsInfo, FederationInfo, WantedItem, WlSyncResult } from '../../preload/requests/federation-types.ts';
import { doltAvailable } from '../../main/ledger/temp-dolt.ts';
import { freePort } from '../../main/ledger/free-port.ts';
import { findDolt } from '../../main/ledger/dolt-locate.ts';
import { waitFor } from '../helpers/gt.ts';
import { fixtureRepo } from './town-fixture.ts';
import { fedTown, type FedTown } from './federation-fixture.ts';

const skip = doltAvailable();
let a: FedTown;
let b: FedTown;
let c: FedTown;
let commonsUrl = '';
const posted: WantedItem[] = [];

const script = (file: string, text: string): string => ['```gt-script', `write ${file} ${text}\\n`, 'sleep 1', '```'].join('\n');

before(async () => {
  if (skip) return;
  const port = await freePort();
  a = await fedTown({ federation: { identity: 'town-a', serve: { enabled: true, port } } });
  const info = await a.json<FederationInfo>(['federation', 'show']);
  assert.ok(info.serving?.password, 'the overseer sees the served credentials');
  commonsUrl = `${info.serving.url}wl_commons`;
  const member = (identity: string) => fedTown({ federation: { identity, remoteUser: info.serving!.user }, secrets: { remotePassword: info.serving!.password } });
  [b, c] = await Promise.all([member('town-b'), member('town-c')]);
});

after(async () => {
  await Promise.all([a?.cleanup(), b?.cleanup(), c?.cleanup()]);
});

async function addRig(t: FedTown): Promise<void> {
  const repo = fixtureRepo(t.base, 'web-src');
  await t.json(['rig', 'add', 'web', repo, '--prefix', 'wb', '--max-polecats', '1', '--runtime', 'script']);
}

test('A hosts a commons and posts three items; B and C join over remotesapi and see them', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const created = await a.json<CommonsInfo>(['wl', 'create']);
  assert.equal(created.upstream, null);
  assert.deepEqual(created.towns.map((t) => [t.handle, t.accepted]), [['town-a', true]]);
  for (const [i, title] of ['Add a greeting', 'Add a farewell', 'Add a motto'].entries()) {
    const bead = await a.json<Bead>(['bead', 'create', '-t', title, '-d', script(`wanted-${i}.txt`, title)]);
    posted.push(await a.json<WantedItem>(['wl', 'post', bead.id]));
  }
  assert.ok(posted.every((p) => p.status === 'open' && p.postedBy === 'town-a' && p.trusted && /^gt:\/\/town-a\//.test(p.link)));

  const badJoin = await b.gt(['wl', 'join', 'nonsense url']);
  assert.notEqual(badJoin.code, 0);
  for (const t of [b, c]) {
    const joined = await t.json<CommonsInfo>(['wl', 'join', commonsUrl]);
    assert.equal(joined.upstream, commonsUrl);
    await addRig(t);
  }
  await b.json<WlSyncResult>(['wl', 'sync']);
  for (const t of [b, c]) {
    const board = await t.json<WantedItem[]>(['wl', 'browse']);
    assert.deepEqual(board.map((w) => w.id).sort(), posted.map((p) => p.id).sort());
    assert.ok(board.every((w) => w.trusted && w.status === 'open'));
  }
  await a.json<WlSyncResult>(['wl', 'sync']);
  const towns = (await a.json<CommonsInfo>(['wl', 'info'])).towns.map((t) => t.handle);
  assert.deepEqual(towns, ['town-a', 'town-b', 'town-c'], 'both joins reached the hub');

  // A plain `dolt clone` uses the served town too, with the credentials; without them it is refused.
  const info = await a.json<FederationInfo>(['federation', 'show']);
  const dolt = findDolt()!.path;
  const env = { ...process.env, DOLT_ROOT_PATH: join(a.base, 'plain-root'), DOLT_DISABLE_EVENT_FLUSH: '1' };
  mkdirSync(join(a.base, 'plain-root', '.dolt'), { recursive: true });
  writeFileSync(join(a.base, 'plain-root', '.dolt', 'config_global.json'), JSON.stringify({ 'user.name': 't', 'user.email': 't@t', 'metrics.disabled': 'true' }));
  const denied = spawnSync(dolt, ['clone', '--user', info.serving!.user, commonsUrl, join(a.base, 'denied')], { env: { ...env, DOLT_REMOTE_PASSWORD: 'wrong-password' }, encoding: 'utf8' });
  assert.notEqual(denied.status, 0, 'a wrong password is refused');
  const plain = spawnSync(dolt, ['clone', '--user', info.serving!.user, commonsUrl, join(a.base, 'plain')], { env: { ...env, DOLT_REMOTE_PASSWORD: info.serving!.password }, encoding: 'utf8' });
  assert.equal(plain.status, 0, plain.stderr);
  const count = spawnSync(dolt, ['sql', '-r', 'csv', '-q', 'SELECT COUNT(*) AS n FROM wanted'], { cwd: join(a.base, 'plain'), env, encoding: 'utf8' });
  assert.match(count.stdout, /\n3\s*$/, count.stderr);
});

let winner: FedTown;
let loser: FedTown;
let winnerBead = '';

test('B and C claim the same item at once: exactly one wins, the other records the loss', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const item = posted[0].id;
  const [rb, rc] = await Promise.all([b.gt(['wl', 'claim', item, '--prefix', 'wb', '--json']), c.gt(['wl', 'claim', item, '--prefix', 'wb', '--json'])]);
  const results = [rb, rc].map((r) => ({ code: r.code, result: JSON.parse(r.stdout) as ClaimResult }));
  const outcomes = results.map((r) => r.result.outcome).sort();
  assert.deepEqual(outcomes, ['lost', 'won'], `${rb.stdout}${rb.stderr}\n${rc.stdout}${rc.stderr}`);
  const wonIndex = results.findIndex((r) => r.result.outcome === 'won');
  [winner, loser] = wonIndex === 0 ? [b, c] : [c, b];
  const winnerName = wonIndex === 0 ? 'town-b' : 'town-c';
  const loserName = wonIndex === 0 ? 'town-c' : 'town-b';
  assert.equal(results[wonIndex].code, 0);
  assert.equal(results[1 - wonIndex].code, 1, 'a lost claim exits 1');
  winnerBead = results[wonIndex].result.bead ?? '';
  assert.match(winnerBead, /^wb-/, 'the won item became a local bead with the rig\'s prefix');
  assert.equal(results[1 - wonIndex].result.bead, null);

  // Every town agrees after a sync; the loser's attempt is recorded as lost in the commons.
  for (const t of [a, b, c]) await t.json<WlSyncResult>(['wl', 'sync']);
  for (const t of [a, b, c]) {
    const w = (await t.json<WantedItem[]>(['wl', 'browse'])).find((x) => x.id === item)!;
    assert.equal(w.status, 'claimed');
    assert.equal(w.claimedBy, winnerName);
  }
  const attempts = (await a.json<Array<{ wantedId: string; town: string; outcome: string }>>(['wl', 'attempts'])).filter((x) => x.wantedId === item);
  assert.deepEqual(attempts.map((x) => [x.town, x.outcome]).sort(), [[loserName, 'lost'], [winnerName, 'claimed']].sort(), 'the loss is recorded in the commons');
  const loserBeads = await loser.json<Bead[]>(['bead', 'list', '--label', `wanted-claim:${item}`]);
  assert.equal(loserBeads.length, 0, 'the loser made no local bead');
  const lostNow = await loser.json<WlSyncResult>(['wl', 'sync']);
  assert.deepEqual(lostNow.lost, [], 'the loss is learned once, not again at every sync');
});

test('the winner works its claim through its own work loop; the completion flows back to A', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const item = posted[0].id;
  await winner.json(['sling', winnerBead, 'web']);
  await waitFor(`${winnerBead} closed by the work loop`, async () => (await winner.json<Bead>(['bead', 'show', winnerBead])).status === 'closed', 600_000, 2000);
  const synced = await winner.json<WlSyncResult>(['wl', 'sync']);
  assert.deepEqual(synced.completed, [item], 'a closed local bead completes its item');
  // The loser completes another item by hand, with a reference.
  const second = posted[1].id;
  const claim = await loser.json<ClaimResult>(['wl', 'claim', second]);
  assert.equal(claim.outcome, 'won');
  const notMine = await loser.gt(['wl', 'done', item, '--ref', 'x']);
  assert.notEqual(notMine.code, 0, 'only the claimant completes an item');
  const done = await loser.json<WantedItem>(['wl', 'done', second, '--ref', 'https://example.test/pr/7']);
  assert.equal(done.status, 'completed');

  const seen = await a.json<WlSyncResult>(['wl', 'sync']);
  assert.equal(seen.pulled, 'hub');
  const board = await a.json<WantedItem[]>(['wl', 'browse']);
  const first = board.find((w) => w.id === item)!;
  assert.equal(first.status, 'completed');
  assert.match(first.completedRef ?? '', new RegExp(`^gt://town-[bc]/${winnerBead}`));
  assert.equal(board.find((w) => w.id === second)!.completedRef, 'https://example.test/pr/7');
  const source = await a.json<Bead>(['bead', 'show', posted[0].sourceBead]);
  assert.ok(source.labels.includes('wasteland:completed'), 'the source bead in A is marked');
  assert.ok((source.comments ?? []).some((cm) => cm.text.includes(winnerBead)), 'with a comment naming the work');
});

test('trust: entries of a town the commons does not accept are untrusted and not claimed without --untrusted', { skip: skip ?? false, timeout: 300_000 }, async () => {
  const local = await loser.json<Bead>(['bead', 'create', '-t', 'Loser wants help']);
  const item = await loser.json<WantedItem>(['wl', 'post', local.id]);
  assert.equal(item.trusted, false);
  await winner.json<WlSyncResult>(['wl', 'sync']);
  const seen = (await winner.json<WantedItem[]>(['wl', 'browse'])).find((w) => w.id === item.id)!;
  assert.equal(seen.trusted, false);
  const refused = await winner.gt(['wl', 'claim', item.id]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /untrusted/);
  // A (accepted) vouches for the poster: its entries become trusted everywhere after a sync.
  await a.json<CommonsInfo>(['wl', 'accept', item.postedBy]);
  await winner.json<WlSyncResult>(['wl', 'sync']);
  assert.equal((await winner.json<WantedItem[]>(['wl', 'browse'])).find((w) => w.id === item.id)!.trusted, true);
  const cannot = await winner.gt(['wl', 'accept', 'town-zz']);
  assert.notEqual(cannot.code, 0, 'a town the commons does not accept cannot accept others');
});

test('a town stopped while others post and claim catches up when it comes back', { skip: skip ?? false, timeout: 600_000 }, async () => {
  await b.stop();
  const bead = await a.json<Bead>(['bead', 'create', '-t', 'Posted while B was away']);
  const item = await a.json<WantedItem>(['wl', 'post', bead.id]);
  await c.json<WlSyncResult>(['wl', 'sync']);
  const claim = await c.json<ClaimResult>(['wl', 'claim', item.id]);
  assert.equal(claim.outcome, 'won');
  await b.start();
  const synced = await b.json<WlSyncResult>(['wl', 'sync']);
  assert.equal(synced.offline, undefined);
  const w = (await b.json<WantedItem[]>(['wl', 'browse'])).find((x) => x.id === item.id)!;
  assert.equal(w.status, 'claimed');
  assert.equal(w.claimedBy, 'town-c');
});

test('the hub down: a claim stays pending (not lost) and the next sync settles it', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const item = posted[2].id;
  await a.stop();
  const pending = await b.gt(['wl', 'claim', item, '--json']);
  assert.equal(pending.code, 4, pending.stderr);
  assert.equal((JSON.parse(pending.stdout) as ClaimResult).outcome, 'pending');
  const offline = await b.json<WlSyncResult>(['wl', 'sync']);
  assert.ok(offline.offline, 'sync says it is offline');
  await a.start();
  const back = await b.json<WlSyncResult>(['wl', 'sync']);
  assert.equal(back.pushed, true);
  assert.equal(back.newBeads.length, 1, 'the claim is won once the hub has it');
  await a.json<WlSyncResult>(['wl', 'sync']);
  assert.equal((await a.json<WantedItem[]>(['wl', 'browse'])).find((w) => w.id === item)!.claimedBy, 'town-b');
});
